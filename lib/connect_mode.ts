/**
 * `socktool HOST PORT`: obtains a connection to the target and runs one
 * session over it.
 *
 * @module
 */

import { formatAddr, formatHostPort } from "./address.ts";
import { usageError } from "./errors.ts";
import type { ConnectOptions } from "./cli/options.ts";
import { connectTcp } from "./tcp_connect.ts";
import { runSession, type SessionContext } from "./session.ts";

/**
 * Runs connect mode to its end.
 *
 * @example
 * ```ts
 * await connectMode(parseCommandLine(["127.0.0.1", "9999"]) as ConnectOptions, ctx);
 * ```
 */
export async function connectMode(opts: ConnectOptions, ctx: SessionContext): Promise<void> {
  if (opts.target.kind !== "inet" || opts.transport !== "tcp") {
    throw usageError(`${opts.transport} connect is not available yet`);
  }
  const { host, port } = opts.target;
  const conn = await connectTcp(host, port, {
    family: opts.family,
    timeoutMs: opts.waitMs,
    signal: ctx.signal,
    onAttemptFailed: (m) => ctx.log.info(m),
  });
  const name = formatAddr(conn.remoteAddr);
  ctx.log.info(
    `connected to ${name}${
      host !== conn.remoteAddr.hostname ? ` (${formatHostPort(host, port)})` : ""
    }`,
  );
  await runSession(conn, name, opts, ctx);
}
