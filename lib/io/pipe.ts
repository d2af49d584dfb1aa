/**
 * Stdin and stdout when they are pipes: a larger pipe buffer, and stdout
 * writes that never wait, made on the spot when the pipe has room.
 *
 * Why: a pipe holds 64 KiB by default, so at 1 GiB/s its writer and its
 * reader take turns sleeping ~16,000 times a second; and each
 * `Deno.stdout.write()` is a hop to a blocking thread and back (~40 µs,
 * two context switches) even when the pipe has room. Raised to 1 MiB
 * (`F_SETPIPE_SZ`, up to `/proc/sys/fs/pipe-max-size`, which is 1 MiB on a
 * stock kernel), the `dd | socktool` and `socktool | wc -c` pipes of the
 * benchmark switch ~4 times less (74,000 → 19,000 context switches per
 * 2 GiB in the receiver, 36,000 → 7,000 in the sender). And what fits in
 * the pipe now is written at once with libc's `write` through a second,
 * nonblocking descriptor of the same pipe (`/proc/self/fd/1` opened with
 * `O_NONBLOCK`: a flag of its own, so the shared descriptor that the reader
 * and the shell may also hold stays blocking), with no thread hop; what
 * does not fit goes the usual way. (Counting the room instead, the pipe's
 * size minus `FIONREAD`, is not safe: the pipe is made of page slots that
 * writes of odd sizes leave part empty, and a write that the count said
 * would fit blocked the main thread.)
 *
 * A pipe's reader sees nothing of this but more data waiting. Through libc
 * (`io/libc.ts`): without the `ffi` permission, or when the descriptor is
 * not a pipe or FIFO, nothing changes.
 *
 * @module
 */

import { F_GETPIPE_SZ, F_SETPIPE_SZ, keptLibc, O_CLOEXEC, O_NONBLOCK, O_WRONLY } from "./libc.ts";

/** What socktool asks for: the most an unprivileged process gets on a stock kernel. */
export const PIPE_BYTES = 1024 * 1024;

const SYMBOLS = {
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  open: { parameters: ["buffer", "i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
} as const;

const O_WRONLY_NONBLOCK_CLOEXEC = O_WRONLY | O_NONBLOCK | O_CLOEXEC;

/** libc, loaded once and kept; null where unavailable. */
const lib = keptLibc(SYMBOLS);

/**
 * Raises the buffer of the pipe or FIFO at `fd` to `bytes` when it is
 * smaller (the kernel may refuse: then it stays as it was); returns its
 * size, or `undefined` when `fd` is not a pipe or libc is out of reach.
 *
 * @example
 * ```ts
 * enlargePipe(0); // 1048576 when stdin is a pipe
 * ```
 */
export function enlargePipe(fd: number, bytes: number = PIPE_BYTES): number | undefined {
  const c = lib();
  if (c === null) return undefined;
  const size = c.fcntl(fd, F_GETPIPE_SZ, 0);
  if (size < 0) return undefined;
  if (size >= bytes) return size;
  const grown = c.fcntl(fd, F_SETPIPE_SZ, bytes);
  return grown > 0 ? grown : size;
}

/**
 * For a pipe or FIFO at `fd` (raised with {@linkcode enlargePipe}): a
 * function that writes as much of a chunk as the pipe has room for, without
 * ever waiting, and returns how much it wrote (0 when full); `undefined`
 * when `fd` is not a pipe or libc is out of reach.
 *
 * @example
 * ```ts
 * const now = pipeWriterNow(1);
 * const n = now?.(bytes) ?? 0; // the rest goes the slow way
 * ```
 */
export function pipeWriterNow(fd: number): ((p: Uint8Array) => number) | undefined {
  const c = lib();
  if (c === null || enlargePipe(fd) === undefined) return undefined;
  const path = new TextEncoder().encode(`/proc/self/fd/${fd}\0`);
  const nonblocking = c.open(path, O_WRONLY_NONBLOCK_CLOEXEC);
  if (nonblocking < 0) return undefined;
  return (p) => {
    // A full pipe (EAGAIN), a gone reader (EPIPE): 0, and the slow way says why.
    const n = Number(c.write(nonblocking, p, BigInt(p.length)));
    return n > 0 ? n : 0;
  };
}
