/**
 * `socktool -ul PORT --forward udp:HOST:PORT`: a UDP forwarder, socat's
 * `UDP-LISTEN:PORT,fork UDP:HOST:PORT`. Each peer gets its own upstream
 * socket (its own source port at the target), so the target's replies find
 * their way back to the peer that asked, however many peers talk at once. A
 * peer silent both ways for the idle timeout is forgotten and its socket
 * closed; the table of peers is bounded, and when it is full the peer that
 * has been quiet longest makes room for a new one.
 *
 * Without `-k` only the first peer is served (as `-ul` talks to its first
 * peer), and the forwarder ends when that peer is forgotten.
 *
 * @module
 */

import { formatAddr, formatHostPort } from "../net/address.ts";
import { networkError } from "../errors.ts";
import type { Logger } from "../io/log.ts";
import { resolveHost } from "../net/resolve.ts";
import { sameAddr } from "../net/udp_duplex.ts";

/** How long a silent peer is remembered when `-w` does not say: 60 s. */
export const UDP_FORWARD_IDLE_MS = 60_000;

/** How many peers are remembered at once when `-m` does not say. */
export const UDP_FORWARD_MAX_PEERS = 256;

/** Room for the largest datagram (65,507 bytes over IPv4) and a little more. */
const BUFFER_SIZE = 65536;

/** Options of {@linkcode forwardDatagrams}. */
export interface UdpForwardOptions {
  /** Target host. */
  host: string;
  /** Target port. */
  port: number;
  /** `-4` / `-6` for the target. */
  family?: 4 | 6;
  /** `-k`: serve every peer, not only the first. */
  keepOpen: boolean;
  /** `-w`: a peer silent this long both ways is forgotten ({@linkcode UDP_FORWARD_IDLE_MS}). */
  idleMs?: number;
  /** `-m`: peers remembered at once ({@linkcode UDP_FORWARD_MAX_PEERS}). */
  maxPeers?: number;
  /** `--allow`/`--deny`: whether a sender is served (it tells `-v` itself). */
  admit?: (addr: Deno.Addr) => boolean;
  /** Where `-v` and `-vv` messages go. */
  log: Logger;
  /** Stops the forwarder (SIGINT, SIGTERM). */
  signal: AbortSignal;
}

/** One peer and its upstream socket. */
interface Peer {
  addr: Deno.Addr;
  name: string;
  upstream: Deno.DatagramConn;
  target: Deno.NetAddr;
  timer?: ReturnType<typeof setTimeout>;
  sent: number;
  received: number;
  /** The loop carrying the target's replies back; settles once `upstream` is closed. */
  replies?: Promise<void>;
}

/**
 * Forwards datagrams between the peers of `listener` and the target until
 * `o.signal` aborts (or, without `-k`, the first peer is forgotten). Closes
 * every upstream socket; `listener` is the caller's to close.
 *
 * @example
 * ```ts
 * const listener = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 5353 });
 * await forwardDatagrams(listener, { host: "127.0.0.1", port: 53, keepOpen: true, log, signal });
 * ```
 */
export async function forwardDatagrams(
  listener: Deno.DatagramConn,
  o: UdpForwardOptions,
): Promise<void> {
  const idleMs = o.idleMs || UDP_FORWARD_IDLE_MS;
  const maxPeers = o.maxPeers ?? UDP_FORWARD_MAX_PEERS;
  const targetName = `udp:${formatHostPort(o.host, o.port)}`;
  // In order of last activity, quietest first: a Map keeps insertion order.
  const peers = new Map<string, Peer>();
  let first: Deno.Addr | undefined;
  const firstGone = Promise.withResolvers<void>();

  const forget = (peer: Peer, why: string) => {
    if (peers.get(peer.name) !== peer) return;
    peers.delete(peer.name);
    clearTimeout(peer.timer);
    try {
      peer.upstream.close();
    } catch { /* closed */ }
    o.log.info(
      `${peer.name}: ${why}: forgotten (${peer.sent} datagrams forwarded, ${peer.received} back)`,
    );
    if (!o.keepOpen) firstGone.resolve();
  };
  const touch = (peer: Peer) => {
    clearTimeout(peer.timer);
    peer.timer = setTimeout(() => forget(peer, `idle for ${idleMs / 1000} s`), idleMs);
    peers.delete(peer.name);
    peers.set(peer.name, peer);
  };
  const carryReplies = async (peer: Peer) => {
    const buf = new Uint8Array(BUFFER_SIZE);
    for (;;) {
      let data: Uint8Array;
      let from: Deno.Addr;
      try {
        [data, from] = await peer.upstream.receive(buf);
      } catch {
        return; // closed: forgotten, or the forwarder is ending
      }
      if (!sameAddr(from, peer.target)) {
        o.log.debug(`${peer.name}: ignored a datagram from ${formatAddr(from)}`);
        continue;
      }
      if (peers.get(peer.name) !== peer) return;
      peer.received++;
      touch(peer);
      await listener.send(data, peer.addr).catch((err) =>
        o.log.debug(`${peer.name}: cannot pass a reply on: ${networkError("send", err).message}`)
      );
    }
  };
  const open = async (addr: Deno.Addr, name: string): Promise<Peer> => {
    if (peers.size >= maxPeers) {
      const [, quietest] = peers.entries().next().value!;
      forget(quietest, `${maxPeers} peers at once (-m)`);
    }
    const [resolved] = await resolveHost(o.host, { family: o.family });
    const hostname = resolved.family === 6 ? "::" : "0.0.0.0";
    const upstream = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
    const target: Deno.NetAddr = { transport: "udp", hostname: resolved.address, port: o.port };
    const peer: Peer = { addr, name, upstream, target, sent: 0, received: 0 };
    touch(peer);
    o.log.info(
      `datagram from ${name}: forwarding to ${targetName} from port ${
        (upstream.addr as Deno.NetAddr).port
      }`,
    );
    peer.replies = carryReplies(peer);
    return peer;
  };

  const stop = () => {
    try {
      listener.close();
    } catch { /* closed */ }
  };
  o.signal.addEventListener("abort", stop, { once: true });
  firstGone.promise.then(stop);
  const buf = new Uint8Array(BUFFER_SIZE);
  try {
    for (;;) {
      let data: Uint8Array;
      let from: Deno.Addr;
      try {
        [data, from] = await listener.receive(buf);
      } catch (err) {
        if (o.signal.aborted || peers.size === 0 && first !== undefined) return;
        throw networkError(`receive on ${formatAddr(listener.addr)}`, err);
      }
      if (o.admit && !o.admit(from)) continue; // the hook tells -v, once per sender
      const name = formatAddr(from);
      if (!o.keepOpen) {
        first ??= from;
        if (!sameAddr(first, from)) {
          o.log.debug(`ignored a datagram from ${name}`);
          continue;
        }
      }
      let peer = peers.get(name);
      try {
        peer ??= await open(from, name);
      } catch (err) {
        o.log.info(`${name}: ${networkError(`forward to ${targetName}`, err).message}`);
        continue;
      }
      peer.sent++;
      touch(peer);
      await peer.upstream.send(data, peer.target).catch((err) =>
        o.log.info(`${name}: ${networkError(`forward to ${targetName}`, err).message}`)
      );
    }
  } finally {
    o.signal.removeEventListener("abort", stop);
    stop();
    const replies = [...peers.values()].map((p) => p.replies);
    for (const peer of [...peers.values()]) forget(peer, "forwarder ending");
    await Promise.all(replies);
  }
}
