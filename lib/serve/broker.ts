/**
 * `--broker` and `--chat`: a hub that relays every client's data to every
 * other client (after ncat's connection brokering). Stdin is broadcast to
 * every client too; nothing is written to stdout (as in ncat).
 *
 * `--chat` is the same with lines: each line goes out as `<user1> text`,
 * control characters neutralised ({@linkcode ChatLines}); joins and leaves are
 * announced to everyone (`<announce> 127.0.0.1:5555 is connected as <user1>.`,
 * `<announce> <user1> is disconnected.`). Stdin's lines are sent as `<server>`.
 *
 * Each client has a bounded queue ({@linkcode Outbox}): a sender waits for
 * room in the others' queues (backpressure), and a client that stops reading
 * is dropped after `stallMs` so it cannot stall the room.
 *
 * @module
 */

import { ChatLines } from "./chat.ts";
import { causeInWords } from "../errors.ts";
import { broadcast, DEFAULT_QUEUE_LIMIT, DEFAULT_STALL_MS, Outbox } from "./outbox.ts";
import { watchIdle } from "./accept.ts";
import type { Logger } from "../io/log.ts";
import type { Duplex } from "../io/sink.ts";

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

interface Member {
  name: string;
  /** `user1`, `user2`, ... in order of arrival. */
  nick: string;
  outbox: Outbox;
  touch(): void;
}

const encoder = new TextEncoder();
const BUFFER = 64 * 1024;

/**
 * The shared room; `serve` runs one client in it until that client leaves.
 *
 * @example
 * ```ts
 * const broker = new Broker({ chat: true, log });
 * await acceptClients(listener, (conn, name) => broker.serve(conn, name),
 *   { keepOpen: true, log, signal });
 * ```
 */
export class Broker {
  readonly #o: BrokerOptions & { queueLimit: number; stallMs: number };
  readonly #members = new Set<Member>();
  #nextUser = 1;
  #stdinStarted = false;
  #memberArrived: (() => void) | undefined;
  #closed = false;

  /**
   * Opens an empty room.
   *
   * @param options see {@linkcode BrokerOptions}
   */
  constructor(options: BrokerOptions) {
    this.#o = { queueLimit: DEFAULT_QUEUE_LIMIT, stallMs: DEFAULT_STALL_MS, ...options };
  }

  /** Stops reading stdin; call once the listener is done. */
  close(): void {
    this.#closed = true;
    this.#memberArrived?.();
  }

  /** Serves one client until it leaves; the caller closes `conn` after. */
  async serve(conn: Duplex, name: string, signal?: AbortSignal): Promise<void> {
    const nick = `user${this.#nextUser++}`;
    let left!: () => void;
    const gone = new Promise<void>((r) => left = r);
    const idle = watchIdle(this.#o.idleTimeoutMs, () => {
      this.#o.log.info(`${name}: idle for ${this.#o.idleTimeoutMs! / 1000} s: timed out`);
      left();
    });
    const me: Member = {
      name,
      nick,
      outbox: new Outbox(conn, { limit: this.#o.queueLimit }),
      touch: () => idle.touch(),
    };
    signal?.addEventListener("abort", left, { once: true });
    me.outbox.done.then((how) => {
      if (how === "failed") {
        this.#o.log.debug(`${name}: write failed: ${causeInWords(me.outbox.error)}`);
      }
      left();
    });

    const others = [...this.#members];
    this.#members.add(me);
    this.#memberArrived?.();
    this.#startStdin();
    if (this.#o.chat) {
      this.#o.log.info(`${name} is <${nick}>`);
      const already = others.length
        ? others.map((m) => `${m.name} as <${m.nick}>`).join(", ")
        : "nobody";
      await this.#send(
        [...this.#members],
        `<announce> ${name} is connected as <${nick}>.\n<announce> already connected: ${already}.\n`,
      );
    }

    const lines = this.#o.chat ? new ChatLines(nick) : undefined;
    const reading = (async () => {
      const buf = new Uint8Array(BUFFER);
      for (;;) {
        let n: number | null;
        try {
          n = await conn.read(buf);
        } catch (err) {
          this.#o.log.debug(`${name}: read failed: ${causeInWords(err)}`);
          return;
        }
        if (n === null) break;
        me.touch();
        const data = lines ? lines.push(buf.subarray(0, n)) : buf.subarray(0, n);
        await this.#relay(me, data);
      }
      if (lines) await this.#relay(me, lines.flush());
    })().catch((err) => this.#o.log.debug(`${name}: ${causeInWords(err)}`));
    await Promise.race([reading, gone]);
    // A client that stopped sending has left the room: it gets what was
    // already queued for it (unless it stopped reading too), then is closed.
    this.#members.delete(me);
    await me.outbox.finish(this.#o.stallMs);
    idle.stop();
    signal?.removeEventListener("abort", left);
    left();
    if (this.#o.chat) {
      await this.#send([...this.#members], `<announce> <${nick}> is disconnected.\n`);
    }
    this.#o.log.info(`${name}: left`);
  }

  /** Sends a sender's bytes to everyone else in the room. */
  #relay(from: Member | undefined, data: Uint8Array): Promise<void> {
    return this.#broadcast([...this.#members].filter((m) => m !== from), data);
  }

  #send(to: Member[], text: string): Promise<void> {
    return this.#broadcast(to, encoder.encode(text));
  }

  async #broadcast(to: Member[], data: Uint8Array): Promise<void> {
    await broadcast(to.map((m) => m.outbox), data, this.#o.stallMs, (box) => {
      const m = to.find((m) => m.outbox === box);
      this.#o.log.info(`${m?.name ?? "client"}: dropped: not reading (${box.queued} bytes queued)`);
      box.drop();
    });
    for (const m of to) m.touch();
  }

  /** Reads stdin while anyone is connected and broadcasts it. */
  #startStdin(): void {
    const local = this.#o.local;
    if (this.#stdinStarted || !local) return;
    this.#stdinStarted = true;
    const lines = this.#o.chat ? new ChatLines("server") : undefined;
    (async () => {
      const buf = new Uint8Array(BUFFER);
      for (;;) {
        while (this.#members.size === 0 && !this.#closed) {
          await new Promise<void>((r) => this.#memberArrived = r);
        }
        if (this.#closed) return;
        const n = await local.read(buf).catch(() => null);
        if (n === null) break;
        const data = lines ? lines.push(buf.subarray(0, n)) : buf.subarray(0, n);
        await this.#relay(undefined, data);
      }
      if (lines) await this.#relay(undefined, lines.flush());
      this.#o.log.debug("local input ended");
    })().catch((err) => this.#o.log.info(`local input: ${causeInWords(err)}`));
  }
}
