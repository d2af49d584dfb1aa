/**
 * Presents a Node.js stream (a `node:tls` `TLSSocket`) as a `Deno.Conn`, so
 * that the relay and every mode handle a TLS session exactly like a TCP
 * connection: `read`, `write`, `closeWrite`, `close`.
 *
 * @module
 */

import type { Duplex } from "node:stream";
import type { ReadGate } from "./conn_duplex.ts";
import { readableFrom } from "../io/sink.ts";

/** Received bytes held before the socket is paused: backpressure. */
const HIGH_WATER = 256 * 1024;

/**
 * A `Deno.Conn` over a Node.js duplex stream. `read` resolves `null` at the
 * peer's end of data; `closeWrite` ends our side (for TLS: sends
 * `close_notify`, then half-closes the transport); `close` destroys the
 * stream, and pending reads reject as they do on a Deno connection.
 *
 * @example
 * ```ts
 * const conn = new SocketConn(tlsSocket, tcp.localAddr, tcp.remoteAddr);
 * await conn.write(new TextEncoder().encode("hello\n"));
 * ```
 */
export class SocketConn implements Deno.Conn<Deno.NetAddr> {
  /** The local address of the transport below. */
  readonly localAddr: Deno.NetAddr;
  /** The remote address of the transport below. */
  readonly remoteAddr: Deno.NetAddr;
  #socket: Duplex;
  /** With a gate, backpressure holds the raw reads below instead of pausing `socket`. */
  #gate: ReadGate | undefined;
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #closed = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  #readable: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;

  /**
   * @param socket a stream already connected (the TLS handshake done)
   * @param localAddr reported as `localAddr`
   * @param remoteAddr reported as `remoteAddr`
   * @param describe turns the stream's errors into the ones `read`/`write` throw
   */
  constructor(
    socket: Duplex,
    localAddr: Deno.Addr,
    remoteAddr: Deno.Addr,
    describe: (err: Error) => Error = (err) => err,
    gate?: ReadGate,
  ) {
    this.#gate = gate;
    this.#socket = socket;
    this.localAddr = localAddr as Deno.NetAddr;
    this.remoteAddr = remoteAddr as Deno.NetAddr;
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#queued += chunk.length;
      if (this.#queued >= HIGH_WATER) {
        if (this.#gate) this.#gate.close();
        else socket.pause();
      }
      this.#notify();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("error", (err: Error) => {
      this.#error ??= describe(err);
      this.#notify();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#notify();
    });
  }

  /** Reads into `p`; resolves with the count, or `null` at end of data. */
  async read(p: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#closed) throw new Deno.errors.BadResource("the connection is closed");
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    let n = 0;
    while (n < p.length && this.#chunks.length > 0) {
      const head = this.#chunks[0];
      const take = Math.min(head.length, p.length - n);
      p.set(head.subarray(0, take), n);
      n += take;
      if (take === head.length) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(take);
    }
    this.#queued -= n;
    if (this.#queued < HIGH_WATER / 2) {
      if (this.#gate) this.#gate.open();
      else if (this.#socket.isPaused()) this.#socket.resume();
    }
    return n;
  }

  /** Writes all of `p` (a copy: the caller may reuse `p` at once). */
  async write(p: Uint8Array): Promise<number> {
    this.#check();
    if (!this.#socket.write(p.slice())) await this.#event("drain");
    this.#check();
    return p.length;
  }

  /** Ends our side of the stream; reads go on. */
  async closeWrite(): Promise<void> {
    if (this.#closed) throw new Deno.errors.BadResource("the connection is closed");
    if (this.#error) throw this.#error;
    // A peer that hung up cleanly leaves nothing to shut down: like shutdown(2), succeed.
    if (this.#socket.writableFinished || this.#socket.destroyed) return;
    const finished = this.#event("finish");
    if (!this.#socket.writableEnded) this.#socket.end();
    await finished;
  }

  /** Closes both directions; pending reads reject. Closing twice does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    this.#notify();
  }

  /** Keeping the process alive is left to the transport below. */
  ref(): void {}

  /** Keeping the process alive is left to the transport below. */
  unref(): void {}

  /** Closes the connection. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The received bytes as a stream (made on first use). */
  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return this.#readable ??= readableFrom(this, () => this[Symbol.dispose]());
  }

  /** A stream for sending bytes (made on first use); closing it closes the connection. */
  get writable(): WritableStream<Uint8Array> {
    return this.#writable ??= new WritableStream({
      write: async (chunk) => void await this.write(chunk),
      close: () => this[Symbol.dispose](),
      abort: () => this[Symbol.dispose](),
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #check(): void {
    if (this.#closed) throw new Deno.errors.BadResource("the connection is closed");
    if (this.#error) throw this.#error;
    if (this.#socket.destroyed) throw new Deno.errors.BrokenPipe("the connection is closed");
  }

  /** Waits for `name`, failing if the stream errors or closes first. */
  #event(name: "drain" | "finish"): Promise<void> {
    const socket = this.#socket;
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        socket.off(name, onEvent);
        socket.off("error", onError);
        socket.off("close", onClose);
        if (err) reject(err);
        else resolve();
      };
      const onEvent = () => done();
      const onError = () => done(this.#error);
      const onClose = () =>
        done(this.#error ?? new Deno.errors.BrokenPipe("the connection is closed"));
      socket.on(name, onEvent);
      socket.on("error", onError);
      socket.on("close", onClose);
    });
  }
}
