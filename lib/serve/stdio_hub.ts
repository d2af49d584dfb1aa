/**
 * `-k` with stdin/stdout (SPEC §3): every client's data goes to stdout, and
 * stdin goes to every connected client, on the one fan-out engine
 * ({@linkcode FanOut}, whose stop rules end each client's session).
 *
 * - Stdin is read only while at least one client is connected, so what is
 *   typed before anyone connects reaches the first client (as in ncat).
 * - Clients' data is written to stdout one chunk at a time, whole chunks, in
 *   arrival order; a slow stdout slows every client (backpressure).
 * - A client whose data ends gets what is queued for it, then is closed
 *   (ncat's behaviour), whatever stdin does: no socket outlives its client.
 * - Stdin's end only stops the broadcast: every client is half-closed after
 *   its queue drains (unless `--no-shutdown`), later clients at once, and the
 *   listener goes on; with `-q` it ends that long after.
 * - A closed stdout ends everything quietly (SPEC §4).
 *
 * @module
 */

import type { Logger } from "../io/log.ts";
import { composeStages, type Duplex, duplexSink, type Sink, type Stage } from "../io/sink.ts";
import { summaryLine } from "../session/session.ts";
import { FanOut } from "./fanout.ts";

/** Options for {@linkcode StdioHub}. */
export interface StdioHubOptions {
  /** stdin (read) and stdout (write). */
  local: Duplex;
  /** Half-close clients when stdin ends (not with `--no-shutdown`). */
  halfClose: boolean;
  /** `--send-only` / `--recv-only`. */
  direction: "both" | "send" | "recv";
  /** Stages for stdin → clients and clients → stdout. */
  stages?: { outbound: Stage[]; inbound: Stage[] };
  /** Where `-v` messages go. */
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

/**
 * The shared state of a `-k` listener on stdin/stdout; `serve` runs one
 * client. `stopped` aborts when the listener should end (stdout gone, `-q`).
 *
 * @example
 * ```ts
 * using hub = new StdioHub({ local: stdioDuplex(), halfClose: true, direction: "both", log });
 * await acceptClients(listener, (conn, name, signal) => hub.serve(conn, name, signal),
 *   { keepOpen: true, log, signal: AbortSignal.any([signal, hub.stopped]) });
 * ```
 */
export class StdioHub implements Disposable {
  readonly #o: StdioHubOptions;
  readonly #room: FanOut;
  readonly #stop = new AbortController();
  readonly #output: Sink;
  #outputChain: Promise<void> = Promise.resolve();
  #quitTimer: ReturnType<typeof setTimeout> | undefined;

  /** @param options see {@linkcode StdioHubOptions} */
  constructor(options: StdioHubOptions) {
    this.#o = options;
    this.#room = new FanOut({
      log: options.log,
      idleTimeoutMs: options.idleTimeoutMs,
      queueLimit: options.queueLimit,
      stallMs: options.stallMs,
      // --recv-only never sends, so it never half-closes either (as the relay).
      halfClose: options.halfClose && options.direction !== "recv",
    });
    this.#output = composeStages(
      options.stages?.inbound ?? [],
      duplexSink(options.local, false, () => {}),
    );
    if (options.direction === "recv") this.#room.endSource();
    else {
      const toClients: Sink = {
        write: (chunk) => this.#room.broadcast(chunk),
        close: () => {
          this.#o.log.debug("local input ended");
          this.#room.endSource();
          const q = this.#o.quitAfterEofMs;
          if (q !== undefined) this.#quitTimer = setTimeout(() => this.#stop.abort(), q);
          return Promise.resolve();
        },
      };
      this.#room.pipeSource(
        options.local,
        composeStages(options.stages?.outbound ?? [], toClients),
      );
    }
  }

  /** Aborts when the listener should end: stdout is gone, or `-q` expired. */
  get stopped(): AbortSignal {
    return this.#stop.signal;
  }

  /** Stops stdin's broadcast and the `-q` timer; call once the listener is done. */
  close(): void {
    clearTimeout(this.#quitTimer);
    this.#stop.abort();
    this.#room.close();
  }

  /** Same as {@linkcode StdioHub.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Serves one client until its session ends; the caller closes `conn` after. */
  async serve(conn: Duplex, name: string, signal?: AbortSignal): Promise<void> {
    const ended = signal ? AbortSignal.any([signal, this.#stop.signal]) : this.#stop.signal;
    const result = await this.#room.serve(conn, name, ended, {
      // --send-only reads clients only to learn when they leave.
      onData: (_member, chunk) =>
        this.#o.direction === "send" ? Promise.resolve() : this.#toStdout(chunk),
    });
    this.#o.log.info(summaryLine(name, result));
  }

  /** One chunk at a time, whole, so clients' bytes never interleave mid-chunk. */
  async #toStdout(chunk: Uint8Array): Promise<void> {
    const written = this.#outputChain.then(() => this.#output.write(chunk));
    this.#outputChain = written.catch(() => {});
    try {
      await written;
    } catch (err) {
      this.#o.log.debug("local output closed");
      this.#stop.abort();
      throw err;
    }
  }
}
