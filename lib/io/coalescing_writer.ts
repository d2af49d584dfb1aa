/**
 * A writer that never has more than one write in flight and gathers what
 * arrives meanwhile into one buffer, written as a single call next.
 *
 * Why: each `Deno.stdout.write()` costs a hop to a blocking thread (~40 µs
 * here). A large chunk on an idle writer goes straight out, uncopied. A
 * smaller one (a UDP datagram, a sender's 16 KiB write) is copied into the
 * gather buffer and its caller released at once; what arrives while that is
 * being written gathers behind it and leaves in one call. The
 * buffer is bounded: a writer that cannot keep up slows its callers.
 *
 * A write to a reader that stopped reading may never finish, and the runtime
 * cannot cancel it: {@linkcode CoalescingWriter.abandon} gives up on it, so
 * that nobody waits for it any more (the bytes are dropped; the process may
 * exit with the write still pending).
 *
 * @module
 */

import { type PartialWriter, writeAll } from "./sink.ts";

/** Options for {@linkcode CoalescingWriter}. */
export interface CoalescingWriterOptions {
  /** Bytes gathered at most while a write is in flight (default 1 MiB). */
  capacity?: number;
  /** A chunk this large, on an idle writer, is written uncopied (default 128 KiB). */
  directMin?: number;
  /**
   * Writes what it can of a chunk at once, never waiting, and returns how
   * much (a pipe with room, `pipe.ts`): tried first for a chunk of at least
   * `nowMin` bytes on an idle writer, and for what has gathered once it is
   * that large, so that they need no write in flight at all.
   */
  writeNow?: (p: Uint8Array) => number;
  /** The least that is worth a `writeNow` call (default 16 KiB). */
  nowMin?: number;
}

/**
 * Coalesces writes to `out`.
 *
 * @example
 * ```ts
 * const stdout = new CoalescingWriter(Deno.stdout);
 * await stdout.write(bytes); // resolves once `bytes` may be reused
 * await stdout.flush();      // everything is out
 * ```
 */
export class CoalescingWriter {
  #out: PartialWriter;
  #gather: Uint8Array;
  #spare: Uint8Array;
  #gathered = 0;
  #inflight: Promise<void> | undefined;
  #error: unknown;
  #hasError = false;
  #roomWaiters: (() => void)[] = [];
  #directMin: number;
  #writeNow: ((p: Uint8Array) => number) | undefined;
  #nowMin: number;
  /** Resolves once {@linkcode abandon} is called: every wait races it. */
  #givenUp = Promise.withResolvers<void>();

  constructor(out: PartialWriter, options: CoalescingWriterOptions = {}) {
    const capacity = options.capacity ?? 1024 * 1024;
    if (!(capacity > 0)) throw new RangeError(`capacity must be positive: received ${capacity}`);
    this.#out = out;
    this.#directMin = options.directMin ?? 128 * 1024;
    this.#writeNow = options.writeNow;
    this.#nowMin = options.nowMin ?? 16 * 1024;
    this.#gather = new Uint8Array(capacity);
    this.#spare = new Uint8Array(capacity);
  }

  /**
   * Takes `chunk`; resolves when its buffer may be reused (it was written, or
   * copied into the gather buffer). Rejects once an earlier write failed.
   */
  async write(chunk: Uint8Array): Promise<number> {
    if (this.#hasError) throw this.#error;
    if (chunk.length === 0) return 0;
    let off = 0;
    while (off < chunk.length) {
      if (this.#hasError) throw this.#error;
      const idle = this.#inflight === undefined && this.#gathered === 0;
      if (idle && this.#writeNow && chunk.length - off >= this.#nowMin) {
        // Room now: written on the spot, nothing in flight, nothing to wait for.
        off += this.#writeNow(off === 0 ? chunk : chunk.subarray(off));
        if (off === chunk.length) return chunk.length;
      }
      if (idle && chunk.length - off >= this.#directMin) {
        // Idle and large: write the caller's bytes themselves, no copy.
        const rest = off === 0 ? chunk : chunk.subarray(off);
        await this.#orGivenUp(this.#start(rest, true));
        if (this.#hasError) throw this.#error;
        return chunk.length;
      }
      const room = this.#gather.length - this.#gathered;
      if (room === 0) {
        await new Promise<void>((r) => this.#roomWaiters.push(r));
        continue;
      }
      const n = Math.min(room, chunk.length - off);
      this.#gather.set(chunk.subarray(off, off + n), this.#gathered);
      this.#gathered += n;
      off += n;
      // Copied: the caller goes on at once and the next chunks gather behind.
      this.#drain();
    }
    return chunk.length;
  }

  /** Resolves once everything taken so far is written; rejects if a write failed. */
  async flush(): Promise<void> {
    while (this.#inflight !== undefined || this.#gathered > 0) {
      if (this.#hasError) break;
      if (this.#inflight) await this.#orGivenUp(this.#inflight.catch(() => {}));
      else this.#drain();
    }
    if (this.#hasError) throw this.#error;
  }

  /**
   * Gives up: what is gathered is dropped, a write still in flight is no
   * longer waited for, and every pending and later `write` or `flush`
   * rejects with `reason`. Abandoning twice keeps the first reason; a writer
   * that already failed keeps its error.
   */
  abandon(reason: unknown): void {
    if (!this.#hasError) {
      this.#hasError = true;
      this.#error = reason;
    }
    this.#gathered = 0;
    this.#givenUp.resolve();
    for (const w of this.#roomWaiters.splice(0)) w();
  }

  /** `p`, or nothing once abandoned (the caller then checks the error). */
  #orGivenUp(p: Promise<void>): Promise<void> {
    return Promise.race([p, this.#givenUp.promise]);
  }

  /** Writes `bytes`; when done, sends whatever was gathered meanwhile. */
  #start(bytes: Uint8Array, direct: boolean): Promise<void> {
    const write = writeAll(this.#out, bytes).then(
      () => {
        this.#inflight = undefined;
        this.#drain();
      },
      (err) => {
        this.#inflight = undefined;
        if (!this.#hasError) {
          this.#hasError = true;
          this.#error = err;
        }
        for (const w of this.#roomWaiters.splice(0)) w();
        if (direct) throw err;
      },
    );
    this.#inflight = write.catch(() => {});
    return direct ? write : this.#inflight;
  }

  #drain(): void {
    if (this.#inflight !== undefined || this.#gathered === 0 || this.#hasError) return;
    if (this.#writeNow && this.#gathered >= this.#nowMin) {
      const n = this.#writeNow(this.#gather.subarray(0, this.#gathered));
      if (n > 0) {
        this.#gather.copyWithin(0, n, this.#gathered);
        this.#gathered -= n;
        for (const w of this.#roomWaiters.splice(0)) w();
        if (this.#gathered === 0) return;
      }
    }
    const bytes = this.#gather.subarray(0, this.#gathered);
    // Swap buffers: the one being written stays untouched until its write ends.
    [this.#gather, this.#spare] = [this.#spare, this.#gather];
    this.#gathered = 0;
    this.#start(bytes, false);
    for (const w of this.#roomWaiters.splice(0)) w();
  }
}
