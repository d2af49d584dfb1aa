/**
 * `--progress`: a live line on stderr with bytes each way and the current
 * rate, redrawn in place, only when stderr is a terminal.
 *
 * @module
 */

import { formatBytes, formatRate, type SessionStats } from "./stats.ts";
import { forgetInterruptEcho } from "../io/log.ts";

/** Where the line is drawn: `Deno.stderr` has this shape. */
export interface ProgressOutput {
  /** Writes bytes at once (a progress line is small, and must not queue up). */
  writeSync(p: Uint8Array): number;
  /** Whether a terminal shows the output, so `\r` redraws in place. */
  isTerminal(): boolean;
}

/** Options of {@linkcode startProgress}. */
export interface ProgressOptions {
  /** Where to draw; `Deno.stderr` by default. */
  output?: ProgressOutput;
  /** Time between redraws; 250 ms (4 a second) by default. */
  intervalMs?: number;
}

/** Carriage return, the line, then erase what a longer earlier line left. */
const redrawLine = (text: string) => `\r${text}\x1b[K`;

/**
 * Formats the live line: totals each way and the rate each way since the
 * previous redraw.
 *
 * @example
 * ```ts
 * formatProgress(1536, 0, 512, 0);
 * // "socktool: sent 1.50 KiB (512 B/s), received 0 B (0 B/s)"
 * ```
 */
export function formatProgress(
  sent: number,
  received: number,
  sentRate: number,
  receivedRate: number,
): string {
  return `socktool: sent ${formatBytes(sent)} (${formatRate(sentRate)}), ` +
    `received ${formatBytes(received)} (${formatRate(receivedRate)})`;
}

/** A running `--progress` line; stop it when the session ends. */
export class ProgressMeter {
  #stats: SessionStats;
  #output: ProgressOutput;
  #timer: ReturnType<typeof setInterval> | undefined;
  #encoder = new TextEncoder();
  #last = { at: performance.now(), sent: 0, received: 0 };
  #rates = { sent: 0, received: 0 };

  /** Use {@linkcode startProgress}, which also checks for a terminal. */
  constructor(stats: SessionStats, output: ProgressOutput, intervalMs: number) {
    this.#stats = stats;
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
    this.#write(redrawLine(formatProgress(sent, received, this.#rates.sent, this.#rates.received)));
  }

  /** Erases the line, so another stderr message can be printed; the next tick redraws it. */
  clear(): void {
    this.#write("\r\x1b[K");
  }

  /** Stops redrawing; draws the line one last time and ends it with a newline. Safe to call twice. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.redraw();
    this.#write("\n");
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
  return new ProgressMeter(stats, output, options.intervalMs ?? 250);
}
