/**
 * `--timestamp`: each received line prefixed with the local time it arrived.
 *
 * @module
 */

import type { Sink, Stage } from "../io/sink.ts";

const LF = 0x0a;

const two = (n: number) => String(n).padStart(2, "0");

/**
 * The prefix of `--timestamp` and `--serve timestamp`: `[YYYY-MM-DD HH:MM:SS] `
 * in local time, with the trailing space.
 *
 * @example
 * ```ts
 * timestampPrefix(new Date(2024, 0, 2, 3, 4, 5)); // "[2024-01-02 03:04:05] "
 * ```
 */
export function timestampPrefix(date: Date): string {
  return `[${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}] `;
}

/** Options of {@linkcode timestampStage}. */
export interface TimestampOptions {
  /** The clock; `() => new Date()` unless a test fakes it. */
  now?: () => Date;
}

/**
 * Inserts the prefix at the start of each line, stamped with the arrival of
 * the line's first byte. Nothing is held back: a partial line goes out at
 * once, and the line's rest, arriving later, gets no second prefix.
 */
class TimestampSink implements Sink {
  #next: Sink;
  #now: () => Date;
  #atLineStart = true;
  #second = NaN;
  #prefix = new Uint8Array();

  constructor(next: Sink, now: () => Date) {
    this.#next = next;
    this.#now = now;
  }

  write(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return this.#next.write(chunk);
    const prefix = this.#prefixNow();
    // A prefix goes before the first byte if a line starts there, and after
    // every LF that is not the chunk's last byte.
    let count = this.#atLineStart ? 1 : 0;
    for (
      let i = chunk.indexOf(LF);
      i !== -1 && i < chunk.length - 1;
      i = chunk.indexOf(LF, i + 1)
    ) {
      count++;
    }
    const out = new Uint8Array(chunk.length + count * prefix.length);
    let to = 0;
    if (this.#atLineStart) {
      out.set(prefix);
      to = prefix.length;
    }
    let from = 0;
    for (
      let i = chunk.indexOf(LF);
      i !== -1 && i < chunk.length - 1;
      i = chunk.indexOf(LF, i + 1)
    ) {
      out.set(chunk.subarray(from, i + 1), to);
      to += i + 1 - from;
      out.set(prefix, to);
      to += prefix.length;
      from = i + 1;
    }
    out.set(chunk.subarray(from), to);
    this.#atLineStart = chunk[chunk.length - 1] === LF;
    return this.#next.write(out);
  }

  close(): Promise<void> {
    return this.#next.close();
  }

  /** The encoded prefix for now, re-formatted only when the second changes. */
  #prefixNow(): Uint8Array {
    const date = this.#now();
    const second = Math.floor(date.getTime() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#prefix = new TextEncoder().encode(timestampPrefix(date));
    }
    return this.#prefix;
  }
}

/**
 * The `--timestamp` stage, for the received direction. Bytes are never
 * decoded: only prefixes are added, one chunk out per chunk in.
 *
 * @example
 * ```ts
 * import { stageStream, timestampStage } from "@socktool/socktool";
 *
 * const stamped = await new Response(
 *   new Response("hello\nworld\n").body!.pipeThrough(stageStream(timestampStage())),
 * ).text();
 * console.log(stamped); // [2024-01-02 03:04:05] hello, then the same for world
 * ```
 */
export function timestampStage(options: TimestampOptions = {}): Stage {
  const now = options.now ?? (() => new Date());
  return (next) => new TimestampSink(next, now);
}
