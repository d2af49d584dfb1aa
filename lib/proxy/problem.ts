/**
 * What a proxy type cannot carry, known before connecting: a pure check
 * that the command line's rules (`cli/rules.ts`) run, kept apart from the
 * handshakes so that checking costs no start-up time.
 *
 * @module
 */

import { ipVersion } from "../net/address.ts";

/**
 * What a proxy of this type cannot do for this target, in words, or
 * `undefined` when nothing is wrong: SOCKS4 reaches IPv4 and names only and
 * has no password; SOCKS5 fields hold at most 255 bytes. Pure, so the
 * command line's rules (`cli/rules.ts`) can refuse it before any connection.
 *
 * @example
 * ```ts
 * proxyProblem({ proxy: { host: "p", port: 1080, type: "socks4" }, target: { host: "::1", port: 80 } });
 * // "a socks4 proxy cannot reach an IPv6 address: use --proxy-type socks5"
 * ```
 */
export function proxyProblem(opts: {
  proxy: { type: "socks5" | "socks4" | "http"; auth?: { user: string; pass: string } };
  target: { host: string; port: number };
}): string | undefined {
  const { proxy, target } = opts;
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  if (proxy.type === "socks4") {
    if (ipVersion(target.host) === 6) {
      return "a socks4 proxy cannot reach an IPv6 address: use --proxy-type socks5";
    }
    if (proxy.auth?.pass) {
      return "a socks4 proxy takes a user id and no password: use --proxy-auth USER:";
    }
  }
  if (proxy.type === "socks5") {
    if (ipVersion(target.host) === 0 && bytes(target.host) > 255) {
      return "host name too long for socks5 (at most 255 bytes)";
    }
    if (proxy.auth && (bytes(proxy.auth.user) > 255 || bytes(proxy.auth.pass) > 255)) {
      return "--proxy-auth user name and password must be at most 255 bytes each";
    }
  }
  return undefined;
}
