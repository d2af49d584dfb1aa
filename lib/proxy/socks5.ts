/**
 * The SOCKS5 client handshake (RFC 1928), with user/password
 * authentication (RFC 1929). A host name is sent as a name, so the proxy
 * resolves it (remote DNS).
 *
 * @module
 */

import { ipVersion } from "../net/address.ts";
import { ProxyFailure } from "./failure.ts";
import { readExact } from "../io/read_exact.ts";
import { writeAll } from "../io/sink.ts";

/** The reply codes of RFC 1928 §6, in words. */
export const SOCKS5_REPLIES: Readonly<Record<number, string>> = {
  1: "general SOCKS server failure",
  2: "connection not allowed by the proxy's rules",
  3: "network unreachable",
  4: "host unreachable",
  5: "connection refused by destination host",
  6: "TTL expired",
  7: "command not supported by the proxy",
  8: "address type not supported by the proxy",
};

const NO_AUTH = 0x00;
const USER_PASS = 0x02;
const NO_ACCEPTABLE = 0xff;

/**
 * Asks the SOCKS5 proxy at the other end of `conn` to connect to
 * `host:port`. Reads exactly the proxy's replies, so the next byte read from
 * `conn` is the target's.
 *
 * @throws {ProxyFailure} the proxy refused, in words
 * @example
 * ```ts
 * await socks5Handshake(conn, { host: "example.com", port: 80 }, { user: "u", pass: "p" });
 * ```
 */
export async function socks5Handshake(
  conn: Deno.Conn,
  target: { host: string; port: number },
  auth?: { user: string; pass: string },
): Promise<void> {
  const methods = auth ? [NO_AUTH, USER_PASS] : [NO_AUTH];
  await write(conn, [5, methods.length, ...methods]);
  const [version, method] = await readExact(conn, 2);
  if (version !== 5) {
    throw new ProxyFailure(`not a SOCKS5 proxy (reply version ${version})`, "proxy");
  }
  if (method === NO_ACCEPTABLE) {
    throw new ProxyFailure(
      auth
        ? "accepts none of our authentication methods"
        : "requires authentication (use --proxy-auth USER:PASS)",
      "proxy",
    );
  }
  if (method === USER_PASS && auth) {
    const user = utf8(auth.user);
    const pass = utf8(auth.pass);
    await write(conn, [1, user.length, ...user, pass.length, ...pass]);
    const [, status] = await readExact(conn, 2);
    if (status !== 0) {
      throw new ProxyFailure("authentication refused (bad user name or password)", "proxy");
    }
  } else if (method !== NO_AUTH) {
    throw new ProxyFailure(`chose an authentication method we did not offer (${method})`, "proxy");
  }

  await write(conn, [5, 1, 0, ...socks5Address(target.host), target.port >> 8, target.port & 0xff]);
  const [replyVersion, reply, , addressType] = await readExact(conn, 4);
  if (replyVersion !== 5) {
    throw new ProxyFailure(`not a SOCKS5 proxy (reply version ${replyVersion})`, "proxy");
  }
  // The bound address follows; its length depends on its type.
  const rest = addressType === 1
    ? 4
    : addressType === 4
    ? 16
    : addressType === 3
    ? (await readExact(conn, 1))[0]
    : -1;
  if (rest < 0) throw new ProxyFailure(`sent an unknown address type ${addressType}`, "proxy");
  await readExact(conn, rest + 2);
  if (reply !== 0) {
    throw new ProxyFailure(SOCKS5_REPLIES[reply] ?? `refused with reply code ${reply}`, "target");
  }
}

/**
 * ATYP and address bytes for a host: IPv4 (1), a name (3), IPv6 (4).
 *
 * @example
 * ```ts
 * socks5Address("example.com"); // [3, 11, ...bytes of "example.com"]
 * ```
 */
export function socks5Address(host: string): number[] {
  switch (ipVersion(host)) {
    case 4:
      return [1, ...host.split(".").map(Number)];
    case 6:
      return [4, ...ipv6Bytes(host)];
    default: {
      const name = utf8(host);
      return [3, name.length, ...name];
    }
  }
}

/** The 16 bytes of an IPv6 literal (`::` and a trailing dotted IPv4 allowed). */
export function ipv6Bytes(text: string): number[] {
  const host = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  const hex = v4
    ? host.slice(0, v4.index) +
      ((+v4[1] << 8) | +v4[2]).toString(16) + ":" + ((+v4[3] << 8) | +v4[4]).toString(16)
    : host;
  const [head, tail] = hex.split("::");
  const words = (s?: string) => s ? s.split(":").map((w) => parseInt(w, 16)) : [];
  const front = words(head);
  const back = words(tail);
  const all = tail === undefined
    ? front
    : [...front, ...Array(8 - front.length - back.length).fill(0), ...back];
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function write(conn: Deno.Conn, bytes: number[]): Promise<void> {
  return writeAll(conn, new Uint8Array(bytes));
}
