/**
 * The SOCKS4 client handshake, and SOCKS4a for host names: the name goes to
 * the proxy, which resolves it (remote DNS). SOCKS4 knows IPv4 only.
 *
 * @module
 */

import { ipVersion } from "../net/address.ts";
import { ProxyFailure } from "./failure.ts";
import { readExact } from "../io/read_exact.ts";
import { writeAll } from "../io/sink.ts";

/** The reply codes of SOCKS4, in words. */
export const SOCKS4_REPLIES: Readonly<Record<number, string>> = {
  91: "request rejected or failed",
  92: "request rejected: the proxy could not reach identd on this host",
  93: "request rejected: identd reports a different user id",
};

const GRANTED = 90;

/**
 * Asks the SOCKS4 proxy at the other end of `conn` to connect to
 * `host:port`: an IPv4 address directly, a name as SOCKS4a. Reads exactly the
 * 8-byte reply, so the next byte read from `conn` is the target's.
 *
 * @param userId sent as the SOCKS4 user id (`--proxy-auth USER`)
 * @throws {ProxyFailure} the proxy refused, in words
 * @example
 * ```ts
 * await socks4Handshake(conn, { host: "example.com", port: 80 });
 * ```
 */
export async function socks4Handshake(
  conn: Deno.Conn,
  target: { host: string; port: number },
  userId = "",
): Promise<void> {
  const enc = new TextEncoder();
  const isName = ipVersion(target.host) === 0;
  // SOCKS4a: the address 0.0.0.x (x non-zero) means "the name follows".
  const ip = isName ? [0, 0, 0, 1] : target.host.split(".").map(Number);
  const request = [4, 1, target.port >> 8, target.port & 0xff, ...ip, ...enc.encode(userId), 0];
  if (isName) request.push(...enc.encode(target.host), 0);
  await writeAll(conn, new Uint8Array(request));
  const [version, code] = await readExact(conn, 8);
  // Replies carry version 0; some servers send 4.
  if (version !== 0 && version !== 4) {
    throw new ProxyFailure(`not a SOCKS4 proxy (reply version ${version})`, "proxy");
  }
  if (code !== GRANTED) {
    throw new ProxyFailure(SOCKS4_REPLIES[code] ?? `refused with reply code ${code}`, "target");
  }
}
