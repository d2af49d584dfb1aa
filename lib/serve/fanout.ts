/**
 * The one fan-out engine of serving listeners (ncat's `ncat_broadcast()`):
 * a room of members, each with a bounded queue ({@linkcode Outbox}), that the
 * `-k` stdin broadcast, `--broker` and `--chat` all run on.
 *
 * Stop rules of a member's session, one per line (SPEC §3, serving listeners):
 * 1. Its data ends (EOF): what is queued for it is flushed, its write side is
 *    half-closed (unless the room never half-closes), and its session ends —
 *    whatever the source (stdin) does. Its socket is closed by the accept loop
 *    and its `-m` slot freed.
 * 2. Its read fails (reset): the session ends at once, its queue is dropped.
 * 3. A write to it fails, or it stops reading for `stallMs` while a sender
 *    waits: it is dropped and its session ends.
 * 4. No byte either way for `idleTimeoutMs` (`-w`): its session ends.
 * 5. `signal` aborts (SIGINT, SIGTERM, the listener stopping): it ends.
 *
 * The source (stdin) is read only while somebody is there to get it, so what
 * is typed before anyone connects reaches the first member; its end ends
 * every member's queue (drain, then half-close), later members' at once.
 *
 * @module
 */

import { causeInWords } from "../errors.ts";
import type { Logger } from "../io/log.ts";
import type { Duplex, Sink } from "../io/sink.ts";
import { giveBack, takeBuffer } from "../io/buffer_pool.ts";
import { watchIdle } from "../session/idle.ts";
import { DEFAULT_QUEUE_LIMIT, DEFAULT_STALL_MS, Outbox } from "./outbox.ts";

/** One client in the room. */
export interface Member {
  /** Its address, as `-v` names it. */
  readonly name: string;
  /** Its send queue. */
  readonly outbox: Outbox;
  /** Bytes read from it so far. */
  received: number;
}

/** What a room does with its members' data. */
export interface MemberHandlers {
  /** The member is in the room, before its first read (a chat's announcement). */
  onJoin?(member: Member): Promise<void>;
  /** Takes one chunk a member sent (lent: copy to keep); the next read waits for it. */
  onData(member: Member, chunk: Uint8Array): Promise<void>;
  /** The member's data ended (EOF), before its queue is flushed. */
  onDataEnd?(member: Member): Promise<void>;
}

/** Options for {@linkcode FanOut}. */
export interface FanOutOptions {
  /** Where drops and time-outs are told (`-v`). */
  log: Logger;
  /** `-w`: a member silent both ways this long is closed. */
  idleTimeoutMs?: number;
  /** Bytes queued per member before senders wait. */
  queueLimit?: number;
  /** How long a sender waits for a full queue before dropping its member. */
  stallMs?: number;
  /** Half-close a member once its queue is done (default true; `--no-shutdown`: false). */
  halfClose?: boolean;
  /** Read members' data (default true). Without it a member's session ends only by rules 3-5. */
  readMembers?: boolean;
}

/** What one member's session did. */
export interface MemberResult {
  /** Bytes written to the member. */
  sent: number;
  /** Bytes read from the member. */
  received: number;
  /** Milliseconds from join to leave. */
  elapsedMs: number;
}

/** Read buffer per member: 64 KiB keeps 50 members well under 4 MiB of buffers. */
const MEMBER_BUFFER = 64 * 1024;

/** A member's first read buffer, grown to {@linkcode MEMBER_BUFFER} by full reads. */
const MEMBER_FIRST_BUFFER = 16 * 1024;

/**
 * The room. `serve` runs one member until its session ends; `broadcast`
 * sends to members; `pipeSource` reads a source (stdin) into a sink while
 * anyone is there.
 *
 * @example
 * ```ts
 * const room = new FanOut({ log });
 * room.pipeSource(stdin, { write: (c) => room.broadcast(c), close: async () => room.endSource() });
 * await acceptClients(listener, (conn, name, signal) =>
 *   room.serve(conn, name, signal, { onData: (m, c) => room.broadcast(c, m) }), { ... });
 * ```
 */
export class FanOut implements Disposable {
  readonly #o: Required<Omit<FanOutOptions, "idleTimeoutMs">> & FanOutOptions;
  readonly #members = new Set<Member & { touch(): void }>();
  readonly #closed = new AbortController();
  #sourceEnded = false;
  #arrivals = new Set<() => void>();

