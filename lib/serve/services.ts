/**
 * `--serve NAME` over a stream (TCP, Unix): the classic small services
 * (RFC 862 echo, 863 discard, 867 daytime, 864 chargen) plus `upper` (echo
 * upper-cased) and `timestamp` (each line echoed as `[time] line`).
 *
 * Echoing services copy with the shared {@linkcode pump}: backpressure from a
 * client that reads slowly reaches its sending side, and the client's
 * half-close is answered with ours once every byte is echoed.
 *
 * @module
 */

import { watchIdle } from "../session/idle.ts";
import { pump } from "../session/relay.ts";
import { type Duplex, duplexSink } from "../io/sink.ts";
import {
  chargenLines,
  daytimeLine,
  isServeName,
  SERVE_NAMES,
  type ServeName,
  upperAscii,
} from "./responders.ts";
import type { Sink, Stage } from "../io/sink.ts";
import { composeStages, writeAll } from "../io/sink.ts";
import { timestampStage } from "../transforms/timestamp.ts";

export { isServeName, SERVE_NAMES, type ServeName };

/** Options for {@linkcode serveStream}. */
export interface ServeOptions {
  /** Ends the service (the listener is closing). */
  signal?: AbortSignal;
  /** `-w`: close a client silent both ways this long. */
  idleTimeoutMs?: number;
  /** The clock, for tests. */
  now?: () => Date;
}

const BUFFER = 64 * 1024;

/**
 * Runs one client's service until it is done; the caller closes `conn` after.
 *
 * @example
 * ```ts
 * await serveStream("echo", conn);
 * ```
 */
export async function serveStream(
  name: ServeName,
  conn: Duplex,
  options: ServeOptions = {},
): Promise<void> {
  let stop!: () => void;
  const stopped = new Promise<void>((r) => stop = r);
  const idle = watchIdle(options.idleTimeoutMs, stop);
  options.signal?.addEventListener("abort", stop, { once: true });
  const touch = () => idle.touch();
  try {
    // A failed write means the client is gone: that ends its service, quietly
    // (and must not surface later as an unhandled rejection).
    const serving = service(name, conn, touch, options.now ?? (() => new Date())).catch(() => {});
    await Promise.race([serving, stopped]);
  } finally {
    idle.stop();
    options.signal?.removeEventListener("abort", stop);
  }
}

async function service(
  name: ServeName,
  conn: Duplex,
  touch: () => void,
  now: () => Date,
): Promise<void> {
  switch (name) {
    case "echo":
      return await echo(conn, [], touch);
    case "upper":
      return await echo(conn, [upperStage], touch);
    case "timestamp":
      return await echo(conn, [timestampStage({ now })], touch);
    case "discard":
      return await discard(conn, touch);
    case "daytime":
      await writeAll(conn, new TextEncoder().encode(daytimeLine(now())));
      await conn.closeWrite();
      // Wait (briefly) for the client to finish: closing with its bytes
      // unread would reset the connection and could lose the date line.
      await Promise.race([discard(conn, touch), new Promise((r) => setTimeout(r, 1000))]);
      return;
    case "chargen":
      return await chargen(conn, touch);
  }
}

/** Echo through stages; the client's EOF is answered with a half-close. */
async function echo(conn: Duplex, stages: Stage[], touch: () => void): Promise<void> {
  const sink = composeStages(stages, duplexSink(conn, true, touch));
  await pump(conn, sink, BUFFER, touch).catch(() => {});
}

async function discard(conn: Duplex, touch: () => void): Promise<void> {
  const buf = new Uint8Array(BUFFER);
  try {
    while (await conn.read(buf) !== null) touch();
  } catch { /* reset: the client is gone */ }
}

/** Sends the pattern until the client stops accepting it; its input is discarded. */
async function chargen(conn: Duplex, touch: () => void): Promise<void> {
  // One full cycle of the pattern (95 lines) so every write continues it exactly.
  const cycle = chargenLines(0, 95);
  discard(conn, touch);
  try {
    for (;;) {
      await writeAll(conn, cycle);
      touch();
    }
  } catch { /* the client closed */ }
}

/** The `upper` stage: a reused output buffer, since the next sink only borrows it. */
const upperStage: Stage = (next: Sink): Sink => {
  let out = new Uint8Array(0);
  return {
    write(chunk) {
      if (out.length < chunk.length) out = new Uint8Array(chunk.length);
      return next.write(upperAscii(chunk, out.subarray(0, chunk.length)));
    },
    close: () => next.close(),
  };
};
