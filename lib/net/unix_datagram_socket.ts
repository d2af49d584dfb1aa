/**
 * A Unix datagram socket that can send while it waits to receive.
 *
 * Deno's Unix datagram socket cannot: a pending `receive()` holds the socket
 * exclusively, and a `send()` meanwhile fails at once with "Busy: Socket
 * already in use" (UDP sockets have no such limit). A datagram session always
 * has a receive pending, so every reply would fail. The socket cannot be
 * closed and bound again to free it: a peer that `connect()`ed to it (netcat
 * does) would lose it. So a send that finds a receive pending first wakes
 * that receive with an empty datagram from a helper socket of our own,
 * bound to a private path; the receive drops such wake-ups, waits for the
 * send to finish, and carries on. No datagram is lost and the peer sees one
 * socket throughout.
 *
 * @module
 */

import { ownSocketFile, removeSocketFileSync, tempSocketPath } from "./unix_socket_file.ts";
import type { DatagramSocket } from "./udp_duplex.ts";

const WAKE = new Uint8Array(0);

/**
 * Wraps a bound Unix datagram socket so that `send` and `receive` may
 * overlap. Sends are serialized; a receive started while sends wait waits
 * for them.
 *
 * @example
 * ```ts
 * const sock = new UnixDatagramSocket(Deno.listenDatagram({ transport: "unixpacket", path }));
 * const pending = sock.receive();
 * await sock.send(bytes, peer); // would fail with "Busy" on the bare socket
 * ```
 */
export class UnixDatagramSocket implements DatagramSocket {
  #sock: Deno.DatagramConn;
  #waker: Deno.DatagramConn | undefined;
  #wakerPath: string | undefined;
  #receiving: Promise<unknown> | undefined;
  #sendsWaiting = 0;
  #sendChain: Promise<unknown> = Promise.resolve();
  #idle: (() => void)[] = [];
  #closed = false;

  /** @param sock a Unix datagram socket bound to a path */
  constructor(sock: Deno.DatagramConn) {
    this.#sock = sock;
  }

  /** The bound address. */
  get addr(): Deno.Addr {
    return this.#sock.addr;
  }

  /** Waits for the next datagram (wake-ups of our own are skipped). */
  async receive(p?: Uint8Array): Promise<[Uint8Array<ArrayBuffer>, Deno.Addr]> {
    for (;;) {
      while (this.#sendsWaiting > 0 && !this.#closed) {
        await new Promise<void>((resolve) => this.#idle.push(resolve));
      }
      const receiving = this.#sock.receive(p);
      this.#receiving = receiving;
      let got: [Uint8Array<ArrayBuffer>, Deno.Addr];
      try {
        got = await receiving;
      } finally {
        if (this.#receiving === receiving) this.#receiving = undefined;
      }
      const from = got[1] as Deno.UnixAddr;
      if (this.#wakerPath !== undefined && from.path === this.#wakerPath) continue;
      return got;
    }
  }

  /** Sends one datagram, first waking a pending receive so the socket is free. */
  send(p: Uint8Array, addr: Deno.Addr): Promise<number> {
    this.#sendsWaiting++;
    const sent = this.#sendChain.then(async () => {
      if (this.#receiving) {
        const receiving = this.#receiving;
        await this.#wake();
        await receiving.catch(() => {});
      }
      return await this.#sock.send(p, addr);
    });
    this.#sendChain = sent.catch(() => {});
    return sent.finally(() => {
      this.#sendsWaiting--;
      if (this.#sendsWaiting === 0) { for (const go of this.#idle.splice(0)) go(); }
    });
  }

  /** Closes the socket and the helper (its file too); the bound path is the caller's. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of [this.#sock, this.#waker]) {
      try {
        s?.close();
      } catch { /* closed already */ }
    }
    if (this.#wakerPath !== undefined) removeSocketFileSync(this.#wakerPath);
    for (const go of this.#idle.splice(0)) go();
  }

  async #wake(): Promise<void> {
    if (!this.#waker) {
      this.#wakerPath = tempSocketPath();
      this.#waker = Deno.listenDatagram({ transport: "unixpacket", path: this.#wakerPath });
      ownSocketFile(this.#wakerPath);
    }
    await this.#waker.send(WAKE, this.#sock.addr);
  }
}
