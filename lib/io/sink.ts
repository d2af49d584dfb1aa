/**
 * The data path's building blocks: a {@linkcode Sink} takes chunks, a
 * {@linkcode Stage} wraps a sink to change or observe what flows into it.
 *
 * A chunk passed to `write` is only lent: the caller reuses its buffer as soon
 * as the returned promise settles, so a stage that keeps bytes past that point
 * must copy them. That rule lets the copy loop read into one buffer forever,
 * with no allocation per chunk.
 *
 * For datagram transports every `write` is one datagram: a stage must not
 * split or merge chunks unless that is its job.
 *
 * @module
 */

/** Where a chunk of bytes goes next. */
export interface Sink {
  /** Takes one chunk; resolves when the chunk's buffer may be reused. */
  write(chunk: Uint8Array): Promise<void>;
  /** The input has ended: flush anything held back, then end the output. */
  close(): Promise<void>;
}

/** A transform or tap on the data path: given the next sink, returns a sink. */
export type Stage = (next: Sink) => Sink;

/**
 * Chains stages in front of a final sink. With no stages the final sink is
 * returned itself, so a transform not asked for costs nothing.
 *
 * @example
 * ```ts
 * const sink = composeStages([crlfStage, logStage], connSink);
 * await sink.write(bytes);
 * ```
 */
export function composeStages(stages: readonly Stage[], last: Sink): Sink {
  let sink = last;
  for (let i = stages.length - 1; i >= 0; i--) sink = stages[i](sink);
  return sink;
}

/** Something with Deno's `write(p)` that may write only part of `p`. */
export interface PartialWriter {
  /** Writes some of `p`; resolves with how many bytes were written. */
  write(p: Uint8Array): Promise<number>;
}

/**
 * Writes the whole chunk, looping over partial writes.
 *
 * @example
 * ```ts
 * await writeAll(conn, new TextEncoder().encode("hello"));
 * ```
 */
export async function writeAll(w: PartialWriter, chunk: Uint8Array): Promise<void> {
  let off = 0;
  while (off < chunk.length) off += await w.write(off === 0 ? chunk : chunk.subarray(off));
}

/** A byte stream endpoint: the shape of `Deno.Conn`. */
export interface Duplex {
  /** Reads into `p`; resolves with the count, or `null` at end of data. */
  read(p: Uint8Array): Promise<number | null>;
  /** Writes some of `p`; resolves with the count written. */
  write(p: Uint8Array): Promise<number>;
  /** Half-close: no more writes, reads go on. */
  closeWrite(): Promise<void>;
  /** Closes both directions; pending reads reject. */
  close(): void;
}

/**
 * A sink that writes to a duplex and half-closes it on `close()` (unless
 * `halfClose` is false), counting what it wrote.
 *
 * @example
 * ```ts
 * const sink = duplexSink(conn, true, (n) => sent += n);
 * ```
 */
export function duplexSink(
  d: Pick<Duplex, "write" | "closeWrite">,
  halfClose: boolean,
  count: (n: number) => void,
): Sink {
  return {
    async write(chunk) {
      await writeAll(d, chunk);
      count(chunk.length);
    },
    async close() {
      if (halfClose) await d.closeWrite();
    },
  };
}

/**
 * A `ReadableStream` that pulls `src.read` 16 KiB at a time and ends at its
 * end of data; cancelling it calls `onCancel`. What `Deno.Conn`-shaped
 * classes give as `readable`.
 *
 * @example
 * ```ts
 * get readable() { return this.#readable ??= readableFrom(this, () => this.close()); }
 * ```
 */
export function readableFrom(
  src: Pick<Duplex, "read">,
  onCancel: () => void,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  return new ReadableStream({
    pull: async (controller) => {
      const buf = new Uint8Array(16 * 1024);
      const n = await src.read(buf);
      if (n === null) controller.close();
      else controller.enqueue(buf.subarray(0, n));
    },
    cancel: onCancel,
  });
}
