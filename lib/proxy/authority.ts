/**
 * The target a proxy client asks for, and the `host:port` form an HTTP
 * `CONNECT` request names it in (RFC 9110 §9.3.6: the authority form).
 *
 * @module
 */

import { ipVersion } from "../net/address.ts";

/** Where a client asked to be connected. */
export interface ProxyRequest {
  /** A host name (resolved by the proxy) or an IP address, without brackets. */
  host: string;
  /** The target port, 1-65535. */
  port: number;
}

/**
 * Reads `host:port` or `[v6]:port`; `undefined` when the port is missing,
 * empty, not a number from 1 to 65535, or the host is empty or not a
 * plausible name (no spaces, slashes or `@`).
 *
 * @example
 * ```ts
 * parseAuthority("[::1]:443");   // { host: "::1", port: 443 }
 * parseAuthority("example.com"); // undefined: no port
 * ```
 */
export function parseAuthority(text: string): ProxyRequest | undefined {
  const m = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(text) ??
    /^([^\s:\[\]\/@]+):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const [, host, portText] = m;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  if (text.startsWith("[") && ipVersion(host) !== 6) return undefined;
  return { host, port };
}
