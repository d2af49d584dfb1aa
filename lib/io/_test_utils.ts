/**
 * Test helpers for stages: a sink that records what reaches it, and a feeder
 * that lends chunks the way the relay does (one buffer, reused).
 *
 * @module
 */

import { concatBytes } from "./bytes.ts";
import type { Sink } from "./sink.ts";

/** A sink that keeps a copy of every chunk written to it, and whether it was closed. */
export class RecordSink implements Sink {
  /** Copies of the chunks, in order. */
  readonly chunks: Uint8Array[] = [];
  /** Whether `close()` was called. */
  closed = false;

  /** Copies the chunk, since it is only lent. */
  write(chunk: Uint8Array): Promise<void> {
    this.chunks.push(chunk.slice());
    return Promise.resolve();
  }

  /** Records the close. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** All recorded bytes joined. */
  bytes(): Uint8Array {
    return concat(this.chunks);
  }
}

/** Joins byte arrays (the tests' name for {@linkcode concatBytes}). */
export const concat: (parts: readonly Uint8Array[]) => Uint8Array = concatBytes;

/**
 * Writes each chunk through one reused buffer and scribbles over it once the
 * write resolves, as the relay may: a stage that keeps a lent chunk without
 * copying it shows up as corrupted output. Closes the sink unless told not to.
 */
export async function feed(
  sink: Sink,
  chunks: readonly (Uint8Array | string)[],
  options: { close?: boolean } = {},
): Promise<void> {
  const encoded = chunks.map((c) => typeof c === "string" ? new TextEncoder().encode(c) : c);
  const buffer = new Uint8Array(Math.max(1, ...encoded.map((c) => c.length)));
  for (const chunk of encoded) {
    buffer.set(chunk);
    await sink.write(buffer.subarray(0, chunk.length));
    buffer.fill(0x58); // "X"
  }
  if (options.close ?? true) await sink.close();
}

/** UTF-8 bytes of a string. */
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
