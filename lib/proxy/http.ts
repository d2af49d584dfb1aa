/**
 * The HTTP `CONNECT` tunnel handshake (RFC 9110 §9.3.6), with proxy
 * authentication answered when the proxy asks (407): Digest or Basic.
 *
 * @module
 */

import { formatHostPort } from "../net/address.ts";
import { ProxyFailure } from "./failure.ts";
import { readHttpHead } from "../io/read_exact.ts";
import { writeAll } from "../io/sink.ts";
import { basicToken, chooseChallenge, credentialsFor, parseChallenges } from "./http_auth.ts";
import { parseHttpHead } from "./http_head.ts";

/** Options for {@linkcode httpConnectHandshake}. */
export interface HttpConnectOptions {
  /**
   * Opens a fresh connection to the proxy, for the second request after a
   * 407 (a proxy may close the first, as ncat's does). Without it, a 407 is
   * final.
   */
  reconnect?: () => Promise<Deno.Conn>;
}

/**
 * Asks the HTTP proxy at the other end of `conn` for a tunnel to
 * `host:port`. The first request carries no credentials (a password is
 * never sent before the proxy says how it wants it); if the proxy answers
 * 407 and `auth` is given, a second request on a fresh connection answers
 * its challenge: Digest when offered (as ncat does), else Basic. Reads each
 * reply head byte by byte up to its blank line (CRLF or bare LF line
 * endings, as ncat accepts), so the next byte read from the returned
 * connection is the target's.
 *
 * @returns the connection the tunnel is on: `conn`, or the one `reconnect`
 *   opened (then `conn` has been closed)
 * @throws {ProxyFailure} the proxy answered other than 2xx, in words
 * @example
 * ```ts
 * const tunnel = await httpConnectHandshake(conn, { host: "example.com", port: 443 }, { user: "u", pass: "p" }, {
 *   reconnect: () => Deno.connect({ hostname: "proxy.example", port: 3128 }),
 * });
 * ```
 */
export async function httpConnectHandshake(
  conn: Deno.Conn,
  target: { host: string; port: number },
  auth?: { user: string; pass: string },
  opts: HttpConnectOptions = {},
): Promise<Deno.Conn> {
  const authority = formatHostPort(target.host, target.port);
  const first = await exchange(conn, authority);
  if (first.status >= 200 && first.status < 300) return conn;
  if (first.status !== 407 || !auth || !opts.reconnect) throw refusal(first, auth);
  const challenge = chooseChallenge(parseChallenges(first.fields("proxy-authenticate")));
  if (challenge === undefined) {
    const offered = parseChallenges(first.fields("proxy-authenticate")).map((c) => c.scheme);
    throw new ProxyFailure(
      offered.length === 0
        ? `requires authentication but offers no way (${first.answer}, no Proxy-Authenticate)`
        : `requires authentication socktool cannot give (${printable(offered.join(", "))})`,
      "proxy",
    );
  }
  conn.close();
  const second = await opts.reconnect();
  try {
    const credentials = credentialsFor(challenge, auth, { method: "CONNECT", uri: authority });
    const reply = await exchange(second, authority, credentials);
    if (reply.status >= 200 && reply.status < 300) return second;
    throw refusal(reply, auth, challenge.scheme);
  } catch (err) {
    second.close();
    throw err;
  }
}

/** A proxy's reply head, read. */
interface Reply {
  status: number;
  /** `407 Proxy Authentication Required`, printable. */
  answer: string;
  /** The values of every field of this name (lower case). */
  fields(name: string): string[];
}

/** Sends one CONNECT request and reads the reply head. */
async function exchange(conn: Deno.Conn, authority: string, credentials?: string): Promise<Reply> {
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
  if (credentials) lines.push(`Proxy-Authorization: ${credentials}`);
  await writeAll(conn, new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));

  let head: string;
  try {
    head = new TextDecoder().decode(await readHttpHead(conn));
  } catch (err) {
    if (err instanceof RangeError) {
      throw new ProxyFailure("not an HTTP proxy (no reply header)", "proxy");
    }
    throw err;
  }
  // The status line ends in CRLF, or in a bare LF from a lenient proxy.
  const { startLine, get } = parseHttpHead(head);
  const m = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(startLine);
  if (!m) {
    throw new ProxyFailure(`not an HTTP proxy (it answered '${printable(startLine)}')`, "proxy");
  }
  const status = Number(m[1]);
  return { status, answer: `${status}${m[2] ? ` ${printable(m[2])}` : ""}`, fields: get };
}

/** The failure for a reply other than 2xx. */
function refusal(reply: Reply, auth?: unknown, scheme?: string): ProxyFailure {
  if (reply.status === 407) {
    return new ProxyFailure(
      auth
        ? `authentication refused (${reply.answer}${
          scheme ? `, ${printable(scheme)} credentials` : ""
        })`
        : `requires authentication (${reply.answer}; use --proxy-auth USER:PASS)`,
      "proxy",
    );
  }
  return new ProxyFailure(`the proxy answered ${reply.answer}`, "target");
}

/**
 * The Basic credentials token: base64 of the UTF-8 `user:pass`.
 *
 * @example
 * ```ts
 * basicCredentials("Aladdin", "open sesame"); // "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
 * ```
 */
export function basicCredentials(user: string, pass: string): string {
  return basicToken(user, pass);
}

/** Keeps a proxy's words safe to print on one line. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 200);
}
