/**
 * Watches the server's side of a TLS handshake as it passes, to learn one
 * fact the TLS library does not tell: whether the server asked for a client
 * certificate. In TLS 1.2 that request travels in the clear; when the
 * handshake then fails with an alert and we sent no certificate, the reason
 * can be named ("the server requires a client certificate") instead of a
 * bare "handshake failure". (TLS 1.3 encrypts the request, but names the
 * refusal itself with a `certificate required` alert.)
 *
 * Only record and handshake message headers are read, in constant memory;
 * the watch stops at the first record that is not a handshake record (from
 * there on the handshake is encrypted) or after 256 KiB.
 *
 * @module
 */

const HANDSHAKE = 22;
const ALERT = 21;
const CERTIFICATE_REQUEST = 13;
const SERVER_HELLO_DONE = 14;
const LIMIT = 256 * 1024;

/**
 * A streaming reader of TLS records from the server.
 *
 * @example
 * ```ts
 * const watch = new HandshakeWatch();
 * watch.feed(bytesFromServer);
 * if (watch.certificateRequested) ...
 * ```
 */
export class HandshakeWatch {
  /** The server sent a CertificateRequest in the clear (TLS 1.2 and older). */
  certificateRequested = false;
  #done = false;
  #seen = 0;
  /** Record header bytes gathered so far, and the record being read. */
  #recordHeader: number[] = [];
  #recordType = 0;
  #recordLeft = 0;
  /** Handshake message header bytes gathered so far, and the body left to skip. */
  #messageHeader: number[] = [];
  #messageLeft = 0;

  /** Reads the next bytes the server sent. */
  feed(chunk: Uint8Array): void {
    if (this.#done) return;
    this.#seen += chunk.length;
    let i = 0;
    while (!this.#done && i < chunk.length) {
      if (this.#recordLeft === 0) {
        this.#recordHeader.push(chunk[i++]);
        if (this.#recordHeader.length < 5) continue;
        const [type, , , hi, lo] = this.#recordHeader;
        this.#recordHeader = [];
        this.#recordType = type;
        this.#recordLeft = (hi << 8) | lo;
        if (type !== HANDSHAKE && type !== ALERT) return this.#stop();
        continue;
      }
      const take = Math.min(this.#recordLeft, chunk.length - i);
      if (this.#recordType === HANDSHAKE) this.#handshakeBytes(chunk.subarray(i, i + take));
      this.#recordLeft -= take;
      i += take;
    }
    if (this.#seen > LIMIT) this.#stop();
  }

  #handshakeBytes(bytes: Uint8Array): void {
    let i = 0;
    while (!this.#done && i < bytes.length) {
      if (this.#messageLeft > 0) {
        const skip = Math.min(this.#messageLeft, bytes.length - i);
        this.#messageLeft -= skip;
        i += skip;
        continue;
      }
      this.#messageHeader.push(bytes[i++]);
      if (this.#messageHeader.length < 4) continue;
      const [type, a, b, c] = this.#messageHeader;
      this.#messageHeader = [];
      this.#messageLeft = (a << 16) | (b << 8) | c;
      if (type === CERTIFICATE_REQUEST) this.certificateRequested = true;
      // The end of the server's first flight: nothing more to learn.
      if (type === SERVER_HELLO_DONE) this.#stop();
    }
  }

  #stop(): void {
    this.#done = true;
    this.#recordHeader = [];
    this.#messageHeader = [];
  }
}

/**
 * `conn`, with every byte read from it shown to `watch` first.
 *
 * @example
 * ```ts
 * const socket = tls.connect({ socket: connToDuplex(watchedConn(conn, watch)) });
 * ```
 */
export function watchedConn(conn: Deno.Conn, watch: HandshakeWatch): Deno.Conn {
  return new WatchedConn(conn, watch);
}

class WatchedConn implements Deno.Conn {
  readonly #conn: Deno.Conn;
  readonly #watch: HandshakeWatch;

  constructor(conn: Deno.Conn, watch: HandshakeWatch) {
    this.#conn = conn;
    this.#watch = watch;
  }

  get localAddr(): Deno.Addr {
    return this.#conn.localAddr;
  }

  get remoteAddr(): Deno.Addr {
    return this.#conn.remoteAddr;
  }

  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return this.#conn.readable;
  }

  get writable(): WritableStream<Uint8Array<ArrayBufferLike>> {
    return this.#conn.writable;
  }

  async read(p: Uint8Array): Promise<number | null> {
    const n = await this.#conn.read(p);
    if (n !== null) this.#watch.feed(p.subarray(0, n));
    return n;
  }

  write(p: Uint8Array): Promise<number> {
    return this.#conn.write(p);
  }

  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }

  close(): void {
    this.#conn.close();
  }

  ref(): void {
    this.#conn.ref();
  }

  unref(): void {
    this.#conn.unref();
  }

  [Symbol.dispose](): void {
    this.#conn.close();
  }
}
