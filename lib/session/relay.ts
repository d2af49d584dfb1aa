/**
 * The relay: copies bytes both ways between the local side (stdin/stdout, or
 * a program, or another connection) and the remote side, until a stop rule
 * fires. Every mode obtains a connection and ends up here (after OpenBSD nc's
 * `readwrite()`).
 *
 * Stop rules (SPEC §3), one per line:
 * 1. Local input ends (stdin EOF): flush, half-close the remote write side
 *    (unless `halfClose` is false), keep reading the remote side.
 * 2. Remote data ends (EOF): everything it sent has been written out
 *    and the local side is half-closed (a no-op for stdout; EOF for a program
 *    or a forward target); then end at once if the local side is a terminal (nobody will type
 *    more), or once local input ends (or the peer stops accepting) if not.
 * 3. Both directions have ended: end.
 * 4. `quitAfterEofMs` after local input ends: end, whatever is still open.
 * 5. No byte in either direction for `idleTimeoutMs`: fail with "timed out".
 * 6. The local output is gone (stdout closed, EPIPE): end quietly.
 * 7. `signal` aborts: end.
 * 8. Writing to the remote side fails (the peer stops accepting): local input
 *    is no longer read; the session ends once remote data ends.
 * 9. Reading the remote side fails (a reset, a TLS alert): everything received
 *    before it is written out, then the session fails: with the error itself
 *    when it is a `SocktoolError` (the peer said why), else with its cause in
 *    words (a reset peer accepts nothing more, so waiting on would hang).
 *    Writing the remote side that fails with a `SocktoolError` fails the same way.
 *
 * Deno traps handled here and nowhere else: we use `read`/`write` on the raw
 * connection, never `conn.readable`/`conn.writable`, because reading a
 * readable to its end or closing a writable closes the whole connection;
 * `closeWrite()` is the half-close.
 *
 * @module
 */

import { composeStages, type Duplex, duplexSink, type Sink, type Stage } from "../io/sink.ts";

export type { Duplex };
import { causeInWords, ExitCode, SocktoolError } from "../errors.ts";
import { watchIdle } from "./idle.ts";
import { giveBack, takeBuffer } from "../io/buffer_pool.ts";

/** Why a relay ended. */
export type RelayEnd =
  | "done" // both directions finished
  | "remote-closed" // remote data ended and the local side is a terminal
  | "quit-after-eof" // rule 4
  | "local-output-closed" // rule 6
  | "aborted"; // rule 7

/** Options for {@linkcode relay}. */
export interface RelayOptions {
  /** The local side is an interactive terminal (rule 2). */
  localIsTerminal?: boolean;
  /** Half-close the remote side when local input ends (default true). */
  halfClose?: boolean;
  /** Rule 4: end this many ms after local input ends. */
  quitAfterEofMs?: number;
  /** Rule 5: fail after this many ms without a byte either way. */
  idleTimeoutMs?: number;
  /** `send`: never read the remote side's data out; `recv`: never read local input. */
  direction?: "both" | "send" | "recv";
  /** Stages applied to bytes going local → remote (`-C`, `-i`, logs...). */
  outbound?: readonly Stage[];
  /** Stages applied to bytes going remote → local (`--timestamp`, logs...). */
  inbound?: readonly Stage[];
  /** Rule 7. */
  signal?: AbortSignal;
  /** Largest read buffer per direction; datagram sides want at least 65536. */
  bufferSize?: number;
  /**
   * First read buffer per direction (default 16 KiB); it grows to
   * `bufferSize` while reads fill it, so an idle session holds little.
   * Datagram sides set it to `bufferSize`: a datagram must fit one read.
   */
  initialBufferSize?: number;
  /** Called with `-vv` events (half-close, peer closed, ...). */
  onEvent?: (message: string) => void;
  /** A label for the remote side in messages, e.g. `127.0.0.1:9999`. */
  remoteName?: string;
}

/** What a relay did. */
export interface RelayResult {
  /** Bytes written to the remote side. */
  sent: number;
  /** Bytes read from the remote side. */
  received: number;
  /** Milliseconds from start to end. */
  elapsedMs: number;
  /** Which stop rule ended the relay. */
  end: RelayEnd;
  /** The remote side's data ended after our half-close (it may have ended because of it). */
  endedAfterHalfClose: boolean;
}

/**
 * 256 KiB: large enough that per-read overhead vanishes against the copy,
 * small enough to keep two directions well inside the memory bound.
 */
