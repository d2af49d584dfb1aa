/**
 * A datagram socket (UDP or Unix datagram) as a {@linkcode Duplex}, so that
 * datagram sessions run through the same relay as stream sessions: `read()`
 * returns one datagram, `write()` sends one.
 *
 * @module
 */

import type { Duplex } from "../io/sink.ts";
import { unmapIPv4 } from "./address.ts";
import { sameSocketPath } from "./unix_datagram_path.ts";
import { PeerTable } from "./udp_peer_table.ts";

/**
 * The largest datagram socktool sends: the most a UDP datagram over IPv4 can
 * carry (65535 − 20 − 8). A bigger chunk from stdin is split into datagrams of
 * at most this size; the same limit is used for IPv6 and Unix datagrams so
 * that a receiver with a 64 KiB buffer never truncates one.
 */
export const MAX_DATAGRAM = 65507;

/**
 * The part of `Deno.DatagramConn` a session uses; a Unix datagram socket is
 * wrapped to this shape (see `unix_datagram.ts`).
 */
export type DatagramSocket = Pick<Deno.DatagramConn, "receive" | "send" | "close" | "addr">;

/** Reads into a caller's buffer at least this large go straight to the socket. */
const RECEIVE_SIZE = 65536;

/**
 * The receive buffer for a Unix datagram socket. Unix datagrams are not
 * bound by UDP's 64 KiB: a sender may make one as large as its send buffer,
 * which an unprivileged process can raise to twice `net.core.wmem_max`
 * (8 MiB where that is 4 MiB). The kernel cuts a datagram longer than the
 * buffer without a word, so the buffer is that large; it is allocated on
 * the first read and only the pages a datagram fills are ever touched.
 */
export const UNIX_RECEIVE_SIZE = 8 * 1024 * 1024;

/** Options for {@linkcode DatagramDuplex}. */
export interface DatagramDuplexOptions {
  /**
   * Who the session talks to. An address: only that peer (a client's
   * target); datagrams from anyone else are dropped. `"first"`: the sender of
   * the first datagram, then only that peer (`-ul`). `"every"`: every peer
   * heard from lately (`-ulk`, see `udp_peer_table.ts`); writes go to all
   * of them. In both of the last two, writes wait until there is a peer.
   */
  peer: Deno.Addr | "first" | "every";
  /**
   * `"every"` mode: a peer that sends nothing for this long is forgotten
   * (default `DEFAULT_PEER_IDLE_MS`).
   */
  peerIdleMs?: number;
  /** `"every"` mode: at most this many peers (default `MAX_PEERS`). */
  maxPeers?: number;
  /** A datagram already received from the peer: the first `read()` returns it. */
  pending?: Uint8Array;
  /**
   * `-w`: `read()` ends (returns `null`) after this many ms without a
   * datagram either way, since a datagram peer never signals its end. In
   * `"first"` mode the wait for the first datagram does not count.
   */
  idleMs?: number;
  /** The largest datagram to send (default {@linkcode MAX_DATAGRAM}). */
  maxDatagram?: number;
  /**
   * `--allow`/`--deny`: asked about a sender before it becomes a peer; a
   * refused sender's datagrams are dropped unread by the session.
   */
  admit?: (addr: Deno.Addr) => boolean;
  /** Told about each new peer (`"first"` and `"every"` modes). */
  onPeer?: (addr: Deno.Addr) => void;
  /** Told about a datagram dropped because it came from another peer. */
  onStranger?: (addr: Deno.Addr) => void;
  /**
   * `"every"` mode: told about a peer forgotten: `quiet` for the idle time,
   * `evicted` to make room, `unreachable` when a send to it failed (`error`).
   */
  onPeerGone?: (addr: Deno.Addr, why: "quiet" | "evicted" | "unreachable", error?: unknown) => void;
  /**
   * Told once, when data for the one peer is dropped because its socket has
   * no address to send to (an unbound Unix datagram socket).
   */
  onUnanswerable?: (addr: Deno.Addr) => void;
  /** Told once, the first time a write is split into several datagrams. */
  onSplit?: (length: number, max: number) => void;
}

