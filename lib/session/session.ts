/**
 * One data session: the relay between the local side and one connection,
 * with the session options applied (half-close, `-q`, `-w`, one direction,
 * transforms) and the `-v` summary at the end. Every mode that has a single
 * peer ends here.
 *
 * @module
 */

import type { Logger } from "../io/log.ts";
import { DEFAULT_BUFFER_SIZE, type Duplex, relay, type RelayResult } from "./relay.ts";
import type { SessionOptions } from "./options.ts";
import { type SessionLogs, type SessionStages, sessionStages } from "../transforms/stages.ts";
import { formatSummary } from "../transforms/stats.ts";

/** What a mode hands a session besides the connection. */
export interface SessionContext {
  /** The local side: stdin/stdout, or a program's pipes. */
  local: Duplex;
  /** The local side is an interactive terminal. */
  localIsTerminal: boolean;
  /** Where messages go. */
  log: Logger;
  /** Ends the session (SIGINT, SIGTERM). */
  signal: AbortSignal;
  /** The `-o` and `-x` files, opened before any socket and shared by every session. */
  logs?: SessionLogs;
  /** Stdin's size when it is a regular file and `--progress` wants it (`modes/prepare.ts`). */
  stdinSize?: number;
}

/**
 * Builds one session's transforms and taps (`-C`, `-i`, `-o`, `-x`,
 * `--timestamp`, `--progress`) from the options and the already-open log
 * files; `signal` aborts when that session ends.
 *
 * @example
 * ```ts
 * const stages = buildStages(opts, ctx, sessionSignal, false);
 * try { ... } finally { stages.finish(); }
 * ```
 */
export function buildStages(
  opts: SessionOptions,
  ctx: Pick<SessionContext, "logs" | "stdinSize">,
  signal: AbortSignal,
  datagrams: boolean,
): SessionStages {
  return sessionStages(opts, ctx.logs ?? {}, { signal, datagrams, stdinSize: ctx.stdinSize });
}

/**
 * Relays between `ctx.local` and `remote` with the session options, then
 * prints the `-v` summary.
 *
 * @example
 * ```ts
 * await runSession(conn, "127.0.0.1:9999", options, ctx);
 * ```
 */
export async function runSession(
  remote: Duplex,
  remoteName: string,
  opts: SessionOptions,
  ctx: SessionContext,
): Promise<RelayResult> {
  const datagram = opts.transport === "udp" || opts.transport === "unixgram";
  // Ends with the session, so a pacing delay (-i) never outlives it.
  const ended = new AbortController();
  const signal = AbortSignal.any([ctx.signal, ended.signal]);
  const stages = buildStages(opts, ctx, signal, datagram);
  let result: RelayResult;
  try {
    result = await relay(ctx.local, remote, {
      localIsTerminal: ctx.localIsTerminal,
      halfClose: !opts.noShutdown && !datagram,
      quitAfterEofMs: opts.quitAfterEofMs,
      idleTimeoutMs: opts.waitMs,
      direction: opts.sendOnly ? "send" : opts.recvOnly ? "recv" : "both",
      outbound: stages?.outbound,
      inbound: stages?.inbound,
      signal: ctx.signal,
      // A datagram must fit one read: no small first buffer for datagram sides.
      initialBufferSize: datagram ? DEFAULT_BUFFER_SIZE : undefined,
      remoteName,
      onEvent: (m) => ctx.log.debug(`${remoteName}: ${m}`),
    });
  } finally {
    ended.abort();
    stages?.finish();
  }
  ctx.log.info(summaryLine(remoteName, result));
  return result;
}

/** `-v`'s closing line: bytes each way, time, average rate. */
export function summaryLine(
  remoteName: string,
  r: Pick<RelayResult, "sent" | "received" | "elapsedMs">,
): string {
  return `${remoteName}: ${
    formatSummary({ sent: r.sent, received: r.received, seconds: r.elapsedMs / 1000 })
  }`;
}
