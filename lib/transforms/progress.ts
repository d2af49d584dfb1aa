/**
 * `--progress`: a live line on stderr with bytes each way, the current rate
 * and the time so far, redrawn in place, only when stderr is a terminal.
 * When the size of the transfer is known (stdin is a regular file, or
 * `--size N`), the line also shows the percentage done and an ETA, as pv's
 * does; the last line drawn gives the average rate of the whole session.
 *
 * @module
 */

import { type Direction, formatBytes, formatRate, type SessionStats } from "./stats.ts";
import { forgetInterruptEcho } from "../io/log.ts";

/** Where the line is drawn: `Deno.stderr` has this shape. */
export interface ProgressOutput {
  /** Writes bytes at once (a progress line is small, and must not queue up). */
  writeSync(p: Uint8Array): number;
  /** Whether a terminal shows the output, so `\r` redraws in place. */
  isTerminal(): boolean;
}

/** The size the transfer is expected to have, in one direction. */
export interface ProgressTotal {
  /** The direction whose bytes are counted against `bytes`. */
  direction: Direction;
  /** The expected bytes. */
  bytes: number;
}

/** Options of {@linkcode startProgress}. */
export interface ProgressOptions {
  /** Where to draw; `Deno.stderr` by default. */
  output?: ProgressOutput;
  /** Time between redraws; 250 ms (4 a second) by default. */
  intervalMs?: number;
  /** The expected size, for a percentage and an ETA. */
  total?: ProgressTotal;
}

/** What one live line shows. */
export interface ProgressState {
  /** Bytes sent so far. */
  sent: number;
  /** Bytes received so far. */
  received: number;
  /** Bytes per second sent, lately. */
  sentRate: number;
  /** Bytes per second received, lately. */
  receivedRate: number;
  /** Milliseconds since the session started. */
  elapsedMs: number;
  /** The expected size, if known. */
  total?: ProgressTotal;
}

/** Carriage return, the line, then erase what a longer earlier line left. */
const redrawLine = (text: string) => `\r${text}\x1b[K`;

/**
 * A duration as pv shows it, `H:MM:SS`.
 *
 * @example
 * ```ts
 * formatClock(3_725_000); // "1:02:05"
 * ```
 */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${Math.floor(total / 3600)}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
}

/** Whole percent of `total` that `done` is (100 for an empty total). */
function percent(done: number, total: number): number {
  return total === 0 ? 100 : Math.floor(done * 100 / total);
}

/**
 * Formats the live line: totals each way with the rate each way since the
 * previous redraw, and the time so far; with a known size, the percentage
 * done of that direction and an ETA at its average rate so far.
 *
 * @example
 * ```ts
 * formatProgress({ sent: 1536, received: 0, sentRate: 512, receivedRate: 0, elapsedMs: 3000 });
 * // "socktool: sent 1.50 KiB (512 B/s), received 0 B (0 B/s), 0:00:03"
 * formatProgress({
 *   sent: 1024, received: 0, sentRate: 512, receivedRate: 0, elapsedMs: 2000,
 *   total: { direction: "sent", bytes: 4096 },
 * });
 * // "socktool: sent 1.00 KiB of 4.00 KiB (25%, 512 B/s), received 0 B (0 B/s), 0:00:02 ETA 0:00:06"
 * ```
 */
export function formatProgress(s: ProgressState): string {
  const side = (d: Direction, bytes: number, rate: number) => {
    if (s.total?.direction !== d) return `${d} ${formatBytes(bytes)} (${formatRate(rate)})`;
    return `${d} ${formatBytes(bytes)} of ${formatBytes(s.total.bytes)} ` +
      `(${percent(bytes, s.total.bytes)}%, ${formatRate(rate)})`;
  };
  const line = `socktool: ${side("sent", s.sent, s.sentRate)}, ` +
    `${side("received", s.received, s.receivedRate)}, ${formatClock(s.elapsedMs)}`;
  if (s.total === undefined) return line;
  const done = s.total.direction === "sent" ? s.sent : s.received;
  const left = Math.max(0, s.total.bytes - done);
  const eta = left === 0
    ? 0
    : done === 0 || s.elapsedMs <= 0
    ? undefined
    : left * s.elapsedMs / done;
  return `${line} ETA ${eta === undefined ? "-:--:--" : formatClock(Math.ceil(eta / 1000) * 1000)}`;
}

