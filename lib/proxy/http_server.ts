/**
 * The HTTP `CONNECT` proxy server handshake (RFC 9110 §9.3.6), with Basic
 * proxy authentication (RFC 7617) when the server requires it. The client
 * side is `http.ts`.
 *
 * The request head is read byte by byte up to its blank line, so whatever
 * the client sends after it (RFC 9110 lets a client send its first bytes
 * before the answer) stays in the connection for the relay. Other methods
 * are answered 405: this proxy tunnels, it does not fetch.
 *
 * @module
 */

import { type Reader, readHttpHead } from "../io/read_exact.ts";
import { type PartialWriter, writeAll } from "../io/sink.ts";
import { escapeText } from "../io/escape.ts";
import { parseAuthority, type ProxyRequest } from "./authority.ts";
import { ProxyRequestRefused, sameCredentials } from "./request_refused.ts";
import { httpStatusFor, type TargetFailure } from "./target_failure.ts";

/** Options for {@linkcode httpConnectAccept}. */
export interface HttpProxyServerOptions {
  /** The user name and password every client must give (Basic). */
  auth?: { user: string; pass: string };
  /** The longest request head read, in bytes (default 16 KiB). */
  headLimit?: number;
}

/** The realm a 407 names. */
export const PROXY_REALM = "socktool";

const REASONS: Readonly<Record<number, string>> = {
  200: "Connection established",
  400: "Bad Request",
  405: "Method Not Allowed",
  407: "Proxy Authentication Required",
  413: "Request Entity Too Large",
  502: "Bad Gateway",
  504: "Gateway Timeout",
};

/**
 * Reads the client's request head and checks it: a `CONNECT host:port`
 * request, with the credentials when the server requires them. A refusal is
 * answered (400 malformed, 405 another method, 407 missing or wrong
 * credentials with a `Proxy-Authenticate` challenge, 413 too long) before the
 * {@linkcode ProxyRequestRefused} that says why is thrown.
 *
 * @throws {ProxyRequestRefused} the client was turned away
 * @throws {Deno.errors.UnexpectedEof} the client hung up before its head ended
 * @example
 * ```ts
 * const { host, port } = await httpConnectAccept(conn, { auth: { user: "u", pass: "p" } });
 * await httpConnectSucceed(conn);
 * ```
 */
export async function httpConnectAccept(
  conn: Reader & PartialWriter,
  opts: HttpProxyServerOptions = {},
): Promise<ProxyRequest> {
  const limit = opts.headLimit ?? 16 * 1024;
  let head: string;
  try {
    head = new TextDecoder().decode(await readHttpHead(conn, limit));
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    await respond(conn, 413);
    throw new ProxyRequestRefused(`request head longer than ${limit} bytes`);
  }
  const [requestLine, ...fields] = head.split(/\r?\n/).filter((line) => line !== "");
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/\d\.\d$/.exec(requestLine ?? "");
  if (!m) {
    await respond(conn, 400);
    throw new ProxyRequestRefused(`bad request line '${shown(requestLine ?? "")}'`);
  }
  const [, method, target] = m;
  if (method !== "CONNECT") {
    await respond(conn, 405, ["Allow: CONNECT"]);
    throw new ProxyRequestRefused(`method ${shown(method)}: only CONNECT is served`);
  }
  const request = parseAuthority(target);
  if (request === undefined) {
    await respond(conn, 400);
    throw new ProxyRequestRefused(`bad CONNECT target '${shown(target)}': expected HOST:PORT`);
  }
  if (opts.auth) {
    const why = credentialsProblem(fields, opts.auth);
    if (why !== undefined) {
      await respond(conn, 407, [`Proxy-Authenticate: Basic realm="${PROXY_REALM}"`]);
      throw new ProxyRequestRefused(why);
    }
  }
  return request;
}

/** Why the request's credentials do not let it through, or `undefined` when they do. */
function credentialsProblem(
  fields: readonly string[],
  expected: { user: string; pass: string },
): string | undefined {
  const given = fields
    .map((line) => /^proxy-authorization\s*:\s*(\S+)\s*(\S*)\s*$/i.exec(line))
    .filter((m) => m !== null);
  if (given.length === 0) return "authentication required: the client sent no credentials";
  let user: string | undefined;
  for (const [, scheme, token] of given) {
    if (scheme.toLowerCase() !== "basic") continue;
    const decoded = decodeBasic(token);
    if (decoded === undefined) continue;
    const i = decoded.indexOf(":");
    const creds = i < 0
      ? { user: decoded, pass: "" }
      : { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
    if (sameCredentials(creds, expected)) return undefined;
    user ??= creds.user;
  }
  return user === undefined
    ? "authentication refused: the client sent no Basic credentials"
    : `authentication refused (user '${escapeText(user)}', wrong name or password)`;
}

/** The UTF-8 text of a Basic token, or `undefined` when it is not base64. */
function decodeBasic(token: string): string | undefined {
  try {
    const binary = atob(token);
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/**
 * Answers a CONNECT whose target connection is open: `200 Connection
 * established`; every byte after it is the tunnel's.
 *
 * @example
 * ```ts
 * await httpConnectSucceed(client);
 * ```
 */
export function httpConnectSucceed(conn: PartialWriter): Promise<void> {
  return writeAll(conn, new TextEncoder().encode(`HTTP/1.1 200 ${REASONS[200]}\r\n\r\n`));
}

/**
 * Answers a CONNECT whose target could not be reached: 502 Bad Gateway (the
 * target refused, or its name does not resolve) or 504 Gateway Timeout (no
 * answer: timed out, host or network unreachable), with `detail` as a
 * one-line body.
 *
 * @returns the status line's words, e.g. `502 Bad Gateway`
 * @example
 * ```ts
 * await httpConnectFail(client, "refused", "connect 127.0.0.1:9: connection refused");
 * ```
 */
export async function httpConnectFail(
  conn: PartialWriter,
  failure: TargetFailure,
  detail: string,
): Promise<string> {
  const status = httpStatusFor(failure);
  await respond(conn, status, [], `${detail}\n`);
  return `${status} ${REASONS[status]}`;
}

/** Writes a complete response that ends the exchange (`Connection: close`). */
function respond(
  conn: PartialWriter,
  status: number,
  headers: string[] = [],
  body = "",
): Promise<void> {
  const bytes = new TextEncoder().encode(body);
  const head = [
    `HTTP/1.1 ${status} ${REASONS[status]}`,
    ...headers,
    ...(body ? ["Content-Type: text/plain; charset=utf-8"] : []),
    `Content-Length: ${bytes.length}`,
    "Connection: close",
  ];
  return writeAll(conn, new TextEncoder().encode(`${head.join("\r\n")}\r\n\r\n${body}`));
}

/** A piece of what the client sent, safe and short enough for a `-v` line. */
function shown(text: string): string {
  return escapeText(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}
