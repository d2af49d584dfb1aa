/**
 * A pool of copy buffers, so a listener that serves client after client
 * reuses the same few buffers instead of leaving each session's behind for
 * the garbage collector (a buffer's memory lives outside the JS heap and is
 * given back only by a full collection, which a quiet heap rarely runs: the
 * resident size would creep up by tens of MB over thousands of clients).
 *
 * A buffer is taken with {@linkcode takeBuffer} and given back with
 * {@linkcode giveBack} once nothing reads into it or writes from it any more.
 *
 * @module
 */

/** Bytes kept in the pool per buffer size at most: enough for a busy listener's churn. */
const KEEP_BYTES = 4 * 1024 * 1024;

const free = new Map<number, Uint8Array<ArrayBuffer>[]>();

/**
 * A buffer of exactly `size` bytes, from the pool when one is there.
 *
 * @example
 * ```ts
 * const buf = takeBuffer(16 * 1024);
 * try { await conn.read(buf); } finally { giveBack(buf); }
 * ```
 */
export function takeBuffer(size: number): Uint8Array<ArrayBuffer> {
  return free.get(size)?.pop() ?? new Uint8Array(size);
}

/**
 * Returns a buffer to the pool (or drops it when the pool holds enough of its
 * size). The caller must not touch it afterwards.
 *
 * @example
 * ```ts
 * giveBack(buf);
 * ```
 */
export function giveBack(buf: Uint8Array<ArrayBuffer>): void {
  const size = buf.byteLength;
  if (size === 0 || buf.byteOffset !== 0 || buf.buffer.byteLength !== size) return;
  let list = free.get(size);
  if (!list) free.set(size, list = []);
  if ((list.length + 1) * size <= KEEP_BYTES) list.push(buf);
}
