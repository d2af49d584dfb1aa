/**
 * `-k` with stdin/stdout (SPEC §3): every client's data goes to stdout, and
 * stdin goes to every connected client.
 *
 * - Stdin is read only while at least one client is connected, so what is
 *   typed before anyone connects reaches the first client (as in ncat).
 * - Each client has a bounded queue ({@linkcode Outbox}); a client that stops
 *   reading is dropped with a `-v` line instead of stalling the others.
 * - Clients' data is written to stdout one chunk at a time, whole chunks, in
 *   arrival order; a slow stdout slows every client (backpressure).
 * - Stdin's end only stops the broadcast: every client is half-closed after
 *   its queue drains (unless `--no-shutdown`), later clients at once, and the
 *   listener goes on. A client's session ends when it has stopped sending
 *   and its queue has drained (or at once if stdin is a terminal).
 * - A closed stdout ends everything quietly (SPEC §4).
 *
 * @module
 */

import { causeInWords } from "../errors.ts";
import { broadcast, DEFAULT_QUEUE_LIMIT, DEFAULT_STALL_MS, Outbox } from "./outbox.ts";
import { watchIdle } from "./accept.ts";
import type { Logger } from "../io/log.ts";
import { type Duplex, duplexSink } from "../io/sink.ts";
import { summaryLine } from "../session/session.ts";
import { composeStages, type Sink, type Stage } from "../io/sink.ts";

/** Options for {@linkcode StdioHub}. */
export interface StdioHubOptions {
  /** stdin (read) and stdout (write). */
  local: Duplex;
  /** stdin is a terminal: a client that stops sending is closed at once. */
  localIsTerminal: boolean;
  /** Half-close clients when stdin ends (not with `--no-shutdown`). */
  halfClose: boolean;
  /** `--send-only` / `--recv-only`. */
  direction: "both" | "send" | "recv";
  /** Stages for stdin → clients and clients → stdout. */
  stages?: { outbound: Stage[]; inbound: Stage[] };
  log: Logger;
  /** `-w`: a client silent both ways this long is closed. */
  idleTimeoutMs?: number;
  /** `-q`: the listener ends this long after stdin ends. */
  quitAfterEofMs?: number;
  /** Bytes queued per client before the broadcast waits. */
  queueLimit?: number;
  /** How long the broadcast waits for a full queue before dropping that client. */
  stallMs?: number;
}

interface Client {
  name: string;
  outbox: Outbox;
  received: number;
  touch(): void;
}

/** Read buffer per client: 64 KiB keeps 50 clients well under 4 MiB of buffers. */
const CLIENT_BUFFER = 64 * 1024;

/**
 * The shared state of a `-k` listener on stdin/stdout; `serve` runs one
 * client. `stopped` aborts when the listener should end (stdout gone, `-q`).
 *
 * @example
 * ```ts
 * const hub = new StdioHub({ local: stdioDuplex(), localIsTerminal: false, halfClose: true,
 *   direction: "both", log });
 * await acceptClients(listener, (conn, name) => hub.serve(conn, name),
 *   { keepOpen: true, log, signal: AbortSignal.any([signal, hub.stopped]) });
 * ```
 */
export class StdioHub {
  readonly #o: Required<Pick<StdioHubOptions, "queueLimit" | "stallMs">> & StdioHubOptions;
  readonly #clients = new Set<Client>();
  readonly #stop = new AbortController();
  readonly #output: Sink;
  #outputChain: Promise<void> = Promise.resolve();
  #stdinStarted = false;
  #stdinEnded = false;
  #clientArrived: (() => void) | undefined;
  #quitTimer: ReturnType<typeof setTimeout> | undefined;

