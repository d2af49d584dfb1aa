/**
 * Paths under `/dev`, `/proc` and `/sys`, which Deno opens only for a
 * program run with `--allow-all`, whatever `--allow-read` and
 * `--allow-write` say (`Deno.errors.NotCapable`, "Requires all access").
 * socktool runs with the named permission set of `deno.json`, so the paths
 * a shell hands out for the process's own descriptors go through libc
 * (`io/libc.ts`) here instead:
 *
 * - `/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1` (and 2 for stderr), as
 *   `-o`/`-x` files, are written through socktool's own stdout and stderr
 *   writers, in call order with everything else written there;
 * - any other `/dev/stdin`, `/dev/fd/N`, `/proc/self/fd/N` is opened with
 *   libc's `open`, as any other program opens it (the kernel reopens what
 *   the descriptor points at: the same pipe for a process substitution
 *   `<(...)`; a socket or one of the runtime's own event descriptors cannot
 *   be reopened, ENXIO), then read to EOF or written with libc;
 * - `/proc` files socktool reads itself (`/proc/net/unix`), the same way.
 *
 * Any other path Deno refuses is a {@linkcode RefusedPathError} that says
 * why. Without libc (no `ffi` permission, not Linux) only stdout and stderr
 * are reached; the rest fails as Deno says, explained.
 *
 * @module
 */

import {
  EAGAIN,
  EINTR,
  ERRNO_SYMBOLS,
  fileTypeOf,
  keptLibc,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_NONBLOCK,
  O_RDONLY,
  O_WRONLY,
  POLLIN,
  POLLOUT,
  readErrno,
  S_IFREG,
  STATX_SYMBOLS,
} from "./libc.ts";
import { holdStdout, stdoutWriter } from "./stdio.ts";

/** Why Deno refused a path, in words a user can act on. */
export const REFUSED_PATH_REASON =
  "refused by Deno, which opens files under /dev, /proc and /sys only with --allow-all (socktool's permission set names what it needs); use a path elsewhere";

/** A path Deno refuses to open under socktool's permission set (see the module doc). */
export class RefusedPathError extends Error {
  /** @param options `cause`: Deno's `NotCapable` error */
  constructor(options: { cause?: unknown } = {}) {
    super(REFUSED_PATH_REASON, options);
    this.name = "RefusedPathError";
  }
}

/**
 * Turns Deno's refusal of a path under `/dev`, `/proc` or `/sys` into a
 * {@linkcode RefusedPathError}; any other error is returned as it is.
 * Decided on the error's class (`Deno.errors.NotCapable`), never its text.
 *
 * @example
 * ```ts
 * try { await Deno.open("/dev/shm/x", { write: true, create: true }); }
 * catch (err) { throw explainRefusal("/dev/shm/x", err); }
 * ```
 */
export function explainRefusal(path: string, err: unknown): unknown {
  if (!(err instanceof Deno.errors.NotCapable)) return err;
  return /^\/(dev|proc|sys)(\/|$)/.test(path) ? new RefusedPathError({ cause: err }) : err;
}

/**
 * The descriptor a path names: `/dev/stdin`, `/dev/stdout`, `/dev/stderr`
 * (0, 1, 2), `/dev/fd/N` and `/proc/self/fd/N` (N); `undefined` for any
 * other path.
 *
 * @example
 * ```ts
 * descriptorOfPath("/dev/fd/63"); // 63
 * descriptorOfPath("/tmp/x"); // undefined
 * ```
 */
export function descriptorOfPath(path: string): number | undefined {
  const named = ["/dev/stdin", "/dev/stdout", "/dev/stderr"].indexOf(path);
  if (named >= 0) return named;
  const m = /^(?:\/dev\/fd|\/proc\/self\/fd)\/(\d{1,9})$/.exec(path);
  return m === null ? undefined : Number(m[1]);
}