/**
 * Formats the last line, drawn when the session ends: totals each way, the
 * time taken, and the average rate of both directions together (as the `-v`
 * summary counts it). With a known size, the percentage of it that went.
 *
 * @example
 * ```ts
 * formatProgressEnd({ sent: 2097152, received: 0, elapsedMs: 2000 });
 * // "socktool: sent 2.00 MiB, received 0 B in 0:00:02 (average 1.00 MiB/s)"
 * ```
 */
export function formatProgressEnd(s: Omit<ProgressState, "sentRate" | "receivedRate">): string {
  const side = (d: Direction, bytes: number) =>
    s.total?.direction === d
      ? `${d} ${formatBytes(bytes)} of ${formatBytes(s.total.bytes)} (${
        percent(bytes, s.total.bytes)
      }%)`
      : `${d} ${formatBytes(bytes)}`;
  const average = (s.sent + s.received) / Math.max(s.elapsedMs, 1) * 1000;
  return `socktool: ${side("sent", s.sent)}, ${side("received", s.received)} ` +
    `in ${formatClock(s.elapsedMs)} (average ${formatRate(average)})`;
}

/** A running `--progress` line; stop it when the session ends. */
export class ProgressMeter {
  #stats: SessionStats;
  #output: ProgressOutput;
  #timer: ReturnType<typeof setInterval> | undefined;
  #encoder = new TextEncoder();
  #last = { at: performance.now(), sent: 0, received: 0 };
  #rates = { sent: 0, received: 0 };

  #total: ProgressTotal | undefined;

  /** Use {@linkcode startProgress}, which also checks for a terminal. */
  constructor(
    stats: SessionStats,
    output: ProgressOutput,
    intervalMs: number,
    total?: ProgressTotal,
  ) {
    this.#stats = stats;
    this.#total = total;
    this.#output = output;
    const timer = setInterval(() => this.redraw(), intervalMs);
    // A progress line must never be what keeps the process alive.
    Deno.unrefTimer(timer);
    this.#timer = timer;
    this.redraw();
  }

  /** Draws the line now, over the previous one. */
  redraw(): void {
    const now = performance.now();
    const sent = this.#stats.bytes("sent");
    const received = this.#stats.bytes("received");
    const dt = (now - this.#last.at) / 1000;
    // Over a very short span the rate is noise: keep the previous one.
    if (dt >= 0.05) {
      this.#rates = {
        sent: (sent - this.#last.sent) / dt,
        received: (received - this.#last.received) / dt,
      };
      this.#last = { at: now, sent, received };
    }
    this.#write(redrawLine(formatProgress({
      sent,
      received,
      sentRate: this.#rates.sent,
      receivedRate: this.#rates.received,
      elapsedMs: this.#stats.snapshot().seconds * 1000,
      total: this.#total,
    })));
  }

  /** Erases the line, so another stderr message can be printed; the next tick redraws it. */
  clear(): void {
    this.#write("\r\x1b[K");
  }

  /**
   * Stops redrawing; draws the last line, with the average rate, and ends it
   * with a newline. Safe to call twice.
   */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    const { sent, received, seconds } = this.#stats.snapshot();
    const end = formatProgressEnd({
      sent,
      received,
      elapsedMs: seconds * 1000,
      total: this.#total,
    });
    this.#write(`${redrawLine(end)}\n`);
  }

  #write(text: string): void {
    // A line drawn from its start has covered a `^C` echo: no newline owed for it.
    if (text.startsWith("\r")) forgetInterruptEcho();
    try {
      const bytes = this.#encoder.encode(text);
      for (let off = 0; off < bytes.length;) off += this.#output.writeSync(bytes.subarray(off));
    } catch {
      // stderr gone (terminal closed): the session goes on without a meter.
      this.#output = { writeSync: (p) => p.length, isTerminal: () => false };
    }
  }
}

/**
 * Starts a progress line for `stats`, redrawn every `intervalMs`, if the
 * output is a terminal; otherwise returns `undefined` and costs nothing.
 *
 * @example
 * ```ts
 * const stats = new SessionStats();
 * const meter = startProgress(stats);
 * // ... relay with stats.countStage("sent") / ("received") on the data path ...
 * meter?.stop();
 * ```
 */
export function startProgress(
  stats: SessionStats,
  options: ProgressOptions = {},
): ProgressMeter | undefined {
  const output = options.output ?? Deno.stderr;
  if (!output.isTerminal()) return undefined;
  return new ProgressMeter(stats, output, options.intervalMs ?? 250, options.total);
}
