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

import { formatAddr } from "../net/address.ts";
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
    onPeer: (a) => {
      ctx.log.info(`datagram from ${formatAddr(a)}`);
      if (a.transport === "unixpacket" && !(a as Deno.UnixAddr).path) {
        ctx.log.info("the peer's socket has no path: replies cannot reach it");
      }
      firstPeer.resolve();
    },
    onStranger: (a) => ctx.log.debug(`ignored a datagram from ${formatAddr(a)}`),
    onSplit: (length, max) =>
      ctx.log.info(`stdin data of ${length} bytes sent as datagrams of at most ${max} bytes`),
  });
  return runSession(duplex, session.name, {
    ...opts,
    // The duplex owns `-w` (as the end of the session, see above).
    waitMs: undefined,
    quitAfterEofMs: every ? undefined : opts.quitAfterEofMs,
  }, { ...ctx, local });
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