const SYMBOLS = {
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  ftruncate: { parameters: ["i32", "i64"], result: "i32" },
  ...STATX_SYMBOLS,
  // On a thread of its own: waiting for a pipe keeps the event loop (and signals) running.
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  ...ERRNO_SYMBOLS,
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

// Linux values (x86-64 and arm64, the platforms Deno ships for).
const F_GETFD = 1;
const FD_CLOEXEC = 1;

/** libc, loaded once and kept; null where unavailable. */
const lib = keptLibc(SYMBOLS);

/** The errors Deno would have thrown, for the numbers a user meets here. */
function errnoError(c: Libc, action: string, path: string): Error {
  const errno = readErrno(c);
  const detail = `(os error ${errno}): ${action} '${path}'`;
  switch (errno) {
    case 1:
    case 13:
      return new Deno.errors.PermissionDenied(`Permission denied ${detail}`);
    case 2:
      return new Deno.errors.NotFound(`No such file or directory ${detail}`);
    case 6:
      return new Error(`No such device or address ${detail}`);
    case 20:
      return new Deno.errors.NotADirectory(`Not a directory ${detail}`);
    case 21:
      return new Deno.errors.IsADirectory(`Is a directory ${detail}`);
    case 32:
      return new Deno.errors.BrokenPipe(`Broken pipe ${detail}`);
    default:
      return new Error(`System error ${detail}`);
  }
}

/** Waits until `fd` is ready for `events`, on a thread of its own. */
async function ready(c: Libc, fd: number, events: number): Promise<void> {
  const pfd = new Uint8Array(8);
  const view = new DataView(pfd.buffer);
  view.setInt32(0, fd, true);
  view.setInt16(4, events, true);
  // Bounded, so that no thread stays parked in poll once nobody waits.
  while (await c.poll(pfd, 1n, 1000) === 0) { /* not yet */ }
}

function openAt(c: Libc, path: string, flags: number): number {
  const named = descriptorOfPath(path);
  // What the shell hands over survives exec, so it is never close-on-exec;
  // everything the runtime opens itself is (its caches, its event fds):
  // `-o /dev/fd/9` must not overwrite Deno's own files.
  if (named !== undefined) {
    const fdFlags = c.fcntl(named, F_GETFD, 0);
    if (fdFlags >= 0 && (fdFlags & FD_CLOEXEC) !== 0) {
      throw new Error(`descriptor ${named} was not handed to socktool (it is the runtime's own)`);
    }
  }
  const fd = c.open(new TextEncoder().encode(`${path}\0`), flags | O_NONBLOCK | O_CLOEXEC, 0o666);
  if (fd < 0) throw errnoError(c, "open", path);
  return fd;
}

/**
 * Reads the whole of `path` through libc, waiting for a pipe's writer to
 * finish (a process substitution, a `/proc` file); `undefined` without
 * libc. Throws the error Deno would throw (`NotFound`, ...).
 *
 * @example
 * ```ts
 * const table = await readThroughLibc("/proc/net/unix");
 * ```
 */
export async function readThroughLibc(path: string): Promise<Uint8Array | undefined> {
  const c = lib();
  if (c === null) return undefined;
  const fd = openAt(c, path, O_RDONLY);
  try {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(65536);
      const n = Number(c.read(fd, buf, BigInt(buf.length)));
      if (n > 0) {
        parts.push(buf.subarray(0, n));
        total += n;
        continue;
      }
      if (n === 0) break;
      const errno = readErrno(c);
      if (errno === EINTR) continue;
      if (errno === EAGAIN) {
        await ready(c, fd, POLLIN);
        continue;
      }
      throw errnoError(c, "read", path);
    }
    const out = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  } finally {
    c.close(fd);
  }
}

/**
 * The text of the file at `path` (`--ssl-cert`, `--allowfile`, ...), as
 * `Deno.readTextFile` gives it, and also for the process's own descriptors
 * (`/dev/stdin`, `/dev/fd/63` from `<(...)`, `/proc/self/fd/N`), read
 * through libc to EOF. Deno's refusal of any other path under `/dev`,
 * `/proc` or `/sys` is a {@linkcode RefusedPathError}.
 *
 * @throws the file system's error (`Deno.errors.NotFound`, ...)
 * @example
 * ```ts
 * const pem = await readTextAtPath("/dev/fd/63");
 * ```
 */
