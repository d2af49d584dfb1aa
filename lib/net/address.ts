/**
 * Host and address helpers shared by every mode: telling IP literals from
 * names, and printing `host:port` the way socktool's messages do
 * (`[::1]:9999` for IPv6). Port numbers are read by `cli/ports.ts`.
 *
 * @module
 */

import { ipLiteralVersion } from "./ip_literal.ts";

/** The IP version of an address literal, or 0 when it is a name. */
export function ipVersion(host: string): 0 | 4 | 6 {
  return ipLiteralVersion(stripBrackets(host)) as 0 | 4 | 6;
}

/** `[::1]` → `::1`; anything else unchanged. */
export function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/**
 * Tells whether a host looks like a numeric IPv4 address (digits and dots)
 * without being a valid one, such as `1.2.3.999`: such a string is a typo,
 * not a name to look up.
 */
export function isMalformedIPv4(host: string): boolean {
  return /^[\d.]+$/.test(host) && ipLiteralVersion(host) !== 4;
}

/**
 * Prints an address for messages: IPv6 in brackets, IPv4-mapped IPv6
 * (`::ffff:127.0.0.1`) shown as the IPv4 address it is.
 *
 * @example
 * ```ts
 * formatHostPort("::1", 80);              // "[::1]:80"
 * formatHostPort("::ffff:10.0.0.1", 80);  // "10.0.0.1:80"
 * ```
 */
export function formatHostPort(host: string, port: number): string {
  const h = unmapIPv4(stripBrackets(host));
  return h.includes(":") ? `[${h}]:${port}` : `${h}:${port}`;
}

/** `::ffff:127.0.0.1` → `127.0.0.1`; other addresses unchanged. */
export function unmapIPv4(host: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  return m ? m[1] : host;
}

/** Prints a Deno address (TCP/UDP or Unix) for messages. */
export function formatAddr(addr: Deno.Addr): string {
  if (addr.transport === "unix" || addr.transport === "unixpacket") {
    return (addr as Deno.UnixAddr).path || "(unnamed)";
  }
  const a = addr as Deno.NetAddr;
  return formatHostPort(a.hostname, a.port);
}
