/**
 * The SOCKS5 server handshake (RFC 1928), CONNECT only, with user/password
 * authentication (RFC 1929) when the server requires it. The client side is
 * `socks5.ts`; the two share the address encoding and the reply words.
 *
 * The handshake reads exactly the client's messages, never more: whatever
 * the client sends after its request (a client may send its first bytes at
 * once) stays in the connection for the relay.
 *
 * @module
 */

import { type Reader, readExact } from "../io/read_exact.ts";
import { type PartialWriter, writeAll } from "../io/sink.ts";
import { escapeText } from "../io/escape.ts";
import { formatHostPort } from "../net/address.ts";
import { SOCKS5_REPLIES, socks5Address } from "./socks5.ts";
import { ProxyRequestRefused, sameCredentials } from "./request_refused.ts";
import { socks5ReplyFor, type TargetFailure } from "./target_failure.ts";
import type { ProxyRequest } from "./authority.ts";

export type { ProxyRequest };

/** Options for {@linkcode socks5Accept}. */
export interface Socks5ServerOptions {
  /** The user name and password every client must give (RFC 1929). */
  auth?: { user: string; pass: string };
}

const NO_AUTH = 0x00;
const USER_PASS = 0x02;
const NO_ACCEPTABLE = 0xff;
const CONNECT = 0x01;
const COMMAND_NOT_SUPPORTED = 0x07;
const ADDRESS_TYPE_NOT_SUPPORTED = 0x08;
const COMMANDS: Readonly<Record<number, string>> = { 2: "BIND", 3: "UDP ASSOCIATE" };

/**
 * Runs the server side up to the client's request: method selection,
 * authentication, and the CONNECT request. Refusals are answered to the
 * client (RFC 1928 and 1929 codes) before the {@linkcode ProxyRequestRefused}
 * that says why is thrown.
 *
 * @throws {ProxyRequestRefused} the client was turned away
 * @throws {Deno.errors.UnexpectedEof} the client hung up halfway
 * @example
 * ```ts
 * const { host, port } = await socks5Accept(conn, { auth: { user: "u", pass: "p" } });
 * ```
 */
export async function socks5Accept(
  conn: Reader & PartialWriter,
  opts: Socks5ServerOptions = {},
): Promise<ProxyRequest> {
  const [version, count] = await readExact(conn, 2);
  if (version !== 5) {
    throw new ProxyRequestRefused(`not a SOCKS5 client (it sent version ${version})`);
  }
  const methods = count === 0 ? [] : [...await readExact(conn, count)];
  const wanted = opts.auth ? USER_PASS : NO_AUTH;
  if (!methods.includes(wanted)) {
    await write(conn, [5, NO_ACCEPTABLE]);
    throw new ProxyRequestRefused(
      opts.auth
        ? "the client offers no user/password authentication, which this proxy requires"
        : "the client offers no method this proxy accepts (it needs no authentication)",
    );
  }
  await write(conn, [5, wanted]);
  if (opts.auth) await authenticate(conn, opts.auth);

  const [, command, , addressType] = await readExact(conn, 4);
  const host = await readAddress(conn, addressType);
  const [hi, lo] = await readExact(conn, 2);
  if (host === undefined) {
    await socks5Reply(conn, ADDRESS_TYPE_NOT_SUPPORTED);
    throw new ProxyRequestRefused(`the client sent an unknown address type ${addressType}`);
  }
  if (command !== CONNECT) {
    await socks5Reply(conn, COMMAND_NOT_SUPPORTED);
    const name = COMMANDS[command] ?? `command ${command}`;
    throw new ProxyRequestRefused(`the client asked for ${name}: only CONNECT is served`);
  }
  return { host, port: (hi << 8) | lo };
}

/** RFC 1929: the client's user name and password, checked. */
async function authenticate(
  conn: Reader & PartialWriter,
  expected: { user: string; pass: string },
): Promise<void> {
  const [version, userLength] = await readExact(conn, 2);
  const user = await readExact(conn, userLength);
  const [passLength] = await readExact(conn, 1);
  const pass = await readExact(conn, passLength);
  const dec = new TextDecoder();
  const given = { user: dec.decode(user), pass: dec.decode(pass) };
  if (version !== 1 || !sameCredentials(given, expected)) {
    await write(conn, [1, 1]);
    throw new ProxyRequestRefused(
      `authentication refused (user '${escapeText(given.user)}', wrong name or password)`,
    );
  }
  await write(conn, [1, 0]);
}

/** DST.ADDR by its type; `undefined` for an unknown type (nothing more can be read). */
async function readAddress(conn: Reader, type: number): Promise<string | undefined> {
  if (type === 1) return [...await readExact(conn, 4)].join(".");
  if (type === 4) {
    const b = await readExact(conn, 16);
    const words = Array.from(
      { length: 8 },
      (_, i) => ((b[2 * i] << 8) | b[2 * i + 1]).toString(16),
    );
    return compressIPv6(words);
  }
  if (type === 3) {
    const [length] = await readExact(conn, 1);
    return new TextDecoder().decode(await readExact(conn, length));
  }
  return undefined;
}

/** `0:0:0:0:0:0:0:1` → `::1`: the longest run of zero words becomes `::`. */
function compressIPv6(words: string[]): string {
  let best = -1, bestLength = 0;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === "0") j++;
    if (j - i > bestLength && j - i > 1) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return words.join(":");
  return `${words.slice(0, best).join(":")}::${words.slice(best + bestLength).join(":")}`;
}

/**
 * Answers a CONNECT that succeeded, with the address the proxy connected
 * from (BND.ADDR and BND.PORT).
 *
 * @example
 * ```ts
 * await socks5Succeed(client, target.localAddr);
 * ```
 */
export function socks5Succeed(conn: PartialWriter, bound: Deno.NetAddr): Promise<void> {
  return socks5Reply(conn, 0, bound);
}

/**
 * Answers a CONNECT that failed with the reply code for why (RFC 1928 §6:
 * 0x05 refused, 0x04 host unreachable, 0x03 network unreachable, 0x06 TTL
 * expired for a timeout, 0x01 general failure).
 *
 * @returns the reply's words, as a client prints them
 * @example
 * ```ts
 * await socks5Fail(client, "refused"); // "connection refused by destination host"
 * ```
 */
export async function socks5Fail(conn: PartialWriter, failure: TargetFailure): Promise<string> {
  const code = socks5ReplyFor(failure);
  await socks5Reply(conn, code);
  return SOCKS5_REPLIES[code];
}

/** VER REP RSV ATYP BND.ADDR BND.PORT; an unknown bound address is 0.0.0.0:0. */
function socks5Reply(conn: PartialWriter, code: number, bound?: Deno.NetAddr): Promise<void> {
  const address = bound ? socks5Address(bound.hostname) : [1, 0, 0, 0, 0];
  const port = bound?.port ?? 0;
  return write(conn, [5, code, 0, ...address, port >> 8, port & 0xff]);
}

/**
 * How messages name a requested target: `host:port`, escaped (a SOCKS5
 * name is whatever bytes the client sent).
 *
 * @example
 * ```ts
 * targetName({ host: "::1", port: 80 }); // "[::1]:80"
 * ```
 */
export function targetName(request: ProxyRequest): string {
  return escapeText(formatHostPort(request.host, request.port));
}

function write(conn: PartialWriter, bytes: number[]): Promise<void> {
  return writeAll(conn, new Uint8Array(bytes));
}