  /** @param options see {@linkcode StdioHubOptions} */
  constructor(options: StdioHubOptions) {
    this.#o = { queueLimit: DEFAULT_QUEUE_LIMIT, stallMs: DEFAULT_STALL_MS, ...options };
    this.#output = composeStages(
      this.#o.stages?.inbound ?? [],
      duplexSink(this.#o.local, false, () => {}),
    );
    if (this.#o.direction === "recv") this.#stdinEnded = true;
  }

  /** Aborts when the listener should end: stdout is gone, or `-q` expired. */
  get stopped(): AbortSignal {
    return this.#stop.signal;
  }

  /** Stops the hub's timers; call once the listener is done. */
  close(): void {
    clearTimeout(this.#quitTimer);
    this.#stop.abort();
    this.#clientArrived?.();
  }

  /**
   * Serves one client until it is done; the caller closes `conn` after.
   */
  async serve(conn: Duplex, name: string, signal?: AbortSignal): Promise<void> {
    const started = performance.now();
    const outbox = new Outbox(conn, {
      limit: this.#o.queueLimit,
      // --recv-only never sends, so it never half-closes either (as the relay).
      halfClose: this.#o.halfClose && this.#o.direction !== "recv",
    });
    let ended!: () => void;
    const end = new Promise<void>((r) => ended = r);
    const idle = watchIdle(this.#o.idleTimeoutMs, () => {
      this.#o.log.info(`${name}: idle for ${this.#o.idleTimeoutMs! / 1000} s: timed out`);
      ended();
    });
    const client: Client = { name, outbox, received: 0, touch: () => idle.touch() };
    const onAbort = () => ended();
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#stop.signal.addEventListener("abort", onAbort, { once: true });

    let readEnded = this.#o.direction === "send";
    let sendEnded = false;
    // A session ends when the client has stopped sending and its queue is
    // done (SPEC §3, rule 3), or the queue failed (the client is gone).
    const check = () => {
      if (readEnded && (sendEnded || this.#o.localIsTerminal)) ended();
    };
    if (this.#stdinEnded) outbox.end();
    this.#clients.add(client);
    this.#clientArrived?.();
    this.#startStdin();
    outbox.done.then((how) => {
      sendEnded = true;
      if (how === "failed") {
        this.#o.log.debug(`${name}: write failed: ${causeInWords(outbox.error)}`);
        ended();
      } else if (how === "dropped") ended();
      check();
    });
    if (!readEnded) {
      this.#readClient(conn, client).then((clean) => {
        readEnded = true;
        if (!clean) ended();
        check();
      });
    }
    await end;
    idle.stop();
    signal?.removeEventListener("abort", onAbort);
    this.#stop.signal.removeEventListener("abort", onAbort);
    this.#clients.delete(client);
    outbox.drop();
    this.#o.log.info(summaryLine(name, {
      sent: outbox.written,
      received: client.received,
      elapsedMs: performance.now() - started,
      end: "done",
    }));
  }

  /** Copies one client's data to stdout; resolves `true` at EOF, `false` on a read error. */
  async #readClient(conn: Duplex, client: Client): Promise<boolean> {
    const buf = new Uint8Array(CLIENT_BUFFER);
    for (;;) {
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch (err) {
        this.#o.log.debug(`${client.name}: read failed: ${causeInWords(err)}`);
        return false;
      }
      if (n === null) return true;
      client.received += n;
      client.touch();
      const chunk = buf.subarray(0, n);
      // One chunk at a time, whole, so clients' bytes never interleave mid-chunk.
      const written = this.#outputChain.then(() => this.#output.write(chunk));
      this.#outputChain = written.catch(() => {});
      try {
        await written;
      } catch {
        this.#o.log.debug("local output closed");
        this.#stop.abort();
        return false;
      }
    }
  }

  /** Starts the stdin reader the first time a client connects. */
  #startStdin(): void {
    if (this.#stdinStarted || this.#stdinEnded) return;
    this.#stdinStarted = true;
    const toClients: Sink = {
      write: async (chunk) => {
        // Hold the chunk (one at most) until someone is there to get it.
        while (this.#clients.size === 0 && !this.#stop.signal.aborted) {
          await new Promise<void>((r) => this.#clientArrived = r);
        }
        const targets = [...this.#clients].map((c) => c.outbox);
        await broadcast(targets, chunk, this.#o.stallMs, (box) => {
          const c = [...this.#clients].find((c) => c.outbox === box);
          this.#o.log.info(
            `${c?.name ?? "client"}: dropped: not reading (${box.queued} bytes queued for ${
              this.#o.stallMs / 1000
            } s)`,
          );
          box.drop();
        });
        for (const c of this.#clients) c.touch();
      },
      close: () => {
        this.#stdinEnded = true;
        this.#o.log.debug("local input ended");
        for (const c of this.#clients) c.outbox.end();
        const q = this.#o.quitAfterEofMs;
        if (q !== undefined) this.#quitTimer = setTimeout(() => this.#stop.abort(), q);
        return Promise.resolve();
      },
    };
    const sink = composeStages(this.#o.stages?.outbound ?? [], toClients);
    (async () => {
      const buf = new Uint8Array(CLIENT_BUFFER * 4);
      for (;;) {
        if (this.#stop.signal.aborted) return;
        let n: number | null;
        try {
          n = await this.#o.local.read(buf);
        } catch {
          n = null;
        }
        if (n === null) break;
        await sink.write(buf.subarray(0, n));
      }
      await sink.close();
    })().catch((err) => this.#o.log.info(`local input: ${causeInWords(err)}`));
  }
}
