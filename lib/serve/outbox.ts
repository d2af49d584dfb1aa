/**
 * One client's bounded send queue, for listeners that send the same bytes to
 * many clients (`-k` stdin broadcast, `--broker`, `--chat`).
 *
 * Why a queue per client: the sender must not wait on the slowest client for
 * every chunk, and must not let memory grow for a client that stopped reading.
 * So each client gets its own writer loop and queue; a sender enqueues, then
 * waits until every queue is below the limit, but only for `stallMs`: a client
 * whose queue is still full then is dropped ({@linkcode broadcast}). A client
 * that reads slowly but steadily slows the broadcast (backpressure); one that
 * stalls costs the others at most `stallMs`.
 *
 * @module
 */

import type { Duplex } from "../io/sink.ts";
import { writeAll } from "../io/sink.ts";

/** Bytes queued for one client before its senders wait: 1 MiB. */
export const DEFAULT_QUEUE_LIMIT = 1024 * 1024;

/** How long a sender waits for a full queue before dropping its client: 3 s. */
export const DEFAULT_STALL_MS = 3000;

/** How an outbox ended. */
export type OutboxEnd = "drained" | "failed" | "dropped";

/** Options for {@linkcode Outbox}. */
export interface OutboxOptions {
  /** Bytes queued before {@linkcode Outbox.full} is true. */
  limit?: number;
  /** Half-close the connection once ended and drained (default true). */
  halfClose?: boolean;
}

/**
 * A client's send queue and the loop that writes it out.
 *
 * @example
 * ```ts
 * const box = new Outbox(conn);
 * box.enqueue(new TextEncoder().encode("hello\n"));
 * box.end(); // half-close once "hello\n" is written
 * console.log(await box.done); // "drained"
 * ```
 */
export class Outbox {
  /** Resolves once the outbox has stopped, telling how (at once when dropped). */
  readonly done: Promise<OutboxEnd>;
  /** Bytes written to the connection so far. */
  written = 0;
  /** The error that made a write fail, if one did. */
  error: unknown;

  readonly #conn: Pick<Duplex, "write" | "closeWrite">;
  readonly #limit: number;
  readonly #halfClose: boolean;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #stopped: OutboxEnd | undefined;
  #wake: (() => void) | undefined;
  #roomWaiters = new Set<() => void>();
  #resolveDone!: (how: OutboxEnd) => void;

  /**
   * @param conn where the bytes go
   * @param options queue limit and half-close
   */
  constructor(conn: Pick<Duplex, "write" | "closeWrite">, options: OutboxOptions = {}) {
    this.#conn = conn;
    this.#limit = options.limit ?? DEFAULT_QUEUE_LIMIT;
    this.#halfClose = options.halfClose ?? true;
    this.done = new Promise((r) => this.#resolveDone = r);
    this.#run();
  }

  /** Bytes waiting to be written. */
  get queued(): number {
    return this.#queued;
  }

  /** The queue is at or above its limit: senders should wait. */
  get full(): boolean {
    return this.#queued >= this.#limit;
  }

  /** The loop has stopped (drained, failed or dropped): enqueued bytes go nowhere. */
  get stopped(): boolean {
    return this.#stopped !== undefined;
  }

  /**
   * Queues a chunk. The chunk is kept, not copied: the caller must not change
   * it afterwards (one copy can be shared by every client's queue).
   */
  enqueue(chunk: Uint8Array): void {
    if (this.#stopped || this.#ended || chunk.length === 0) return;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    this.#wake?.();
  }

  /** No more chunks: write what is queued, then half-close. */
  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  /** Stops at once and forgets the queue (the owner closes the connection). */
  drop(): void {
    this.#stop("dropped");
  }

  /**
   * Resolves `true` when the queue is below its limit, or `false` when it is
   * still full after `timeoutMs`. A stopped outbox always has room.
   */
  waitForRoom(timeoutMs: number): Promise<boolean> {
    if (!this.full || this.#stopped) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onRoom = () => {
        clearTimeout(timer);
        this.#roomWaiters.delete(onRoom);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#roomWaiters.delete(onRoom);
        resolve(!this.full || this.#stopped !== undefined);
      }, timeoutMs);
      this.#roomWaiters.add(onRoom);
    });
  }

  /**
   * Ends the outbox and waits for it to drain, dropping it if `stallMs` pass
   * with no byte written (a client that stopped reading is not waited for).
   */
  async finish(stallMs: number): Promise<OutboxEnd> {
    this.end();
    for (;;) {
      const before = this.written;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const result = await Promise.race([
        this.done,
        new Promise<undefined>((r) => timer = setTimeout(() => r(undefined), stallMs)),
      ]);
      clearTimeout(timer);
      if (result !== undefined) return result;
      if (this.written === before) {
        this.drop();
        return "dropped";
      }
    }
  }

  #stop(how: OutboxEnd): void {
    if (this.#stopped) return;
    this.#stopped = how;
    this.#resolveDone(how);
    this.#queue = [];
    this.#queued = 0;
    this.#wake?.();
    this.#notifyRoom();
  }

  #notifyRoom(): void {
    for (const w of [...this.#roomWaiters]) w();
  }

  /** The writer loop; never rejects (a failure stops the outbox). */
  async #run(): Promise<void> {
    while (!this.#stopped) {
      const chunk = this.#queue.shift();
      if (chunk === undefined) {
        if (this.#ended) {
          try {
            if (this.#halfClose) await this.#conn.closeWrite();
            this.#stop("drained");
          } catch (err) {
            this.error = err;
            this.#stop("failed");
          }
          break;
        }
        await new Promise<void>((r) => this.#wake = r);
        this.#wake = undefined;
        continue;
      }
      try {
        await writeAll(this.#conn, chunk);
      } catch (err) {
        this.error = err;
        this.#stop("failed");
        break;
      }
      if (this.#stopped) break;
      this.written += chunk.length;
      this.#queued -= chunk.length;
      if (!this.full) this.#notifyRoom();
    }
  }
}

/**
 * Sends one chunk to many outboxes: copies it once, queues the copy on each,
 * then waits until each has room. An outbox still full after `stallMs` is
 * handed to `onStall` (which drops its client).
 *
 * @example
 * ```ts
 * await broadcast(clients.map((c) => c.outbox), chunk, DEFAULT_STALL_MS, (box) => dropClient(box));
 * ```
 */
export async function broadcast(
  targets: readonly Outbox[],
  chunk: Uint8Array,
  stallMs: number,
  onStall: (outbox: Outbox) => void,
): Promise<void> {
  if (targets.length === 0 || chunk.length === 0) return;
  const copy = chunk.slice();
  for (const t of targets) t.enqueue(copy);
  await Promise.all(targets.map(async (t) => {
    if (!await t.waitForRoom(stallMs)) onStall(t);
  }));
}
