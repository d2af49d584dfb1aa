/**
 * One data session: the relay between the local side and one connection,
 * with the session options applied (half-close, `-q`, `-w`, one direction,
 * transforms) and the `-v` summary at the end. Every mode that has a single
 * peer ends here.
 *
 * @module
 */

import type { Logger } from "./log.ts";
import { type Duplex, relay, type RelayResult } from "./relay.ts";
import type { Stage } from "./sink.ts";
import type { SessionOptions } from "./cli/options.ts";

/** What a mode hands a session besides the connection. */
export interface SessionContext {
  /** The local side: stdin/stdout, or a program's pipes. */
  local: Duplex;
  /** The local side is an interactive terminal. */
  localIsTerminal: boolean;
  log: Logger;
  signal: AbortSignal;
  /** Transforms and taps per direction (`-C`, `-o`, `--timestamp`, ...). */
  stages?: { outbound: Stage[]; inbound: Stage[] };
  /** Called with the result before the summary, e.g. to close logs. */
  onEnd?: (result: RelayResult) => void | Promise<void>;
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
  const result = await relay(ctx.local, remote, {
    localIsTerminal: ctx.localIsTerminal,
    halfClose: !opts.noShutdown && !datagram,
    quitAfterEofMs: opts.quitAfterEofMs,
    idleTimeoutMs: opts.waitMs,
    direction: opts.sendOnly ? "send" : opts.recvOnly ? "recv" : "both",
    outbound: ctx.stages?.outbound,
    inbound: ctx.stages?.inbound,
    signal: ctx.signal,
    remoteName,
    onEvent: (m) => ctx.log.debug(`${remoteName}: ${m}`),
  });
  await ctx.onEnd?.(result);
  ctx.log.info(summaryLine(remoteName, result));
  return result;
}

/** `-v`'s closing line: bytes each way, time, average rate. */
export function summaryLine(remoteName: string, r: RelayResult): string {
  const secs = r.elapsedMs / 1000;
  const rate = secs > 0 ? (r.sent + r.received) / secs : 0;
  return `${remoteName}: sent ${r.sent} bytes, received ${r.received} bytes in ${
    secs.toFixed(2)
  } s (${formatRate(rate)})`;
}

/** Bytes per second in human units (`12.3 MiB/s`). */
export function formatRate(bytesPerSecond: number): string {
  const units = ["B/s", "KiB/s", "MiB/s", "GiB/s"];
  let v = bytesPerSecond;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 2)} ${units[i]}`;
}