export const DEFAULT_BUFFER_SIZE = 256 * 1024;

/** What a copy loop starts with: idle sessions (thousands on a listener) stay small. */
export const INITIAL_BUFFER_SIZE = 16 * 1024;

/** A failure on one side of a pump, so the stop rules can tell read from write. */
class PumpFailure {
  constructor(readonly side: "read" | "write", readonly error: unknown) {}
}

/**
 * The copy loop: reads `src` and writes each chunk to `sink`, in order.
 *
 * Two buffers take turns: the next read runs while the previous chunk is
 * being written, so the latency of one side (a stdout write costs a thread
 * hop in Deno) hides behind the other's. At most one write is in flight and
 * a buffer is reused only after its write settled, which keeps order, keeps
 * the lent-chunk rule of `sink.ts`, and carries backpressure: a slow writer
 * stops the reads after one buffer.
 *
 * Resolves when `src` ends (after `sink.close()`); rejects with a
 * {@linkcode PumpFailure} telling which side failed, as soon as it fails.
 *
 * @example
 * ```ts
 * await pump(conn, stdoutSink, 65536, () => {});
 * ```
 */
export function pump(
  src: Pick<Duplex, "read">,
  sink: Sink,
  bufferSize: number,
  onChunk: (n: number) => void,
  initialBufferSize: number = bufferSize,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const failWrite = (err: unknown) => {
      if (failed) return;
      failed = true;
      reject(new PumpFailure("write", err));
    };
    (async () => {
      let size = Math.min(initialBufferSize, bufferSize);
      let current = takeBuffer(size);
      let spare: Uint8Array<ArrayBuffer> | undefined;
      let writing: Promise<void> = Promise.resolve();
      // Every way out below comes after the last read and write settled, so
      // the buffers can go back to the pool for the next session.
      try {
        for (;;) {
          let n: number | null;
          try {
            n = await src.read(current);
          } catch (err) {
            // A reset or a read error ends this direction; what was read before
            // it is written out first, then the caller decides what it means.
            await writing;
            if (!failed) {
              failed = true;
              reject(new PumpFailure("read", err));
            }
            return;
          }
          if (failed) return;
          if (n === null) break;
          onChunk(n);
          await writing;
          if (failed) return;
          writing = sink.write(current.subarray(0, n)).catch(failWrite);
          // A full read means more is waiting: grow, up to the largest size.
          if (n === current.length && size < bufferSize) size = Math.min(size * 4, bufferSize);
          let next = spare;
          if (next === undefined || next.length !== size) {
            if (next !== undefined) giveBack(next);
            next = takeBuffer(size);
          }
          spare = current;
          current = next;
        }
        await writing;
        if (failed) return;
        try {
          await sink.close();
        } catch (err) {
          return failWrite(err);
        }
        resolve();
      } finally {
        await writing;
        giveBack(current);
        if (spare !== undefined) giveBack(spare);
      }
    })();
  });
}

/**
 * Relays between `local` and `remote` until a stop rule fires (see the
 * module doc). Closes `remote` before resolving; `local` is the caller's.
 *
 * @example
 * ```ts
 * import { connectTcp, relay } from "@socktool/socktool";
 *
 * // A port forwarder: each client of `front` is relayed to `back`, an echo server.
 * using back = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * back.accept().then((c) => c.readable.pipeTo(c.writable));
 * using front = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const forwarding = front.accept().then(async (client) =>
 *   relay(client, await connectTcp("127.0.0.1", back.addr.port))
 * );
 * using user = await connectTcp("127.0.0.1", front.addr.port);
 * await user.write(new TextEncoder().encode("ping"));
 * await user.closeWrite(); // half-close: the echo still comes back
 * const reply = new Uint8Array(4);
 * await user.read(reply);
 * const result = await forwarding;
 * console.log(new TextDecoder().decode(reply), result.sent, result.received); // ping 4 4
 * ```
 */
