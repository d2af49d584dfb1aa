/**
 * `-l PORT --forward ws://...`: relays each client to a WebSocket target
 * (websockify's job, the other way round), in-process. The same relay as
 * {@linkcode forwardClient}: backpressure, half-close passed on (the
 * client's end of data becomes our Close frame), `-w`, transforms and logs.
 * A target's Close is the client's end of data: the client gets everything
 * the target sent, then a half-close; what the client still sends goes to
 * the target until the client's own end, which answers the Close. The
 * session ends once both Closes are exchanged, or the target hangs up.
 *
 * @module
 */

import { closeQuietly } from "./accept.ts";
import { relay, type RelayResult } from "../session/relay.ts";
import type { Duplex, Stage } from "../io/sink.ts";

/** A target connection that can tell when it is over (a WebSocket's Close). */
export interface EndingTarget extends Duplex {
  /** Aborts once the target will take nothing more (its WebSocket is over). */
  readonly ended: AbortSignal;
  /** The target in messages. */
  readonly peerName: string;
}

/** How to reach the target and run the session. */
export interface WsForwardOptions {
  /** Opens the target (TCP, TLS, the WebSocket handshake), within `-w`. */
  open: (signal?: AbortSignal) => Promise<EndingTarget>;
  /** `-w`: idle timeout of the session. */
  waitMs?: number;
  /** Ends the session (SIGINT, SIGTERM, listener stopping). */
  signal?: AbortSignal;
  /** `-vv` events. */
  onEvent?: (message: string) => void;
  /** Transforms and taps: outbound is target → client, inbound client → target. */
  stages?: { outbound: Stage[]; inbound: Stage[] };
}

/**
 * Opens the target and relays `client` to it until both directions end or
 * the target closes. Closes the target; `client` is the caller's to close.
 *
 * @example
 * ```ts
 * const r = await forwardClientToWs(conn, { open: () => openWsClient(...) });
 * ```
 */
export async function forwardClientToWs(
  client: Duplex,
  o: WsForwardOptions,
): Promise<RelayResult> {
  const target = await o.open(o.signal);
  o.onEvent?.(`forwarding to ${target.peerName}`);
  try {
    // The target is the relay's remote side: when its Close ends the session,
    // the relay still writes out all it sent to the client first.
    const r = await relay(client, target, {
      idleTimeoutMs: o.waitMs,
      signal: o.signal ? AbortSignal.any([o.signal, target.ended]) : target.ended,
      outbound: o.stages?.inbound,
      inbound: o.stages?.outbound,
      remoteName: `forward to ${target.peerName}`,
      onEvent: o.onEvent,
    });
    // Counted from the client's side, as --forward does.
    return { ...r, sent: r.received, received: r.sent };
  } finally {
    closeQuietly(target);
  }
}
