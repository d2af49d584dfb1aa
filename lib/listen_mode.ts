/**
 * `socktool -l [HOST] PORT`: listens, accepts one client, stops listening,
 * and runs one session with it (netcat's default).
 *
 * @module
 */

import { formatAddr } from "./address.ts";
import { usageError } from "./errors.ts";
import type { ListenOptions } from "./cli/options.ts";
import { acceptOne, listenTcp } from "./tcp_listen.ts";
import { runSession, type SessionContext } from "./session.ts";

/**
 * Runs listen mode to its end.
 *
 * @example
 * ```ts
 * await listenMode(parseCommandLine(["-l", "9999"]) as ListenOptions, ctx);
 * ```
 */
export async function listenMode(opts: ListenOptions, ctx: SessionContext): Promise<void> {
  if (opts.local.kind !== "inet" || opts.transport !== "tcp") {
    throw usageError(`${opts.transport} listen is not available yet`);
  }
  const listener = await listenTcp(opts.local.host, opts.local.port, { family: opts.family });
  ctx.log.info(`listening on ${formatAddr(listener.addr)}`);
  let conn: Deno.TcpConn | null;
  try {
    conn = await acceptOne(listener, ctx.signal);
  } finally {
    try {
      listener.close();
    } catch { /* closed by abort */ }
  }
  if (conn === null) return;
  const name = formatAddr(conn.remoteAddr);
  ctx.log.info(`connection from ${name}`);
  await runSession(conn, name, opts, ctx);
}
