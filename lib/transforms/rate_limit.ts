/**
 * `-L, --rate-limit RATE`: paces one direction of a session to RATE bytes
 * per second, with a token bucket that holds at most one second's worth, so
 * that no burst exceeds a second's worth of data even after a pause.
 *
 * The bucket starts empty: the very first second is paced too, and a
 * transfer of N bytes takes N / RATE seconds from its first byte. Chunks are
 * passed on in slices of at most {@linkcode SLICE_MS} ms worth (stream
 * sockets), so the flow is smooth rather than a second's burst and a second's
 * silence; a datagram is never split (its bytes are paid for, and a big one
 * leaves the bucket in debt until it refills).
 *
 * @module
 */

import type { Sink, Stage } from "../io/sink.ts";
import { delay as sleep } from "../io/delay.ts";

/** A slice of a chunk is at most this many milliseconds' worth of bytes. */
export const SLICE_MS = 50;

/** A token bucket: `rate` tokens (bytes) a second, at most `capacity` saved up. */
export class TokenBucket {
  #perMs: number;
  #capacity: number;
  #tokens: number;
  #at: number;
  #now: () => number;

  /**
   * Makes a bucket.
   *
   * @param rate tokens added per second (more than 0)
   * @param options `capacity`: the most saved up, `rate` (one second's worth)
   *   by default; `tokens`: how many it starts with, 0 by default; `now`: a
   *   millisecond clock, `performance.now` unless a test fakes it
   * @throws {RangeError} for a rate or capacity that is not a positive number
   */
  constructor(
    rate: number,
    options: { capacity?: number; tokens?: number; now?: () => number } = {},
  ) {
    const capacity = options.capacity ?? rate;
    if (!(rate > 0) || !Number.isFinite(rate)) {
      throw new RangeError(`TokenBucket needs a rate above 0: received ${rate}`);
    }
    if (!(capacity > 0)) {
      throw new RangeError(`TokenBucket needs a capacity above 0: received ${capacity}`);
    }
    this.#perMs = rate / 1000;
    this.#capacity = capacity;
    this.#now = options.now ?? (() => performance.now());
    this.#at = this.#now();
    this.#tokens = Math.min(options.tokens ?? 0, capacity);
  }

  /** The most tokens the bucket holds. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Tokens there now (negative while in debt). */
  available(): number {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#at) * this.#perMs);
    this.#at = now;
    return this.#tokens;
  }

  /**
   * Milliseconds until `n` tokens are there (0: now). `n` above the capacity
   * is waited for as the capacity: a bucket never holds more.
   */
  waitMs(n: number): number {
    const missing = Math.min(n, this.#capacity) - this.available();
    return missing <= 0 ? 0 : missing / this.#perMs;
  }

  /** Takes `n` tokens; the bucket may go into debt, paid back as it refills. */
  take(n: number): void {
    this.available();
    this.#tokens -= n;
  }
}

/** Options of {@linkcode rateLimitStage}. */
export interface RateLimitOptions {
  /** Bytes per second. */
  bytesPerSecond: number;
  /** Each write is a datagram: pace it whole, never split it. */
  datagrams?: boolean;
  /** Ends a pending wait: the write rejects with the signal's reason. */
  signal?: AbortSignal;
  /** A millisecond clock, for tests. */
  now?: () => number;
  /** Waits `ms` (tests may fake time); a timer by default. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Paces what it passes on; nothing is copied (slices are views of the lent chunk). */
class RateLimitSink implements Sink {
  #next: Sink;
  #bucket: TokenBucket;
  #slice: number;
  #o: RateLimitOptions;
  #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(next: Sink, o: RateLimitOptions) {
    this.#next = next;
    this.#o = o;
    this.#bucket = new TokenBucket(o.bytesPerSecond, { now: o.now });
    this.#slice = Math.max(1, Math.floor(o.bytesPerSecond * SLICE_MS / 1000));
    this.#sleep = o.sleep ?? sleep;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return this.#next.write(chunk);
    if (this.#o.datagrams) {
      await this.#turn(chunk.length);
      return this.#next.write(chunk);
    }
    for (let from = 0; from < chunk.length;) {
      const n = Math.min(chunk.length - from, this.#slice);
      await this.#turn(n);
      await this.#next.write(n === chunk.length ? chunk : chunk.subarray(from, from + n));
      from += n;
    }
  }

  close(): Promise<void> {
    return this.#next.close();
  }

  /** Waits until `n` bytes may go, and pays for them. */
  async #turn(n: number): Promise<void> {
    for (let wait = this.#bucket.waitMs(n); wait > 0; wait = this.#bucket.waitMs(n)) {
      // Whole milliseconds: a timer cannot wait less, and a shorter one would spin.
      await this.#sleep(Math.ceil(wait), this.#o.signal);
    }
    if (this.#o.signal?.aborted) throw this.#o.signal.reason;
    this.#bucket.take(n);
  }
}

/**
 * The `-L` stage for one direction.
 *
 * @example
 * ```ts
 * import { rateLimitStage, stageStream } from "@socktool/socktool";
 *
 * const started = performance.now();
 * const paced = new Response(new Uint8Array(3000)).body!
 *   .pipeThrough(stageStream(rateLimitStage({ bytesPerSecond: 10_000 })));
 * await paced.pipeTo(new WritableStream());
 * console.log(`3000 bytes at 10 kB/s took ${Math.round(performance.now() - started)} ms`); // ~300
 * ```
 */
export function rateLimitStage(options: RateLimitOptions): Stage {
  if (!(options.bytesPerSecond > 0)) {
    throw new RangeError(
      `rateLimitStage needs bytesPerSecond above 0: received ${options.bytesPerSecond}`,
    );
  }
  return (next) => new RateLimitSink(next, options);
}
