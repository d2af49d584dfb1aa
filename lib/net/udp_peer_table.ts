/**
 * The peers of a `-ulk` listener: every sender heard from lately, to whom
 * stdin is broadcast. A datagram peer never says goodbye, and its source
 * address costs nothing to forge, so the table forgets: a peer quiet for
 * the idle time (`-w`, default {@linkcode DEFAULT_PEER_IDLE_MS}) is dropped,
 * and past {@linkcode MAX_PEERS} the peer heard from longest ago makes room.
 * Only datagrams *from* a peer keep it; what we send it does not.
 *
 * @module
 */

import { unmapIPv4 } from "./address.ts";
import { absoluteSocketPath } from "./unix_datagram_path.ts";

/** How long a `-ulk` peer stays without sending, when `-w` is not given. */
export const DEFAULT_PEER_IDLE_MS = 60_000;

/** How many `-ulk` peers are kept at most. */
export const MAX_PEERS = 1024;

/** Options for {@linkcode PeerTable}. */
export interface PeerTableOptions {
  /**
   * A peer quiet this long is forgotten (default {@linkcode DEFAULT_PEER_IDLE_MS};
   * `Infinity`: never for quiet, only to make room).
   */
  idleMs?: number;
  /** At most this many peers (default {@linkcode MAX_PEERS}). */
  max?: number;
  /** The clock, in ms (tests). */
  now?: () => number;
}

/**
 * A key naming one datagram peer: IPv4-mapped IPv6 as the IPv4 address it
 * is; a Unix path made absolute.
 *
 * @example
 * ```ts
 * peerKey({ transport: "udp", hostname: "::ffff:127.0.0.1", port: 9 }); // "127.0.0.1 9"
 * ```
 */
export function peerKey(addr: Deno.Addr): string {
  if (addr.transport === "unixpacket" || addr.transport === "unix") {
    const path = (addr as Deno.UnixAddr).path;
    return path ? absoluteSocketPath(path) : "";
  }
  const a = addr as Deno.NetAddr;
  return `${unmapIPv4(a.hostname)} ${a.port}`;
}

interface Entry {
  addr: Deno.Addr;
  heard: number;
}

/**
 * Peers by last datagram heard, oldest first, bounded in number and age.
 *
 * @example
 * ```ts
 * const peers = new PeerTable({ idleMs: 60_000 });
 * peers.heard(from); // true: a new peer
 * for (const addr of peers.live()) await sock.send(data, addr);
 * ```
 */
export class PeerTable {
  // A Map keeps insertion order: re-inserting on each datagram keeps the
  // least recently heard peer first, so expiry and eviction look at the front.
  #peers = new Map<string, Entry>();
  #idleMs: number;
  #max: number;
  #now: () => number;

  /** @param opts idle time, bound and clock */
  constructor(opts: PeerTableOptions = {}) {
    this.#idleMs = opts.idleMs ?? DEFAULT_PEER_IDLE_MS;
    this.#max = opts.max ?? MAX_PEERS;
    if (!(this.#idleMs > 0)) throw new RangeError(`idleMs must be above 0, got ${this.#idleMs}`);
    if (!(this.#max >= 1)) throw new RangeError(`max must be 1 or more, got ${this.#max}`);
    this.#now = opts.now ?? (() => performance.now());
  }

  /** How many peers are remembered (some may have expired since). */
  get size(): number {
    return this.#peers.size;
  }

  /** Whether `addr` is a remembered peer that has not expired. */
  has(addr: Deno.Addr): boolean {
    const e = this.#peers.get(peerKey(addr));
    return e !== undefined && this.#now() - e.heard < this.#idleMs;
  }

  /**
   * Notes a datagram from `addr`. Returns whether it is a new peer (never
   * heard, or forgotten since), and the peer dropped to make room, if any.
   */
  heard(addr: Deno.Addr): { isNew: boolean; evicted?: Deno.Addr } {
    const key = peerKey(addr);
    const now = this.#now();
    const known = this.#peers.get(key);
    this.#peers.delete(key);
    this.#peers.set(key, { addr, heard: now });
    if (known && now - known.heard < this.#idleMs) return { isNew: false };
    if (this.#peers.size <= this.#max) return { isNew: true };
    const [oldest, entry] = this.#peers.entries().next().value!;
    this.#peers.delete(oldest);
    return { isNew: true, evicted: entry.addr };
  }

  /** Drops peers quiet for the idle time and returns them. */
  expire(): Deno.Addr[] {
    const dropped: Deno.Addr[] = [];
    const now = this.#now();
    for (const [key, e] of this.#peers) {
      if (now - e.heard < this.#idleMs) break; // the rest were heard later
      this.#peers.delete(key);
      dropped.push(e.addr);
    }
    return dropped;
  }

  /** The peers heard from within the idle time, oldest first. */
  live(): Deno.Addr[] {
    this.expire();
    return [...this.#peers.values()].map((e) => e.addr);
  }

  /** Forgets `addr` (a send to it failed). */
  forget(addr: Deno.Addr): void {
    this.#peers.delete(peerKey(addr));
  }
}
