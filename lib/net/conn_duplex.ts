/**
 * Presents a `Deno.Conn` as a Node.js `Duplex`, so that `node:tls` can run
 * over any connection we already hold: a plain TCP connection, one that has
 * just finished a proxy handshake, or an accepted client.
 *
 * `node:tls` is used instead of `Deno.startTls` because only it can turn
 * verification off, present a client certificate over an existing
 * connection, run the server side over an accepted connection, and report
 * the protocol version and the peer certificate.
 *
 * @module
 */

import { Duplex } from "node:stream";
import { writeAll } from "../io/sink.ts";

/** 64 KiB: one TLS record is at most 16 KiB, so a read takes several. */
const READ_SIZE = 64 * 1024;

/**
 * Lets a consumer above TLS stop and restart the reads of the raw connection
 * below it. Backpressure belongs there: a TLSSocket that is itself paused
 * can lose its 'end' in Deno (the peer's half-close is never seen), so the
 * TLSSocket is kept flowing and the raw reads are held instead.
 */
export class ReadGate {
  #open = true;
  #waiters: (() => void)[] = [];

  /** Resolves at once when open, else when {@linkcode ReadGate.open} is called. */
  wait(): Promise<void> {
    return this.#open ? Promise.resolve() : new Promise((r) => this.#waiters.push(r));
  }

  /** Lets reads go on. */
  open(): void {
    this.#open = true;
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Holds the next read until opened. */
  close(): void {
    this.#open = false;
  }
}

/**
 * Wraps `conn` in a `Duplex`: reading it reads the connection, writing it
 * writes the connection, ending it half-closes the connection
 * (`closeWrite()`), destroying it closes the connection.
 *
 * @example
 * ```ts
 * const socket = tls.connect({ socket: connToDuplex(conn), servername: "example.com" });
 * ```
 */
export function connToDuplex(conn: Deno.Conn, gate?: ReadGate): Duplex {
  return new Duplex({
    // The peer's end of data must not end our writing: TLS half-close.
    allowHalfOpen: true,
    async read() {
      const buf = new Uint8Array(READ_SIZE);
      try {
        await gate?.wait();
        const n = await conn.read(buf);
        this.push(n === null ? null : buf.subarray(0, n));
      } catch (err) {
        this.destroy(err as Error);
      }
    },
    write(chunk: Uint8Array, _encoding, callback) {
      writeAll(conn, chunk).then(() => callback(), callback);
    },
    final(callback) {
      conn.closeWrite().then(() => callback(), (err: Error) => {
        // The peer may be gone already; the write side is closed either way.
        callback(err.name === "NotConnected" ? null : err);
      });
    },
    destroy(err, callback) {
      try {
        conn.close();
      } catch {
        // Already closed: nothing left to free.
      }
      callback(err);
    },
  });
}
