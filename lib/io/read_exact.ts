/**
 * Reads exactly as many bytes as a handshake asks for, never more: the bytes
 * after a proxy's reply belong to the session and must stay unread in the
 * connection.
 *
 * @module
 */

/** Something with Deno's `read(p)`. */
export interface Reader {
  /** Reads into `p`; resolves with the count, or `null` at end of data. */
  read(p: Uint8Array): Promise<number | null>;
}

/**
 * Reads exactly `n` bytes.
 *
 * @throws {Deno.errors.UnexpectedEof} when the data ends first
 * @example
 * ```ts
 * const [version, status] = await readExact(conn, 2);
 * ```
 */
export async function readExact(r: Reader, n: number): Promise<Uint8Array> {
  const buf = new Uint8Array(n);
  let off = 0;
  while (off < n) {
    const got = await r.read(buf.subarray(off));
    if (got === null) throw new Deno.errors.UnexpectedEof(`data ended after ${off} of ${n} bytes`);
    off += got;
  }
  return buf;
}

/**
 * Reads up to and including the blank line that ends an HTTP head, one byte
 * at a time so nothing after it is consumed. A line may end in CRLF or, as
 * RFC 9112 §2.2 lets a recipient accept, in a bare LF (some proxies answer
 * `HTTP/1.1 200 OK\n\n`); the head ends at an LF that follows an LF, with
 * at most a CR between them.
 *
 * @throws {Deno.errors.UnexpectedEof} when the data ends first
 * @throws {RangeError} when no blank line comes within `limit` bytes
 * @example
 * ```ts
 * const head = new TextDecoder().decode(await readHttpHead(conn));
 * ```
 */
export async function readHttpHead(r: Reader, limit = 16 * 1024): Promise<Uint8Array> {
  const CR = 13, LF = 10;
  const buf = new Uint8Array(limit);
  const one = new Uint8Array(1);
  for (let len = 0; len < limit;) {
    const got = await r.read(one);
    if (got === null) throw new Deno.errors.UnexpectedEof(`data ended after ${len} bytes`);
    if (got === 0) continue;
    buf[len++] = one[0];
    if (one[0] !== LF || len < 2) continue;
    if (buf[len - 2] === LF || (len >= 3 && buf[len - 2] === CR && buf[len - 3] === LF)) {
      return buf.slice(0, len);
    }
  }
  throw new RangeError(`no end of header within ${limit} bytes`);
}
