/**
 * `--broker` and `--chat`: a room that relays every client's data to every
 * other client (after ncat's connection brokering), on the one fan-out
 * engine ({@linkcode FanOut}, whose stop rules end each client's session).
 * Stdin is broadcast to every client too; nothing is written to stdout (as
 * in ncat).
 *
 * `--chat` is the same with lines: each line goes out as `<user1> text`,
 * control characters neutralised ({@linkcode ChatLines}); joins and leaves are
 * announced to everyone (`<announce> 127.0.0.1:5555 is connected as <user1>.`,
 * `<announce> <user1> is disconnected.`). Stdin's lines are sent as `<server>`.
 *
 * @module
 */

import { ChatLines } from "./chat.ts";
import { escapeText } from "../io/escape.ts";
import type { Logger } from "../io/log.ts";
import type { Duplex } from "../io/sink.ts";
import { FanOut, type Member } from "./fanout.ts";

/** Options for {@linkcode Broker}. */
export interface BrokerOptions {
  /** `--chat`: line mode with names and announcements. */
  chat: boolean;
  /** Where joins, leaves and drops are told (`-v`). */
  log: Logger;
  /** Stdin, broadcast to every client; absent: not read. */
  local?: Pick<Duplex, "read">;
  /** `-w`: a client silent both ways this long is closed. */
  idleTimeoutMs?: number;
  /** Bytes queued per client before senders wait. */
  queueLimit?: number;
  /** How long a sender waits for a full queue before dropping its client. */
  stallMs?: number;
}

const encoder = new TextEncoder();

/**
 * The shared room; `serve` runs one client in it until that client leaves.
 *
 * @example
 * ```ts
 * using broker = new Broker({ chat: true, log });
 * await acceptClients(listener, (conn, name, signal) => broker.serve(conn, name, signal),
 *   { keepOpen: true, log, signal });
 * ```
 */
export class Broker implements Disposable {
  readonly #o: BrokerOptions;
  readonly #room: FanOut;
  readonly #nicks = new Map<Member, string>();
  #nextUser = 1;

  /**
   * Opens an empty room.
   *
   * @param options see {@linkcode BrokerOptions}
   */
  constructor(options: BrokerOptions) {
    this.#o = options;
    this.#room = new FanOut(options);
    if (options.local) {
      const lines = options.chat ? new ChatLines("server") : undefined;
      this.#room.pipeSource(options.local, {
        write: (chunk) => this.#room.broadcast(lines ? lines.push(chunk) : chunk),
        close: async () => {
          if (lines) await this.#room.broadcast(lines.flush());
          options.log.debug("local input ended");
        },
      });
    }
  }

  /** Stops reading stdin; call once the listener is done. */
  close(): void {
    this.#room.close();
  }

  /** Same as {@linkcode Broker.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Serves one client until it leaves; the caller closes `conn` after. */
  async serve(conn: Duplex, name: string, signal?: AbortSignal): Promise<void> {
    const nick = `user${this.#nextUser++}`;
    // A Unix client's name comes from the peer: shown escaped, like its text.
    const shown = escapeText(name);
    const lines = this.#o.chat ? new ChatLines(nick) : undefined;
    let member: Member | undefined;
    await this.#room.serve(conn, name, signal, {
      onJoin: (me) => this.#join(member = me, shown, nick),
      onData: (me, chunk) => this.#room.broadcast(lines ? lines.push(chunk) : chunk, me),
      onDataEnd: async (me) => {
        if (lines) await this.#room.broadcast(lines.flush(), me);
      },
    });
    if (member) this.#nicks.delete(member);
    if (this.#o.chat) {
      await this.#room.broadcast(encoder.encode(`<announce> <${nick}> is disconnected.\n`));
    }
    this.#o.log.info(`${name}: left`);
  }

  /** `--chat`: tells the room who came and who was there. */
  async #join(me: Member, shown: string, nick: string): Promise<void> {
    this.#nicks.set(me, nick);
    if (!this.#o.chat) return;
    this.#o.log.info(`${me.name} is <${nick}>`);
    const others = this.#room.members.filter((m) => m !== me);
    const already = others.length
      ? others.map((m) => `${escapeText(m.name)} as <${this.#nicks.get(m)}>`).join(", ")
      : "nobody";
    await this.#room.broadcast(
      encoder.encode(
        `<announce> ${shown} is connected as <${nick}>.\n<announce> already connected: ${already}.\n`,
      ),
    );
  }
}