  /** @param options see {@linkcode FanOutOptions} */
  constructor(options: FanOutOptions) {
    this.#o = {
      ...options,
      // An option passed as undefined (StdioHub passes its own on) takes the default too.
      queueLimit: options.queueLimit ?? DEFAULT_QUEUE_LIMIT,
      stallMs: options.stallMs ?? DEFAULT_STALL_MS,
      halfClose: options.halfClose ?? true,
      readMembers: options.readMembers ?? true,
    };
  }

  /** The members now in the room, in order of arrival. */
  get members(): readonly Member[] {
    return [...this.#members];
  }

  /** Aborts once {@linkcode FanOut.close} was called. */
  get closed(): AbortSignal {
    return this.#closed.signal;
  }

  /** Stops the source and wakes whoever waits for a member; members end by their signal. */
  close(): void {
    this.#closed.abort();
    for (const wake of this.#arrivals) wake();
  }

  /** Same as {@linkcode FanOut.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Sends one chunk to every member but `except`: copies it once, queues it
   * on each, then waits until each queue has room. A member whose queue is
   * still full after `stallMs` is dropped (rule 3).
   */
  async broadcast(chunk: Uint8Array, except?: Member): Promise<void> {
    const to = [...this.#members].filter((m) => m !== except);
    if (to.length === 0 || chunk.length === 0) return;
    const copy = chunk.slice();
    for (const m of to) m.outbox.enqueue(copy);
    await Promise.all(to.map(async (m) => {
      if (!await m.outbox.waitForRoom(this.#o.stallMs)) {
        this.#o.log.info(
          `${m.name}: dropped: not reading (${m.outbox.queued} bytes queued for ${
            this.#o.stallMs / 1000
          } s)`,
        );
        m.outbox.drop();
      }
    }));
    for (const m of to) m.touch();
  }

  /** The source has ended: every queue drains, then its member is half-closed. */
  endSource(): void {
    this.#sourceEnded = true;
    for (const m of this.#members) m.outbox.end();
  }

  /** Resolves `true` once someone is in the room, `false` if the room closed first. */
  async waitForMember(): Promise<boolean> {
    while (this.#members.size === 0 && !this.#closed.signal.aborted) {
      await new Promise<void>((r) => {
        const wake = () => {
          this.#arrivals.delete(wake);
          r();
        };
        this.#arrivals.add(wake);
      });
    }
    return !this.#closed.signal.aborted;
  }

  /**
   * Reads `src` while anyone is in the room and writes each chunk to `sink`;
   * closes `sink` at the source's end. A chunk read is held until someone is
   * there to get it. Stops when the room closes.
   */
  pipeSource(src: Pick<Duplex, "read">, sink: Sink, bufferSize = MEMBER_BUFFER * 4): void {
    (async () => {
      const buf = new Uint8Array(bufferSize);
      for (;;) {
        if (!await this.waitForMember()) return;
        let n: number | null;
        try {
          n = await src.read(buf);
        } catch {
          n = null;
        }
        if (n === null) break;
        if (!await this.waitForMember()) return;
        await sink.write(buf.subarray(0, n));
      }
      await sink.close();
    })().catch((err) => this.#o.log.info(`local input: ${causeInWords(err)}`));
  }

  /**
   * Serves one member until its session ends (see the stop rules); the
   * caller closes `conn` after, which also ends a read still pending.
   */
  async serve(
    conn: Duplex,
    name: string,
    signal: AbortSignal | undefined,
    handlers: MemberHandlers,
  ): Promise<MemberResult> {
    const started = performance.now();
    const outbox = new Outbox(conn, { limit: this.#o.queueLimit, halfClose: this.#o.halfClose });
    let leave!: () => void;
    const left = new Promise<void>((r) => leave = r);
    using idle = watchIdle(this.#o.idleTimeoutMs, () => {
      this.#o.log.info(`${name}: idle for ${this.#o.idleTimeoutMs! / 1000} s: timed out`);
      leave();
    });
    const member = { name, outbox, received: 0, touch: () => idle.touch() };
    signal?.addEventListener("abort", leave, { once: true });
    // Rule 3: a failed or dropped queue ends the session; a drained one
    // (the source ended) leaves it to the member's own end.
    outbox.done.then((how) => {
      if (how === "failed") {
        this.#o.log.debug(`${name}: write failed: ${causeInWords(outbox.error)}`);
      }
      if (how !== "drained" || !this.#o.readMembers) leave();
    });
    if (this.#sourceEnded) outbox.end();
    this.#members.add(member);
    for (const wake of [...this.#arrivals]) wake();
    try {
      await handlers.onJoin?.(member);
      if (this.#o.readMembers) {
        const reading = this.#read(conn, member, handlers);
        const how = await Promise.race([reading, left.then(() => "left" as const)]);
        if (how === "eof") {
          // Rule 1: it stopped sending; it gets what is queued, then goes.
          this.#members.delete(member);
          await Promise.race([outbox.finish(this.#o.stallMs), left]);
        }
      } else {
        await left;
      }
    } finally {
      signal?.removeEventListener("abort", leave);
      this.#members.delete(member);
      outbox.drop();
    }
    return {
      sent: outbox.written,
      received: member.received,
      elapsedMs: performance.now() - started,
    };
  }

  /** Reads a member's data into `onData`; tells how its data ended. */
  async #read(
    conn: Duplex,
    member: Member & { touch(): void },
    handlers: MemberHandlers,
  ): Promise<"eof" | "failed"> {
    // Small at first, as the relay's (session/relay.ts): a listener with many
    // members that send little holds little; a read that fills it grows it.
    let buf = takeBuffer(MEMBER_FIRST_BUFFER);
    try {
      for (;;) {
        let n: number | null;
        try {
          n = await conn.read(buf);
        } catch (err) {
          // Rule 2.
          this.#o.log.debug(`${member.name}: read failed: ${causeInWords(err)}`);
          return "failed";
        }
        if (n === null) break;
        member.received += n;
        member.touch();
        try {
          await handlers.onData(member, buf.subarray(0, n));
        } catch (err) {
          this.#o.log.debug(`${member.name}: ${causeInWords(err)}`);
          return "failed";
        }
        if (n === buf.length && buf.length < MEMBER_BUFFER) {
          giveBack(buf);
          buf = takeBuffer(Math.min(buf.length * 4, MEMBER_BUFFER));
        }
      }
    } finally {
      // The read settled and onData is done with the chunk: the next member may have it.
      giveBack(buf);
    }
    this.#o.log.debug(`${member.name}: remote side closed`);
    await handlers.onDataEnd?.(member).catch(() => {});
    return "eof";
  }
}
