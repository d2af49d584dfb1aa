/**
 * Builds the stage lists of a session's two directions from the options the
 * user gave. An option not given adds no stage, so with none both lists are
 * empty and the relay writes straight through.
 *
 * @module
 */

import { crlfStage } from "./crlf.ts";
import { hexDumpStage } from "./hex_dump.ts";
import { intervalStage } from "./interval.ts";
import type { LogFile } from "../io/log_file.ts";
import { type ProgressOutput, type ProgressTotal, startProgress } from "./progress.ts";
import { rateLimitStage } from "./rate_limit.ts";
import { sessionLogStage } from "./capture.ts";
import { SessionStats } from "./stats.ts";
import type { Stage } from "../io/sink.ts";
import { timestampStage } from "./timestamp.ts";

/**
 * The options of SPEC §2 and §5 that shape the data path; a session's
 * options (`SessionOptions`, lib/session/options.ts) extend them.
 */
export interface TransformOptions {
  /** `-C`: LF sent as CRLF. */
  crlf: boolean;
  /** `-i`: milliseconds between lines sent (datagrams for UDP); absent or 0 is off. */
  intervalMs?: number;
  /** `-o FILE`: raw copy of both directions. */
  output?: string;
  /** `-x FILE`: hex dump of both directions. */
  hexDump?: string;
  /** `--append-output`: `-o` and `-x` append instead of truncating. */
  appendOutput: boolean;
  /** `--timestamp`: received lines prefixed with their arrival time. */
  timestamp: boolean;
  /** `--progress`: live line on stderr, if it is a terminal. */
  progress: boolean;
  /** `--size N`: the bytes `--progress` expects (sent; received with `--recv-only`). */
  size?: number;
  /** `--recv-only`: `--size` counts what is received. */
  recvOnly?: boolean;
  /** `-L`: bytes per second at most, each way. */
  rateLimit?: number;
  /** `-v` count; 1 or more asks for the summary line. */
  verbose: number;
}

/** The `-o` and `-x` files, opened once and shared by every session. */
export interface SessionLogs {
  /** The `-o` file. */
  output?: LogFile;
  /** The `-x` file. */
  hexDump?: LogFile;
}

/** Per-session things besides the options. */
export interface StagesContext {
  /** Each write is one datagram: `-i` paces datagrams, not lines. */
  datagrams?: boolean;
  /** Cuts an `-i` delay short (the session is ending). */
  signal?: AbortSignal;
  /** Where `--progress` draws; `Deno.stderr` by default. */
  progressOutput?: ProgressOutput;
  /** The size of stdin when it is a regular file: what `--progress` expects to send. */
  stdinSize?: number;
}

/** What `--progress` expects: `--size` first, else a regular file's size on stdin. */
function progressTotal(o: TransformOptions, c: StagesContext): ProgressTotal | undefined {
  if (o.size !== undefined) return { direction: o.recvOnly ? "received" : "sent", bytes: o.size };
  if (c.stdinSize !== undefined && !o.recvOnly) return { direction: "sent", bytes: c.stdinSize };
  return undefined;
}

/** What the relay needs for one session. */
export interface SessionStages {
  /** Stages in front of the connection: what we read from stdin goes through them. */
  outbound: Stage[];
  /** Stages in front of stdout: what we read from the connection goes through them. */
  inbound: Stage[];
  /** Live byte counts, present when `--progress` asked for them. */
  stats?: SessionStats;
  /** Call once when the session has ended: stops the progress line. */
  finish(): void;
}

/** Flushes and closes the `-o` and `-x` files (opened by `modes/prepare.ts`). */
export async function closeSessionLogs(logs: SessionLogs): Promise<void> {
  await Promise.all([logs.output?.close(), logs.hexDump?.close()]);
}

/**
 * Builds one session's stage lists. Outbound runs pacing, then CRLF, then
 * the rate limit, then the taps, so logs and counts see the bytes as sent;
 * inbound runs the rate limit, then the taps, so they see the bytes as
 * received, then the timestamps.
 *
 * @example
 * ```ts
 * const { logs } = await prepare(opts, log);              // before connecting
 * const stages = sessionStages(opts, logs, { signal });   // per session
 * const toConn = composeStages(stages.outbound, connSink);
 * const toStdout = composeStages(stages.inbound, stdoutSink);
 * // ... relay ...
 * stages.finish();
 * ```
 */
export function sessionStages(
  options: TransformOptions,
  logs: SessionLogs = {},
  context: StagesContext = {},
): SessionStages {
  const outbound: Stage[] = [];
  const inbound: Stage[] = [];
  if (options.intervalMs) {
    const { datagrams, signal } = context;
    outbound.push(intervalStage({ intervalMs: options.intervalMs, datagrams, signal }));
  }
  if (options.crlf) outbound.push(crlfStage);
  // -L paces the bytes as they go on the wire (after -C), and before the
  // taps, so logs and --progress see them paced; inbound it comes first.
  const pace = options.rateLimit
    ? () =>
      rateLimitStage({
        bytesPerSecond: options.rateLimit!,
        datagrams: context.datagrams,
        signal: context.signal,
      })
    : undefined;
  if (pace) outbound.push(pace());
  if (logs.output) {
    outbound.push(sessionLogStage(logs.output));
    inbound.push(sessionLogStage(logs.output));
  }
  if (logs.hexDump) {
    outbound.push(hexDumpStage(logs.hexDump, "sent"));
    inbound.push(hexDumpStage(logs.hexDump, "received"));
  }
  // The relay counts bytes for the -v summary itself; a counting stage is
  // only needed for the live --progress line.
  const stats = options.progress ? new SessionStats() : undefined;
  if (stats) {
    outbound.push(stats.countStage("sent"));
    inbound.unshift(stats.countStage("received"));
  }
  if (pace) inbound.unshift(pace());
  if (options.timestamp) inbound.push(timestampStage());
  const meter = stats && options.progress
    ? startProgress(stats, {
      output: context.progressOutput,
      total: progressTotal(options, context),
    })
    : undefined;
  return {
    outbound,
    inbound,
    stats,
    finish() {
      stats?.finish();
      meter?.stop();
    },
  };
}
