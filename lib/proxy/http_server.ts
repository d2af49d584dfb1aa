/**
 * The HTTP `CONNECT` proxy server handshake (RFC 9110 §9.3.6), with proxy
 * authentication when the server requires it: Basic (RFC 7617) or Digest
 * (RFC 7616, MD5 with `qop=auth`, as ncat's proxy offers; nonces are this
 * process's HMAC of the time, good for five minutes). The client side is
 * `http.ts`.
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
import { parseHttpHead } from "./http_head.ts";
import { digestResponse, parseChallenges } from "./http_auth.ts";
import { createHmac, randomBytes } from "node:crypto";
import { ProxyRequestRefused, sameCredentials } from "./request_refused.ts";
import { httpStatusFor, type TargetFailure } from "./target_failure.ts";

/** Options for {@linkcode httpConnectAccept}. */
export interface HttpProxyServerOptions {
  /** The user name and password every client must give (Basic). */
  auth?: { user: string; pass: string };
  /** The longest request head read, in bytes (default 16 KiB). */
  headLimit?: number;
  /** The clock Digest nonces are made and checked with (tests). */
  now?: () => number;
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
 * credentials with Basic and Digest challenges, 413 too long) before the
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
  const { startLine, get } = parseHttpHead(head);
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/\d\.\d$/.exec(startLine);
  if (!m) {
    await respond(conn, 400);
    throw new ProxyRequestRefused(`bad request line '${shown(startLine)}'`);
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
    const now = (opts.now ?? Date.now)();
    const check = credentialsProblem(get("proxy-authorization"), opts.auth, target, now);
    if (check !== undefined) {
      await respond(conn, 407, [
        `Proxy-Authenticate: Basic realm="${PROXY_REALM}"`,
        `Proxy-Authenticate: ${digestChallenge(check.stale, now)}`,
      ]);
      throw new ProxyRequestRefused(check.why);
    }
  }
  return request;
}

/**
 * Why the request's credentials do not let it through (and whether a
 * Digest nonce was merely out of date), or `undefined` when they do: Basic,
 * or Digest answering a nonce this process issued, for this request's URI.
 */
function credentialsProblem(
  given: readonly string[],
  expected: { user: string; pass: string },
  uri: string,
  now: number,
): { why: string; stale: boolean } | undefined {
  if (given.length === 0) {
    return { why: "authentication required: the client sent no credentials", stale: false };
  }
  let user: string | undefined;
  let stale = false;
  for (const value of given) {
    const creds: { user: string; pass: string; stale?: boolean } | undefined =
      /^digest\s/i.test(value)
        ? digestCredentials(value, expected, uri, now)
        : basicCredentials(value);
    if (creds === undefined) continue;
    if (creds.stale) {
      stale = true;
      continue;
    }
    if (sameCredentials(creds, expected)) return undefined;
    user ??= creds.user;
  }
  if (stale) return { why: "authentication refused: the Digest nonce is out of date", stale };
  return {
    why: user === undefined
      ? "authentication refused: the client sent no credentials socktool can read"
      : `authentication refused (user '${escapeText(user)}', wrong name or password)`,
    stale,
  };
}

/** The user name and password of a Basic value; `undefined` when it is not one. */
function basicCredentials(value: string): { user: string; pass: string } | undefined {
  const m = /^basic\s+(\S+)$/i.exec(value);
  const decoded = m ? decodeBasic(m[1]) : undefined;
  if (decoded === undefined) return undefined;
  const i = decoded.indexOf(":");
  return i < 0
    ? { user: decoded, pass: "" }
    : { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
}

/**
 * Checks a Digest value against the expected password: every field there,
 * our realm, a nonce this process issued and still fresh, this request's URI,
 * and the right response. Resolves to the credentials to compare (the
 * expected password when the response is right, an empty one when not), or
 * `stale` for an old nonce, or `undefined` when the value is not usable.
 */
function digestCredentials(
  value: string,
  expected: { user: string; pass: string },
  uri: string,
  now: number,
): { user: string; pass: string; stale?: boolean } | undefined {
  const [challenge] = parseChallenges([value]);
  const p = challenge?.params ?? {};
  const { username, realm, nonce, response } = p;
  if (
    username === undefined || realm === undefined || nonce === undefined ||
    response === undefined || p.uri === undefined
  ) {
    return undefined;
  }
  if (realm !== PROXY_REALM || p.uri !== uri) return undefined;
  if (p.qop !== undefined && (p.qop !== "auth" || !p.nc || !p.cnonce)) return undefined;
  const freshness = nonceFreshness(nonce, now);
  if (freshness === "forged") return undefined;
  if (freshness === "stale") return { user: username, pass: "", stale: true };
  let right: string;
  try {
    right = digestResponse({
      algorithm: p.algorithm ?? "MD5",
      user: expected.user,
      pass: expected.pass,
      realm,
      nonce,
      method: "CONNECT",
      uri,
      qop: p.qop,
      nc: p.nc,
      cnonce: p.cnonce,
    });
  } catch {
    return undefined; // an algorithm we did not offer
  }
  const ok = sameCredentials({ user: "", pass: response.toLowerCase() }, { user: "", pass: right });
  return { user: username, pass: ok ? expected.pass : "" };
}

/** How long a Digest nonce is good for. */
const NONCE_LIFETIME_MS = 5 * 60 * 1000;
let nonceKey: Uint8Array | undefined;

/** The Digest challenge: a nonce made of the time and this process's HMAC of it. */
function digestChallenge(stale: boolean, now: number): string {
  const nonce = makeNonce(now);
  return `Digest realm="${PROXY_REALM}", nonce="${nonce}", qop="auth"${
    stale ? ", stale=true" : ""
  }`;
}

function makeNonce(time: number): string {
  nonceKey ??= randomBytes(32);
  const mac = createHmac("sha256", nonceKey).update(String(time)).digest("hex");
  return `${time}.${mac}`;
}

/** A nonce this process issued, and whether it is still fresh. */
function nonceFreshness(nonce: string, now: number): "fresh" | "stale" | "forged" {
  const m = /^(\d{1,15})\.[0-9a-f]{64}$/.exec(nonce);
  if (!m || !sameCredentials({ user: "", pass: nonce }, { user: "", pass: makeNonce(+m[1]) })) {
    return "forged";
  }
  const age = now - Number(m[1]);
  return age >= 0 && age <= NONCE_LIFETIME_MS ? "fresh" : "stale";
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
