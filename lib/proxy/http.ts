/**
 * The HTTP `CONNECT` tunnel handshake (RFC 9110 §9.3.6), with Basic proxy
 * authentication.
 *
 * @module
 */

import { formatHostPort } from "../net/address.ts";
import { ProxyFailure } from "./failure.ts";
import { readHttpHead } from "../io/read_exact.ts";
import { writeAll } from "../io/sink.ts";

/**
 * Asks the HTTP proxy at the other end of `conn` for a tunnel to
 * `host:port`. Reads the reply head byte by byte up to its blank line (CRLF
 * or bare LF line endings, as ncat accepts), so the next byte read from
 * `conn` is the target's.
 *
 * @throws {ProxyFailure} the proxy answered other than 2xx, in words
 * @example
 * ```ts
 * await httpConnectHandshake(conn, { host: "example.com", port: 443 }, { user: "u", pass: "p" });
 * ```
 */
export async function httpConnectHandshake(
  conn: Deno.Conn,
  target: { host: string; port: number },
  auth?: { user: string; pass: string },
): Promise<void> {
  const authority = formatHostPort(target.host, target.port);
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
  if (auth) lines.push(`Proxy-Authorization: Basic ${basicCredentials(auth.user, auth.pass)}`);
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
  const statusLine = head.slice(0, head.indexOf("\n")).replace(/\r$/, "");
  const m = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) {
    throw new ProxyFailure(`not an HTTP proxy (it answered '${printable(statusLine)}')`, "proxy");
  }
  const status = Number(m[1]);
  if (status >= 200 && status < 300) return;
  const answer = `${status}${m[2] ? ` ${printable(m[2])}` : ""}`;
  if (status === 407) {
    throw new ProxyFailure(
      auth
        ? `authentication refused (${answer})`
        : `requires authentication (${answer}; use --proxy-auth USER:PASS)`,
      "proxy",
    );
  }
  throw new ProxyFailure(`the proxy answered ${answer}`, "target");
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
  const bytes = new TextEncoder().encode(`${user}:${pass}`);
  return btoa(String.fromCharCode(...bytes));
}

/** Keeps a proxy's words safe to print on one line. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 200);
}
