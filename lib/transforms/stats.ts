/**
 * Byte counts and time of a session, for `--progress` and the `-v` summary.
 *
 * @module
 */

import type { Stage } from "../io/sink.ts";

/** A direction of the data path, seen from this end: sent to the peer, or received. */
export type Direction = "sent" | "received";

/** What the `-v` summary reports. */
export interface StatsSnapshot {
  /** Bytes written to the peer. */
  sent: number;
  /** Bytes read from the peer. */
  received: number;
  /** Seconds from the start to now, or to `finish()`. */
  seconds: number;
}

/** Counts the bytes of one session each way; the clock starts at construction. */
export class SessionStats {
  #count: Record<Direction, number> = { sent: 0, received: 0 };
  #now: () => number;
  #start: number;
  #end: number | undefined;

  /**
   * Starts counting now.
   *
   * @param now a millisecond clock; `performance.now` unless a test fakes it
   */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
    this.#start = now();
  }

  /** Bytes counted so far in `direction`. */
  bytes(direction: Direction): number {
    return this.#count[direction];
  }

  /** Counts `n` more bytes in `direction` (for a relay that counts itself). */
  add(direction: Direction, n: number): void {
    this.#count[direction] += n;
  }

  /** A tap that counts each chunk's bytes in `direction` and passes it on. */
  countStage(direction: Direction): Stage {
    return (next) => ({
      write: (chunk) => {
        this.#count[direction] += chunk.length;
        return next.write(chunk);
      },
      close: () => next.close(),
    });
  }

  /** Stops the clock; later snapshots report the same seconds. */
  finish(): void {
    this.#end ??= this.#now();
  }

  /** The counts and seconds as of now (or as of `finish()`). */
  snapshot(): StatsSnapshot {
    const end = this.#end ?? this.#now();
    return { ...this.#count, seconds: Math.max(0, end - this.#start) / 1000 };
  }
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/**
 * Formats a byte count in binary units: `512 B`, `1.50 KiB`, `3.00 MiB`.
 *
 * @example
 * ```ts
 * formatBytes(1536); // "1.50 KiB"
 * ```
 */
export function formatBytes(n: number): string {
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(n)} B` : `${n.toFixed(2)} ${UNITS[unit]}`;
}

/**
 * Formats bytes per second: `0 B/s`, `1.92 MiB/s`.
 *
 * @example
 * ```ts
 * formatRate(2_016_492); // "1.92 MiB/s"
 * ```
 */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/**
 * The `-v` summary line: bytes each way (exact, and from 1 KiB on also in
 * binary units, for a human), seconds, and the average rate of both
 * directions together. A session shorter than a millisecond is rated as if
 * it took one, so the rate stays a number.
 *
 * @example
 * ```ts
 * formatSummary({ sent: 1048576, received: 0, seconds: 0.52 });
 * // "sent 1048576 bytes (1.00 MiB), received 0 bytes in 0.52 s (1.92 MiB/s)"
 * ```
 */
export function formatSummary(stats: StatsSnapshot): string {
  const rate = (stats.sent + stats.received) / Math.max(stats.seconds, 0.001);
  const count = (n: number) => n < 1024 ? `${n} bytes` : `${n} bytes (${formatBytes(n)})`;
  return `sent ${count(stats.sent)}, received ${count(stats.received)} ` +
    `in ${stats.seconds.toFixed(2)} s (${formatRate(rate)})`;
}
