/**
 * One datagram session (UDP or `-uU`): the shared relay over a
 * {@linkcode DatagramDuplex}, with the timing rules a datagram peer needs.
 *
 * A datagram peer never says it is done, so `-w` here ends the session
 * normally (exit 0) after that long without a datagram either way, instead
 * of failing like an idle TCP session: `printf ping | socktool -u -w1 host 7`
 * prints the reply and exits 0. `-q` works as for TCP. A `-k` listener has
 * no end but a signal: stdin's end only stops the broadcast, and `-w` is how
 * long a quiet peer stays in its table (see `net/udp_peer_table.ts`).
 *
 * A datagram that cannot be delivered to the one peer (its Unix socket is
 * gone, no route) ends the session in failure: exit 1 with a line naming
 * the peer and the cause, never a silent exit 0.
 *
 * @module
 */

import { formatAddr } from "../net/address.ts";
import { causeInWords, networkError } from "../errors.ts";
import { escapeText } from "../io/escape.ts";
import type { SessionOptions } from "./options.ts";
import type { Duplex, RelayResult } from "./relay.ts";
import { type Abandonable, runSession, type SessionContext } from "./session.ts";
import { DatagramDuplex, type DatagramSocket } from "../net/udp_duplex.ts";

/** Options for {@linkcode runDatagramSession}. */
export interface DatagramSessionOptions {
  /**
   * The one peer; `"first"`: whoever sends the first datagram (`-ul`);
   * `"every"` peer that has sent a datagram (`-ulk`).
   */
  peer: Deno.Addr | "first" | "every";
  /** The peer in messages. */
  name: string;
  /** A datagram already received from the peer, relayed first. */
  pending?: Uint8Array;
  /** `--allow`/`--deny`: whether a sender may become a peer. */
  admit?: (addr: Deno.Addr) => boolean;
}

/** A peer's address for a message: it comes from the network, so it is escaped. */
const peerName = (a: Deno.Addr) => escapeText(formatAddr(a));

/**
 * Relays between `ctx.local` and the datagram socket `conn` until a stop
 * rule fires; closes `conn`. Rejects (exit 1) when a datagram could not be
 * delivered to the one peer, or the socket failed.
 *
 * @example
 * ```ts
 * await runDatagramSession(sock, { peer, name: "127.0.0.1:7" }, options, ctx);
 * ```
 */
export async function runDatagramSession(
  conn: DatagramSocket,
  session: DatagramSessionOptions,
  opts: SessionOptions,
  ctx: SessionContext,
): Promise<RelayResult> {
  const every = session.peer === "every";
  // "first": the relay runs before the first datagram, so that nothing is
  // set up (a stdin reader, compiled code) while a flood fills the socket's
  // buffer; stdin is read from the start but delivered only once there is a
  // peer, so `-q` counts from stdin's end after the first datagram, as in nc.
  const firstPeer = Promise.withResolvers<void>();
  const local = session.peer === "first" ? heldUntil(ctx.local, firstPeer.promise) : ctx.local;
  const duplex = new DatagramDuplex(conn, {
    peer: session.peer,
    pending: session.pending,
    admit: session.admit,
    idleMs: every ? undefined : opts.waitMs,
    // -w 0 is no time limit, as everywhere: peers then leave only to make room.
    peerIdleMs: every ? (opts.waitMs === 0 ? Infinity : opts.waitMs) : undefined,
    onPeer: (a) => {
      ctx.log.info(`datagram from ${peerName(a)}`);
      firstPeer.resolve();
    },
    // Not an error (its datagrams still come in), but never a silent loss.
    onUnanswerable: () =>
      ctx.log.warn("the peer's socket has no path: stdin cannot reach it and is dropped"),
    onStranger: (a) => ctx.log.debug(`ignored a datagram from ${peerName(a)}`),
    onPeerGone: (a, why, err) => {
      if (why === "quiet") ctx.log.info(`${peerName(a)}: quiet too long, no longer sent stdin`);
      else if (why === "evicted") ctx.log.debug(`${peerName(a)}: forgotten to make room`);
      else ctx.log.info(`send to ${peerName(a)}: ${causeInWords(err)}: forgotten`);
    },
    onSplit: (length, max) =>
      ctx.log.info(`stdin data of ${length} bytes sent as datagrams of at most ${max} bytes`),
  });
  const result = await runSession(duplex, session.name, {
    ...opts,
    // The duplex owns `-w` (as the end of the session, see above).
    waitMs: undefined,
    quitAfterEofMs: every ? undefined : opts.quitAfterEofMs,
  }, { ...ctx, local });
  const failure = duplex.failure;
  if (failure && !ctx.signal.aborted) {
    throw networkError(
      failure.op === "send"
        ? `send to ${failure.peer ? peerName(failure.peer) : session.name}`
        : `receive on ${peerName(conn.addr)}`,
      failure.error,
    );
  }
  return result;
}

/** `local` whose reads start at once but resolve only after `open` (`abandon` passes through). */
function heldUntil(local: Duplex & Partial<Abandonable>, open: Promise<void>): Duplex {
  return {
    ...(local.abandon ? { abandon: () => local.abandon?.() } : {}),
    read(p) {
      const reading = local.read(p);
      reading.catch(() => {}); // handled below, after the wait
      return open.then(() => reading);
    },
    write: (p) => local.write(p),
    closeWrite: () => local.closeWrite(),
    close: () => local.close(),
  };
}
