/**
 * Closing the process's stdout for real, so that its reader sees EOF while
 * socktool goes on (`producer | socktool -l P | tar x`: tar must finish when
 * the client is done, not when the producer is).
 *
 * Deno cannot do it alone: it holds fd 1 and a duplicate of it per thread
 * that runs JavaScript (the main thread's `Deno.stdout`, the stdin worker's),
 * and closing `Deno.stdout` closes none of them. So every one of those
 * descriptors is pointed at `/dev/null` with libc's `dup2` through FFI,
 * which drops the process's last hold on the original stdout (a pipe's
 * reader then sees EOF) and keeps the numbers taken, so that no socket
 * opened later can land on them and stray writes go nowhere. The duplicates
 * are found by what `/proc/self/fd` says they are (Linux only, as
 * `io/libc.ts`). Without the `ffi` permission (socktool used as a
 * library) this does nothing and stdout closes at exit.
 *
 * @module
 */

import { O_WRONLY, openLibc } from "./libc.ts";

/** Duplicates are made at start-up, so they have low numbers. */
const SCAN_FDS = 1024;

const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  dup2: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  readlink: { parameters: ["buffer", "buffer", "usize"], result: "isize" },
} as const;

/**
 * Points fd 1, and every other descriptor of the process open on the same
 * pipe, FIFO or socket as fd 1, at `/dev/null`; returns whether fd 1 was
 * replaced. Call it only once everything meant for stdout is written.
 * Nothing is replaced when stdout is a file or a terminal (their readers do
 * not wait for EOF), nor when stdin or stderr is the same pipe (`2>&1 |`, a
 * socket as both stdin and stdout): its reader could not see EOF anyway.
 *
 * @example
 * ```ts
 * await stdout.flush();
 * releaseStdoutFd(); // the reader of stdout now sees EOF
 * ```
 */
export function releaseStdoutFd(): boolean {
  const libc = openLibc(SYMBOLS);
  if (libc === undefined) return false;
  const cstr = (s: string) => new TextEncoder().encode(`${s}\0`);
  const target = (fd: number): string | undefined => {
    const buf = new Uint8Array(4096);
    const n = Number(libc.symbols.readlink(cstr(`/proc/self/fd/${fd}`), buf, BigInt(buf.length)));
    return n > 0 ? new TextDecoder().decode(buf.subarray(0, n)) : undefined;
  };
  try {
    const stdout = target(1);
    const fds = [1];
    if (stdout !== undefined) {
      // A file's reader does not wait for its writers; only a pipe's, a
      // FIFO's or a socket's does (and only those are told apart by name).
      if (!readerWaitsForEof(stdout)) return false;
      if (target(0) === stdout || target(2) === stdout) return false;
      for (let fd = 3; fd < SCAN_FDS; fd++) if (target(fd) === stdout) fds.push(fd);
    }
    const devNull = libc.symbols.open(cstr("/dev/null"), O_WRONLY);
    if (devNull < 0) return false;
    // devNull is a fresh descriptor, so it is none of fds.
    const replaced = fds.map((fd) => libc.symbols.dup2(devNull, fd) === fd);
    libc.symbols.close(devNull);
    return replaced[0];
  } finally {
    libc.close();
  }
}

function readerWaitsForEof(target: string): boolean {
  if (target.startsWith("pipe:") || target.startsWith("socket:")) return true;
  try {
    return Deno.statSync(target).isFifo === true;
  } catch {
    return false;
  }
}
