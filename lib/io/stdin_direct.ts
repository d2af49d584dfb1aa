/**
 * Stdin read on the main thread through libc, with no worker: the reader
 * {@linkcode ./stdin_reader.ts} picks for a pipe, a FIFO, a regular file and
 * the memory devices (`/dev/null`, `/dev/zero`, ...).
 *
 * Why: each `Deno.stdin.read()` is a hop to a blocking thread and back
 * (~40 µs); the worker of {@linkcode ./stdin_ring.ts} avoids it but is a
 * second JavaScript runtime, ~68 M instructions and ~15 MB at every start,
 * more than all the rest of `printf 'x\n' | socktool host port`.
 *
 * - A pipe or FIFO is read through a second descriptor of the same pipe,
 *   `/proc/self/fd/0` opened with `O_NONBLOCK` (a new open file description:
 *   the flag is its own, so the shell's fd 0 stays blocking; `pipe.ts` does
 *   the mirror for stdout). What is there is returned at once, with no
 *   thread hop; an empty pipe (`EAGAIN`) is waited on with one
 *   `Deno.stdin.read(p)`, which returns as soon as data comes and whose
 *   bytes are the next ones (only one read is ever in flight, so nothing is
 *   reordered); 0 is EOF. The pipe is raised to 1 MiB first (`pipe.ts`).
 * - A regular file (or a block device, or a memory device) never blocks for
 *   long: libc `read(0, ...)` on fd 0 itself, at the shell's file offset, as
 *   nc does.
 * - Anything else (a terminal, a socket, another character device, no `ffi`
 *   permission): `undefined`, and the caller keeps to the worker ring or the
 *   plain reader.
 *
 * Nothing is read before it is asked for, and never more than asked: bytes
 * nobody reads stay in stdin.
 *
 * @module
 */

import {
  EAGAIN,
  EINTR,
  ERRNO_SYMBOLS,
  fileTypeOf,
  keptLibc,
  O_CLOEXEC,
  O_NONBLOCK,
  O_RDONLY,
  readErrno,
  S_IFBLK,
  S_IFCHR,
  S_IFIFO,
  S_IFREG,
  STATX_SYMBOLS,
} from "./libc.ts";
import { enlargePipe } from "./pipe.ts";
import { plainStdinReader } from "./stdin_plain.ts";
import type { StdinReader } from "./stdin_ring.ts";

const SYMBOLS = {
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  open: { parameters: ["buffer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  ...STATX_SYMBOLS,
  ...ERRNO_SYMBOLS,
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

const O_RDONLY_NONBLOCK_CLOEXEC = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
/** The memory devices (`/dev/null`, `/dev/zero`, `/dev/urandom`...): none ever blocks. */
const MEM_MAJOR = 1;

/** What stdin is, as far as choosing a reader goes. */
export type StdinKind = "pipe" | "file" | "other";

/**
 * What fd `fd` is, from `statx` (whose layout is the same on every Linux
 * architecture): `pipe` for a pipe or FIFO; `file` for a regular file, a
 * block device or a memory device (reads that never wait for long);
 * `other` for the rest (terminals, sockets, other devices, a closed fd).
 */
function kindOf(c: Libc, fd: number): StdinKind {
  const what = fileTypeOf(c, fd);
  if (what === undefined) return "other";
  if (what.type === S_IFIFO) return "pipe";
  if (what.type === S_IFREG || what.type === S_IFBLK) return "file";
  if (what.type === S_IFCHR && what.rdevMajor === MEM_MAJOR) return "file";
  return "other";
}

/** libc, loaded once and kept; null where unavailable. */
const lib = keptLibc(SYMBOLS);

/**
 * What the process's stdin is (see {@linkcode directStdinReader}), or
 * `undefined` without libc (no `ffi` permission, not Linux).
 *
 * @example
 * ```ts
 * console.log(stdinKind()); // "pipe" under `echo hi | deno run ...`
 * ```
 */
export function stdinKind(): StdinKind | undefined {
  const c = lib();
  return c === null ? undefined : kindOf(c, 0);
}

/**
 * A reader of the process's stdin on the main thread through libc, for a
 * pipe, a FIFO, a regular file or a memory device; `undefined` for anything
 * else or without libc (then use the worker ring or the plain reader).
 * A closed or unreadable stdin reads as end of data, as in netcat.
 * `close()` ends it, interrupting a pending wait (by closing `Deno.stdin`,
 * as the plain reader does) so that the process may exit.
 *
 * @example
 * ```ts
 * const stdin = directStdinReader() ?? stdinRing();
 * const n = await stdin.read(new Uint8Array(65536));
 * ```
 */
export function directStdinReader(): StdinReader | undefined {
  const c = lib();
  if (c === null) return undefined;
  const kind = kindOf(c, 0);
  if (kind === "other") return undefined;
  let fd = 0;
  if (kind === "pipe") {
    const path = new TextEncoder().encode("/proc/self/fd/0\0");
    fd = c.open(path, O_RDONLY_NONBLOCK_CLOEXEC);
    if (fd < 0) return undefined;
  }
  let ended = false;
  let raised = kind !== "pipe";
  // An empty pipe is waited on with one plain read, whose bytes are the next.
  const plain = plainStdinReader();
  const finish = () => {
    if (ended) return;
    ended = true;
    if (fd !== 0) c.close(fd);
    plain.close(); // interrupts a wait in progress
  };
  const wait = async (p: Uint8Array): Promise<number | null> => {
    const n = await plain.read(p);
    if (n === null || ended) {
      finish();
      return null;
    }
    return n;
  };
  return {
    read(p) {
      if (ended) return Promise.resolve(null);
      if (p.length === 0) return Promise.resolve(0);
      if (!raised) {
        // A pipe of 1 MiB: fewer waits, and a writer that sleeps less (pipe.ts).
        raised = true;
        enlargePipe(0);
      }
      for (;;) {
        const n = Number(c.read(fd, p, BigInt(p.length)));
        if (n > 0) return Promise.resolve(n);
        if (n === 0) {
          finish();
          return Promise.resolve(null);
        }
        const errno = readErrno(c);
        if (errno === EINTR) continue;
        if (errno === EAGAIN && fd !== 0) return wait(p);
        finish(); // a read error ends input, as in netcat
        return Promise.resolve(null);
      }
    },
    close: finish,
  };
}
