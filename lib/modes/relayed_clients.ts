/**
 * The client handler of the listeners that relay each client somewhere else
 * (`--forward`, `--proxy-server`, a WebSocket `--forward`): each client gets
 * taps of its own (`-o`, `-x`, rates), its events at `-vv`, and one summary
 * line at `-v`.
 *
 * @module
 */

import type { ClientHandler } from "../serve/accept.ts";
import type { RelayResult } from "../session/relay.ts";
import type { SessionOptions } from "../session/options.ts";
import { buildStages, type SessionContext, summaryLine } from "../session/session.ts";
import type { SessionStages } from "../transforms/stages.ts";

/** What {@linkcode relayedClients} hands the relay of one client. */
export interface RelayedClient {
  /** Aborts when this client or the listener ends. */
  signal: AbortSignal;
  /** This client's taps; finished when the relay is done. */
  stages: SessionStages;
  /** A step of the relay, for `-vv`, prefixed with the client's name. */
  onEvent: (message: string) => void;
}

/**
 * A {@linkcode ClientHandler} that relays each client with `relay`, which
 * resolves with the relay's result and the label of the summary line
 * (`127.0.0.1:50312 (forwarded): sent …`).
 *
 * @param ctx where the taps' logs (and `--progress`'s size, if given) come
 *   from, and the logger for the events and the summary
 *
 * @example
 * ```ts ignore
 * const handle = relayedClients(opts, ctx, async (conn, c) => ({
 *   label: "forwarded",
 *   result: await forwardClient(conn, { host, port, ...c }),
 * }));
 * ```
 */
export function relayedClients(
  opts: SessionOptions,
  ctx: Pick<SessionContext, "log" | "logs" | "stdinSize">,
  relay: (
    conn: Deno.Conn,
    client: RelayedClient,
  ) => Promise<{ label: string; result: RelayResult }>,
): ClientHandler {
  return async (conn, name, signal) => {
    const stages = buildStages(opts, ctx, signal, false);
    try {
      const { label, result } = await relay(conn, {
        signal,
        stages,
        onEvent: (m) => ctx.log.debug(`${name}: ${m}`),
      });
      ctx.log.info(summaryLine(`${name} (${label})`, result));
    } finally {
      stages.finish();
    }
  };
}
