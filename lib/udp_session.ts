/**
 * One datagram session (UDP or `-uU`): the shared relay over a
 * {@linkcode DatagramDuplex}, with the timing rules a datagram peer needs.
 *
 * A datagram peer never says it is done, so `-w` here ends the session
 * normally (exit 0) after that long without a datagram either way, instead
 * of failing like an idle TCP session: `printf ping | socktool -u -w1 host 7`
 * prints the reply and exits 0. `-q` works as for TCP. A `-k` listener has
 * no end but a signal: stdin's end only stops the broadcast.
 *
 * @module
 */

import { formatAddr } from "./address.ts";
import type { SessionOptions } from "./cli/options.ts";
import type { RelayResult } from "./relay.ts";
import { runSession, type SessionContext } from "./session.ts";
import { DatagramDuplex, type DatagramSocket } from "./udp_duplex.ts";

/** Options for {@linkcode runDatagramSession}. */
export interface DatagramSessionOptions {
  /** The one peer, or `"every"` peer that has sent a datagram (`-k`). */
  peer: Deno.Addr | "every";
  /** The peer in messages. */
  name: string;
  /** A datagram already received from the peer, relayed first. */
  pending?: Uint8Array;
}

/**
 * Relays between `ctx.local` and the datagram socket `conn` until a stop
 * rule fires; closes `conn`.
 *
 * @example
 * ```ts
 * await runDatagramSession(sock, { peer, name: "127.0.0.1:7" }, options, ctx);
 * ```
 */
export function runDatagramSession(
  conn: DatagramSocket,
  session: DatagramSessionOptions,
  opts: SessionOptions,
  ctx: SessionContext,
): Promise<RelayResult> {
  const every = session.peer === "every";
  const duplex = new DatagramDuplex(conn, {
    peer: session.peer,
    pending: session.pending,
    idleMs: every ? undefined : opts.waitMs,
    onPeer: (a) => ctx.log.info(`datagram from ${formatAddr(a)}`),
    onStranger: (a) => ctx.log.debug(`ignored a datagram from ${formatAddr(a)}`),
    onSplit: (length, max) =>
      ctx.log.info(`stdin data of ${length} bytes sent as datagrams of at most ${max} bytes`),
  });
  return runSession(duplex, session.name, {
    ...opts,
    // The duplex owns `-w` (as the end of the session, see above).
    waitMs: undefined,
    quitAfterEofMs: every ? undefined : opts.quitAfterEofMs,
  }, ctx);
}
