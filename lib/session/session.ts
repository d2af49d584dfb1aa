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

/**
 * `-q`: once the relay has stopped at the deadline, how long a local side
 * that cannot take what already arrived (a stdout or a program that stopped
 * reading) is waited for before its pending writes are abandoned.
 */
export const QUIT_FLUSH_MS = 500;

/** A local side whose pending writes can be given up (stdout, a program's stdin). */
export interface Abandonable {
  /** Pending and later writes reject at once; what they carried is dropped. */
  abandon(): void;
}

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
  const local = quitDeadline(ctx.local, opts.quitAfterEofMs);
  let result: RelayResult;
  try {
    result = await relay(local.duplex, remote, {
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
    local.cancel();
    ended.abort();
    stages?.finish();
  }
  ctx.log.info(summaryLine(remoteName, result));
  return result;
}

/**
 * `-q` as a deadline: the relay stops waiting for data `quitMs` after local
 * input ends, but it lets the write in progress to the local side finish,
 * which may be never (a stalled stdout). `QUIT_FLUSH_MS` later the local
 * side's pending writes are abandoned, so the session ends regardless.
 */
function quitDeadline(
  local: Duplex,
  quitMs: number | undefined,
): { duplex: Duplex; cancel(): void } {
  const abandonable = local as Partial<Abandonable>;
  if (quitMs === undefined || typeof abandonable.abandon !== "function") {
    return { duplex: local, cancel() {} };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cancelled = false;
  return {
    duplex: {
      async read(p) {
        const n = await local.read(p);
        if (n === null && timer === undefined && !cancelled) {
          timer = setTimeout(() => abandonable.abandon?.(), quitMs + QUIT_FLUSH_MS);
        }
        return n;
      },
      write: (p) => local.write(p),
      closeWrite: () => local.closeWrite(),
      close: () => local.close(),
    },
    cancel() {
      cancelled = true;
      clearTimeout(timer);
    },
  };
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