export function relay(
  local: Duplex,
  remote: Duplex,
  options: RelayOptions = {},
): Promise<RelayResult> {
  const o = {
    halfClose: true,
    direction: "both",
    bufferSize: DEFAULT_BUFFER_SIZE,
    localIsTerminal: false,
    onEvent: () => {},
    ...options,
  };
  const started = performance.now();
  let sent = 0;
  let received = 0;
  let localEnded = o.direction === "recv";
  let remoteEnded = false;
  let halfClosed = false;
  let remoteEndedAfterHalfClose = false;
  let finished = false;
  const timers: ReturnType<typeof setTimeout>[] = [];
  const initial = options.initialBufferSize ?? Math.min(INITIAL_BUFFER_SIZE, o.bufferSize);

  return new Promise<RelayResult>((resolve, reject) => {
    const abort = () => finish("aborted");
    const cleanUp = () => {
      finished = true;
      for (const t of timers) clearTimeout(t);
      idle.stop();
      o.signal?.removeEventListener("abort", abort);
      try {
        remote.close();
      } catch { /* already closed */ }
    };
    const result = (end: RelayEnd): RelayResult => ({
      sent,
      received,
      elapsedMs: performance.now() - started,
      end,
      endedAfterHalfClose: halfClosed && remoteEndedAfterHalfClose,
    });
    // Rule 2/6/...: the first rule to fire decides; the inbound pump is given
    // its current write to finish, so no reply that already arrived is cut.
    const finish = (end: RelayEnd) => {
      if (finished) return;
      cleanUp();
      inboundSettled.then(() => resolve(result(end)));
    };
    const fail = (err: unknown) => {
      if (finished) return;
      cleanUp();
      reject(err);
    };

    if (o.signal?.aborted) {
      queueMicrotask(abort);
    }
    // Rule 5: the one idle timer, re-armed by every byte either way.
    const idle = watchIdle(o.idleTimeoutMs, () =>
      fail(
        new SocktoolError(
          `${o.remoteName ?? "session"}: idle for ${o.idleTimeoutMs! / 1000} s: timed out`,
          ExitCode.Network,
        ),
      ));
    o.signal?.addEventListener("abort", abort, { once: true });

    const bothEnded = () => {
      if (localEnded && remoteEnded) finish("done");
    };

    // Remote → local.
    let inboundSettled: Promise<void> = Promise.resolve();
    {
      const localSink: Sink = o.direction === "send"
        ? { write: () => Promise.resolve(), close: () => Promise.resolve() }
        : duplexSink(local, true, () => {}); // rule 2: the local side learns the remote data ended
      const sink = composeStages(o.direction === "send" ? [] : o.inbound ?? [], localSink);
      inboundSettled = pump(remote, sink, o.bufferSize, (n) => {
        received += n;
        idle.touch();
      }, initial).then(
        () => {
          o.onEvent("remote side closed");
          remoteEnded = true;
          remoteEndedAfterHalfClose = halfClosed;
        },
        (f: PumpFailure) => {
          if (f.side === "write") {
            if (!finished) o.onEvent("local output closed");
            finish("local-output-closed");
            return;
          }
          // Rule 9: a reset peer takes nothing more; say so and end.
          if (finished) return;
          o.onEvent(`remote read failed: ${causeInWords(f.error)}`);
          if (f.error instanceof SocktoolError) return fail(f.error);
          fail(
            new SocktoolError(
              `${o.remoteName ?? "session"}: ${causeInWords(f.error)}`,
              ExitCode.Network,
              { cause: f.error },
            ),
          );
        },
      ).then(() => {
        if (finished) return;
        if (localEnded || o.direction === "recv") return bothEnded();
        if (o.direction === "send") return;
        if (o.localIsTerminal) finish("remote-closed");
      });
    }

    // Local → remote.
    if (o.direction !== "recv") {
      const remoteSink = duplexSink(remote, o.halfClose, (n) => {
        sent += n;
      });
      const sink = composeStages(o.outbound ?? [], remoteSink);
      pump(local, sink, o.bufferSize, () => idle.touch(), initial).then(
        () => {
          halfClosed = o.halfClose;
          o.onEvent(o.halfClose ? "local input ended: write side shut down" : "local input ended");
        },
        (f: PumpFailure) => {
          if (f.side === "write" && f.error instanceof SocktoolError) return fail(f.error);
          o.onEvent(
            f.side === "read"
              ? `local input failed: ${(f.error as Error)?.message ?? f.error}`
              : "remote side stopped accepting data",
          );
          // Rule 1 even when the input failed: the peer learns we are done.
          if (f.side === "read" && o.halfClose) remote.closeWrite().catch(() => {});
        },
      ).then(() => {
        localEnded = true;
        if (finished) return;
        if (o.direction === "send") return finish("done");
        if (o.quitAfterEofMs !== undefined) {
          if (o.quitAfterEofMs === 0) return finish("quit-after-eof");
          timers.push(setTimeout(() => finish("quit-after-eof"), o.quitAfterEofMs));
        }
        bothEnded();
      });
    }
  });
}
