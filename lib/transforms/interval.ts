/**
 * `-i SECS`: a delay between lines sent, or between datagrams.
 *
 * @module
 */

import type { Sink, Stage } from "../io/sink.ts";
import { delay } from "../io/delay.ts";

const LF = 0x0a;

/** Options of {@linkcode intervalStage}. */
export interface IntervalOptions {
  /** The least time between the end of one line (or datagram) and the next. */
  intervalMs: number;
  /** Pace whole writes (one datagram each) instead of lines. */
  datagrams?: boolean;
  /** Ends a pending delay: the write rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Splits chunks at line ends (stream mode) and holds each line back until
 * `intervalMs` after the previous one was sent. The first line, and a line
 * that comes late anyway, go at once; there is no delay before close.
 * Lines are sub-arrays of the lent chunk: nothing is copied.
 */
class IntervalSink implements Sink {
  #next: Sink;
  #options: IntervalOptions;
  /** When the last line (or datagram) was handed on; -Infinity before any. */
  #lastAt = -Infinity;
  /** Whether the next byte starts a new line, so must wait its turn. */
  #lineDone = true;

  constructor(next: Sink, options: IntervalOptions) {
    this.#next = next;
    this.#options = options;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#options.datagrams) {
      await this.#waitTurn();
      await this.#next.write(chunk);
      this.#lastAt = performance.now();
      return;
    }
    if (chunk.length === 0) return this.#next.write(chunk);
    for (let from = 0; from < chunk.length;) {
      if (this.#lineDone) await this.#waitTurn();
      const lf = chunk.indexOf(LF, from);
      const end = lf === -1 ? chunk.length : lf + 1;
      await this.#next.write(end - from === chunk.length ? chunk : chunk.subarray(from, end));
      this.#lineDone = lf !== -1;
      if (this.#lineDone) this.#lastAt = performance.now();
      from = end;
    }
  }

  close(): Promise<void> {
    return this.#next.close();
  }

  #waitTurn(): Promise<void> {
    const wait = this.#lastAt + this.#options.intervalMs - performance.now();
    if (wait > 0 || this.#options.signal?.aborted) return delay(wait, this.#options.signal);
    return Promise.resolve();
  }
}

/**
 * The `-i` stage, for the sent direction.
 *
 * @example
 * ```ts
 * const stage = intervalStage({ intervalMs: 500, signal });
 * const sink = composeStages([stage], connSink);
 * ```
 */
export function intervalStage(options: IntervalOptions): Stage {
  return (next) => new IntervalSink(next, options);
}