export async function readTextAtPath(path: string): Promise<string> {
  if (descriptorOfPath(path) !== undefined) {
    const bytes = await readThroughLibc(path);
    if (bytes !== undefined) return new TextDecoder().decode(bytes);
  }
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    throw explainRefusal(path, err);
  }
}

/**
 * Where a log named by a descriptor path writes; the shape of the parts of
 * `Deno.FsFile` that `io/log_file.ts` uses.
 */
export interface DescriptorTarget {
  /**
   * `stdout` and `stderr`: socktool's own writers, which keep call order
   * themselves; `file`: a regular file, written in place; `stream`: a pipe,
   * a FIFO, a terminal, a device.
   */
  readonly kind: "stdout" | "stderr" | "file" | "stream";
  /** Writes some of `p`; resolves with the count (for stdout: all, once `p` may be reused). */
  write(p: Uint8Array): Promise<number>;
  /** Writes some of `p` at once (a regular file, stderr). */
  writeSync(p: Uint8Array): number;
  /** Empties a regular file. */
  truncateSync(len?: number): void;
  /** Lets go of the descriptor (stdout and stderr stay open). */
  close(): void;
}

/**
 * Opens a descriptor path for a log (`-o /dev/stderr`, `-x /dev/fd/3`);
 * `undefined` when `path` names no descriptor, or names one other than
 * stdout and stderr and libc is out of reach (the caller then tries
 * `Deno.open`). The file is not truncated here.
 *
 * @param append `--append-output`: write at the end of a regular file
 * @throws the error Deno would throw (`NotFound`, `PermissionDenied`, ...)
 * @example
 * ```ts
 * const target = openDescriptorPath("/dev/stderr", false); // kind "stderr"
 * ```
 */
export function openDescriptorPath(
  path: string,
  append: boolean,
): DescriptorTarget | undefined {
  const fd = descriptorOfPath(path);
  if (fd === undefined) return undefined;
  if (fd === 1) {
    const release = holdStdout();
    const out = stdoutWriter();
    return {
      kind: "stdout",
      write: (p) => out.write(p),
      writeSync: () => {
        throw new TypeError("stdout is written through its writer");
      },
      truncateSync: () => {},
      close: release,
    };
  }
  if (fd === 2) {
    const writeSync = (p: Uint8Array) => Deno.stderr.writeSync(p);
    return {
      kind: "stderr",
      write: (p) => Promise.resolve(writeSync(p)),
      writeSync,
      truncateSync: () => {},
      close: () => {},
    };
  }
  const c = lib();
  if (c === null) return undefined;
  const own = openAt(c, path, O_WRONLY | O_CREAT | (append ? O_APPEND : 0));
  let closed = false;
  const writeNow = (p: Uint8Array): number => {
    for (;;) {
      const n = Number(c.write(own, p, BigInt(p.length)));
      if (n >= 0) return n;
      const errno = readErrno(c);
      if (errno === EINTR) continue;
      if (errno === EAGAIN) return -1;
      throw errnoError(c, "write", path);
    }
  };
  return {
    kind: isRegular(c, own) ? "file" : "stream",
    async write(p) {
      for (;;) {
        const n = writeNow(p);
        if (n >= 0) return n;
        await ready(c, own, POLLOUT);
      }
    },
    writeSync(p) {
      const n = writeNow(p);
      return n < 0 ? 0 : n;
    },
    truncateSync(len = 0) {
      if (c.ftruncate(own, BigInt(len)) < 0) throw errnoError(c, "truncate", path);
    },
    close() {
      if (closed) return;
      closed = true;
      c.close(own);
    },
  };
}

function isRegular(c: Libc, fd: number): boolean {
  return fileTypeOf(c, fd)?.type === S_IFREG;
}