/**
 * Tells whether two datagram addresses name the same peer (IPv4-mapped IPv6
 * counts as the IPv4 address it is; Unix paths count as the socket file
 * they name, however spelled, see `unix_datagram_path.ts`).
 *
 * @example
 * ```ts
 * sameAddr(
 *   { transport: "udp", hostname: "::ffff:127.0.0.1", port: 9 },
 *   { transport: "udp", hostname: "127.0.0.1", port: 9 },
 * ); // true
 * ```
 */
export function sameAddr(a: Deno.Addr, b: Deno.Addr): boolean {
  if (a.transport === "unixpacket" || b.transport === "unixpacket") {
    return a.transport === b.transport &&
      sameSocketPath((a as Deno.UnixAddr).path, (b as Deno.UnixAddr).path);
  }
  const x = a as Deno.NetAddr;
  const y = b as Deno.NetAddr;
  return x.port === y.port && unmapIPv4(x.hostname) === unmapIPv4(y.hostname);
}

/** Whether a peer can be answered: an unbound Unix datagram sender cannot. */
function canAnswer(addr: Deno.Addr): boolean {
  return addr.transport !== "unixpacket" || !!(addr as Deno.UnixAddr).path;
}

/** Why a datagram session failed: a send to its one peer, or a receive. */
export interface DatagramFailure {
  /** What failed. */
  op: "send" | "receive";
  /** The peer a failed send was for. */
  peer?: Deno.Addr;
  /** The error the socket gave. */
  error: unknown;
}

/** How many verdicts on strangers' Unix paths are remembered (a flood stats once each). */
const PATH_VERDICTS = 256;

/**
 * A {@linkcode Duplex} over a datagram socket (`Deno.DatagramConn`). `closeWrite()` does
 * nothing (a datagram socket has no half-close); `close()` closes the socket.
 *
 * @example
 * ```ts
 * const sock = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 0 });
 * const peer: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: 7 };
 * await relay(stdioDuplex(), new DatagramDuplex(sock, { peer, idleMs: 1000 }));
 * ```
 */
export class DatagramDuplex implements Duplex {
  #conn: DatagramSocket;
  #opts: DatagramDuplexOptions;
  #pending: Uint8Array | undefined;
  #spill: Uint8Array | undefined;
  #buf: Uint8Array | undefined;
  #lastActivity = performance.now();
  #split = false;
  #closed = false;
  #peerWaiters: (() => void)[] = [];
  /** The one peer (fixed, or the first sender once known). */
  #fixed: Deno.Addr | undefined;
  /** Its address as compared (IPv4-mapped shown as IPv4). */
  #peerHost: string | undefined;
  /** Unix paths already compared with the one peer's, and the verdict. */
  #pathVerdicts = new Map<string, boolean>();
  /** `"every"` mode: the peers heard from lately. */
  #table: PeerTable | undefined;
  #failure: DatagramFailure | undefined;
  #unanswerable = false;

  /**
   * Wraps a datagram socket as a duplex that talks to one peer.
   *
   * @param conn the socket, already bound
   * @param opts the peer policy and limits
   */
  constructor(conn: DatagramSocket, opts: DatagramDuplexOptions) {
    if (opts.maxDatagram !== undefined && !(opts.maxDatagram >= 1)) {
      throw new RangeError(`maxDatagram must be 1 or more, got ${opts.maxDatagram}`);
    }
    this.#conn = conn;
    this.#opts = opts;
    this.#pending = opts.pending;
    if (opts.peer === "every") {
      this.#table = new PeerTable({ idleMs: opts.peerIdleMs, max: opts.maxPeers });
    } else if (opts.peer !== "first") this.#fix(opts.peer);
  }

  /** The peers writes go to (in `"every"` mode, those heard from lately). */
  get peers(): readonly Deno.Addr[] {
    if (this.#table) {
      this.#expire();
      return this.#table.live();
    }
    return this.#fixed ? [this.#fixed] : [];
  }

  /** The local address of the socket. */
  get localAddr(): Deno.Addr {
    return this.#conn.addr;
  }

  /**
   * What ended the session in failure, if anything did: a send to the one
   * peer that could not be delivered (its Unix socket gone, no route), or a
   * receive error. The relay ends such a session like a normal one; the
   * caller reads this to report it.
   */
  get failure(): DatagramFailure | undefined {
    return this.#failure;
  }

  /**
   * Reads one datagram into `p` (a datagram longer than `p` is returned over
   * several reads). Resolves `null` once `idleMs` pass without traffic, or
   * once a send to the one peer has failed.
   */
  async read(p: Uint8Array): Promise<number | null> {
    if (this.#spill) return this.#fromSpill(p);
    if (this.#pending) {
      const data = this.#pending;
      this.#pending = undefined;
      return this.#deliver(data, p);
    }
    for (;;) {
      const size = this.#conn.addr.transport === "unixpacket" ? UNIX_RECEIVE_SIZE : RECEIVE_SIZE;
      const direct = p.length >= size;
      const target = direct ? p : (this.#buf ??= new Uint8Array(size));
      const got = await this.#receive(target);
      if (got === null) return null;
      const [data, from] = got;
      if (!this.#accept(from)) continue;
      if (this.#opts.idleMs) this.#lastActivity = performance.now();
      if (direct) return data.length;
      return this.#deliver(data, p);
    }
  }

  /**
   * Sends the first `maxDatagram` bytes of `p` as one datagram to every peer
   * and resolves with the count sent; `writeAll` sends the rest as further
   * datagrams. In `"every"` mode, waits until some peer has sent a datagram.
   */
  async write(p: Uint8Array): Promise<number> {
    const max = this.#opts.maxDatagram ?? MAX_DATAGRAM;
    const n = Math.min(p.length, max);
    if (p.length > max && !this.#split) {
      this.#split = true;
      this.#opts.onSplit?.(p.length, max);
    }
    const datagram = n === p.length ? p : p.subarray(0, n);
    if (this.#table) await this.#broadcast(datagram);
    else {
      while (!this.#fixed) await this.#waitForPeer();
      const peer = this.#fixed;
      if (!canAnswer(peer)) {
        if (!this.#unanswerable) this.#opts.onUnanswerable?.(peer);
        this.#unanswerable = true;
      } else {
        try {
          await this.#conn.send(datagram, peer);
        } catch (err) {
          // The one peer is gone (a Unix socket removed, say): nothing more
          // will come from it either, so reading ends too. Closing the socket
          // is what ends a pending receive.
          if (!this.#closed) this.#failure ??= { op: "send", peer, error: err };
          this.close();
          throw err;
        }
      }
    }
    if (this.#opts.idleMs) this.#lastActivity = performance.now();
    return n;
  }

  /** A datagram socket has no half-close: the peer learns nothing. */
  closeWrite(): Promise<void> {
    return Promise.resolve();
  }

  /** Closes the socket; pending reads reject, waiting writes fail. Twice does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    for (const wake of this.#peerWaiters.splice(0)) wake();
  }

  /** `"every"` mode: one datagram to each live peer; one peer gone must not end the listener. */
  async #broadcast(datagram: Uint8Array): Promise<void> {
    const table = this.#table!;
    for (;;) {
      this.#expire();
      const targets = table.live().filter(canAnswer);
      if (targets.length > 0) {
        const results = await Promise.allSettled(targets.map((a) => this.#conn.send(datagram, a)));
        results.forEach((r, i) => {
          if (r.status === "fulfilled" || this.#closed) return;
          table.forget(targets[i]);
          this.#opts.onPeerGone?.(targets[i], "unreachable", r.reason);
        });
        return;
      }
      await this.#waitForPeer();
    }
  }

  /** Forgets the peers quiet for too long, and says so. */
  #expire(): void {
    for (const gone of this.#table!.expire()) this.#opts.onPeerGone?.(gone, "quiet");
  }

  async #waitForPeer(): Promise<void> {
    if (this.#closed) throw new Deno.errors.BadResource("the socket is closed");
    await new Promise<void>((resolve) => this.#peerWaiters.push(resolve));
  }

  #accept(from: Deno.Addr): boolean {
    const fixed = this.#fixed;
    if (fixed) {
      // The hot path of a UDP flood: a plain comparison before any parsing.
      const net = from as Deno.NetAddr;
      if (
        this.#peerHost !== undefined && net.port === (fixed as Deno.NetAddr).port &&
        (net.hostname === this.#peerHost || unmapIPv4(net.hostname) === this.#peerHost)
      ) return true;
      if (this.#peerHost === undefined && this.#isFixedPath(from)) return true;
      this.#opts.onStranger?.(from);
      return false;
    }
    if (this.#table) {
      if (this.#table.has(from)) {
        this.#table.heard(from);
        return true;
      }
      if (this.#opts.admit && !this.#opts.admit(from)) return false;
      const { evicted } = this.#table.heard(from);
      if (evicted) this.#opts.onPeerGone?.(evicted, "evicted");
    } else {
      if (this.#opts.admit && !this.#opts.admit(from)) return false;
      this.#fix(from);
      this.#lastActivity = performance.now();
    }
    this.#opts.onPeer?.(from);
    for (const wake of this.#peerWaiters.splice(0)) wake();
    return true;
  }

  /** Whether a Unix sender is the one peer; each new spelling is looked up once. */
  #isFixedPath(from: Deno.Addr): boolean {
    if (from.transport !== "unixpacket") return false;
    const path = (from as Deno.UnixAddr).path;
    if (path === (this.#fixed as Deno.UnixAddr).path) return path !== "";
    let verdict = this.#pathVerdicts.get(path);
    if (verdict === undefined) {
      verdict = sameAddr(from, this.#fixed!);
      if (this.#pathVerdicts.size >= PATH_VERDICTS) this.#pathVerdicts.clear();
      this.#pathVerdicts.set(path, verdict);
    }
    return verdict;
  }

  #fix(peer: Deno.Addr): void {
    this.#fixed = peer;
    this.#peerHost = peer.transport === "unixpacket"
      ? undefined
      : unmapIPv4((peer as Deno.NetAddr).hostname);
  }

  #deliver(data: Uint8Array, p: Uint8Array): number {
    const n = Math.min(data.length, p.length);
    p.set(data.subarray(0, n));
    // The internal buffer is reused by the next receive: keep a copy of the rest.
    if (n < data.length) this.#spill = data.slice(n);
    return n;
  }

  #fromSpill(p: Uint8Array): number {
    const spill = this.#spill!;
    const n = Math.min(spill.length, p.length);
    p.set(spill.subarray(0, n));
    this.#spill = n < spill.length ? spill.subarray(n) : undefined;
    return n;
  }

  /** One receive, or `null` when the idle time passes or the peer is gone. */
  async #receive(target: Uint8Array): Promise<[Uint8Array, Deno.Addr] | null> {
    if (this.#failure) return null;
    // Waiting for the first peer is not idleness.
    const idle = this.#opts.peer === "first" && !this.#fixed ? 0 : this.#opts.idleMs ?? 0;
    const recv = this.#conn.receive(target);
    try {
      // Without -w, no timer and no race: a datagram flood costs one await each.
      if (idle <= 0) return await recv;
      for (;;) {
        const quiet = performance.now() - this.#lastActivity;
        if (quiet >= idle) {
          recv.catch(() => {}); // rejects when the relay closes the socket
          return null;
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        const tick = new Promise<null>((resolve) =>
          timer = setTimeout(resolve, idle - quiet, null)
        );
        try {
          const got = await Promise.race([recv, tick]);
          if (got !== null) return got;
        } finally {
          clearTimeout(timer);
        }
      }
    } catch (err) {
      if (this.#failure) return null;
      // Our own close() ends a pending receive; anything else is a failure to report.
      if (!this.#closed) this.#failure = { op: "receive", error: err };
      throw err;
    }
  }
}
