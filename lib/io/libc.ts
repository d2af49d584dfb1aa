/**
 * The one door to libc through FFI (`Deno.dlopen`), for what Deno cannot do
 * itself: reading stdin and writing stdout without a thread hop
 * (`stdin_direct.ts`, `pipe.ts`), 1 MiB pipes, closing stdout for real
 * (`stdout_fd.ts`), descriptor paths such as `/dev/fd/3` (`fd_path.ts`), a
 * bigger UDP receive buffer (`net/receive_buffer.ts`), and the probes'
 * nonblocking connects and "port unreachable" (`probe/`).
 *
 * The `ffi` permission in `deno.json` names only these glibc paths, so
 * nothing else can be loaded; without it (a library user, a system whose
 * libc lives elsewhere) {@linkcode openLibc} returns `undefined` and the
 * callers fall back to what Deno alone can do.
 *
 * @module
 */

/**
 * Where glibc lives on the common Linux distributions (Debian and Ubuntu
 * on x86-64 and arm64, Fedora and Arch): the paths `deno.json` grants.
 */
export const LIBC_PATHS: readonly string[] = [
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/lib/aarch64-linux-gnu/libc.so.6",
  "/lib64/libc.so.6",
  "/usr/lib64/libc.so.6",
  "/usr/lib/libc.so.6",
];

/**
 * Loads libc with `symbols`, from the first of {@linkcode LIBC_PATHS} that
 * exists and the `ffi` permission allows; `undefined` when none does or
 * this is not Linux. The caller closes it.
 *
 * @example
 * ```ts
 * const libc = openLibc({ getpid: { parameters: [], result: "i32" } } as const);
 * console.log(libc?.symbols.getpid());
 * libc?.close();
 * ```
 */
export function openLibc<S extends Deno.ForeignLibraryInterface>(
  symbols: S,
): Deno.DynamicLibrary<S> | undefined {
  if (Deno.build.os !== "linux") return undefined;
  for (const path of LIBC_PATHS) {
    try {
      if (Deno.permissions.querySync({ name: "ffi", path }).state !== "granted") continue;
      return Deno.dlopen(path, symbols);
    } catch { /* not there, or not allowed: try the next */ }
  }
  return undefined;
}

/**
 * libc with `symbols`, loaded at the first call and kept for the life of the
 * process (for modules whose calls go on to the end: stdin, stdout, logs);
 * each call returns its symbols, or `null` where libc is out of reach.
 *
 * @example
 * ```ts
 * const lib = keptLibc({ getpid: { parameters: [], result: "i32" } } as const);
 * console.log(lib()?.getpid());
 * ```
 */
export function keptLibc<S extends Deno.ForeignLibraryInterface>(
  symbols: S,
): () => Deno.DynamicLibrary<S>["symbols"] | null {
  let libc: Deno.DynamicLibrary<S> | null | undefined;
  return () => {
    if (libc === undefined) libc = openLibc(symbols) ?? null;
    return libc?.symbols ?? null;
  };
}

/**
 * The symbols {@linkcode readErrno} needs: spread them into the table given
 * to {@linkcode openLibc}.
 */
export const ERRNO_SYMBOLS = {
  __errno_location: { parameters: [], result: "pointer" },
  memcpy: { parameters: ["buffer", "pointer", "usize"], result: "pointer" },
} as const;

/**
 * The calling thread's `errno`, right after a libc call failed. Read with
 * libc's own `memcpy`: `Deno.UnsafePointerView` would need the `ffi`
 * permission for every path, which socktool does not have.
 *
 * @example
 * ```ts
 * const libc = openLibc({ close: { parameters: ["i32"], result: "i32" }, ...ERRNO_SYMBOLS });
 * if (libc && libc.symbols.close(-1) < 0) console.log(readErrno(libc.symbols)); // 9 (EBADF)
 * ```
 */
export function readErrno(
  symbols: Deno.DynamicLibrary<typeof ERRNO_SYMBOLS>["symbols"],
): number {
  const out = new Int32Array(1);
  symbols.memcpy(out, symbols.__errno_location(), 4n);
  return out[0];
}

// Linux's numbers for the calls made through this door: x86-64 and arm64
// (the platforms Deno ships for) share every one of them.

/** `open` flags. */
export const O_RDONLY = 0;
/** `open` flags. */
export const O_WRONLY = 1;
/** `open` flags. */
export const O_CREAT = 0o100;
/** `open` flags. */
export const O_APPEND = 0o2000;
/** `open` and `socket` flags (`SOCK_NONBLOCK` is the same number). */
export const O_NONBLOCK = 0o4000;
/** `open` and `socket` flags (`SOCK_CLOEXEC` is the same number). */
export const O_CLOEXEC = 0o2000000;
/** `errno` values. */
export const EINTR = 4;
/** `errno` values. */
export const EAGAIN = 11;
/** `errno` values. */
export const ECONNREFUSED = 111;
/** `poll` events. */
export const POLLIN = 1;
/** `poll` events. */
export const POLLOUT = 4;
/** `poll` events. */
export const POLLERR = 8;
/** `socket` families. */
export const AF_INET = 2;
/** `socket` families. */
export const AF_INET6 = 10;
/** `socket` types. */
export const SOCK_STREAM = 1;
/** `socket` types. */
export const SOCK_DGRAM = 2;
/** `getsockopt`/`setsockopt` level. */
export const SOL_SOCKET = 1;
/** `getsockopt` name: the pending error of a socket. */
export const SO_ERROR = 4;
/** `fcntl` commands. */
export const F_SETPIPE_SZ = 1031;
/** `fcntl` commands. */
export const F_GETPIPE_SZ = 1032;

/**
 * The symbol {@linkcode fileTypeOf} needs: spread it into the table given to
 * {@linkcode openLibc}.
 */
export const STATX_SYMBOLS = {
  statx: { parameters: ["i32", "buffer", "i32", "u32", "buffer"], result: "i32" },
} as const;

/** File types, as {@linkcode fileTypeOf} returns them (`S_IF*` of `st_mode`). */
export const S_IFIFO = 0o010000;
/** File types. */
export const S_IFCHR = 0o020000;
/** File types. */
export const S_IFBLK = 0o060000;
/** File types. */
export const S_IFREG = 0o100000;

/**
 * What descriptor `fd` is: its file type (one of the `S_IF*` values) and,
 * for a device, its major number; `undefined` if `statx` fails. Read with
 * `statx(fd, "", AT_EMPTY_PATH)`, whose layout is the same on every Linux
 * architecture (x86-64's and arm64's `struct stat` differ).
 *
 * @example
 * ```ts
 * const libc = openLibc({ ...STATX_SYMBOLS });
 * if (libc && fileTypeOf(libc.symbols, 0)?.type === S_IFIFO) console.log("stdin is a pipe");
 * ```
 */
export function fileTypeOf(
  symbols: Deno.DynamicLibrary<typeof STATX_SYMBOLS>["symbols"],
  fd: number,
): { type: number; rdevMajor: number } | undefined {
  const AT_EMPTY_PATH = 0x1000;
  const STATX_TYPE = 1;
  const stx = new Uint8Array(256);
  if (symbols.statx(fd, new Uint8Array(1), AT_EMPTY_PATH, STATX_TYPE, stx) !== 0) return undefined;
  const view = new DataView(stx.buffer);
  // stx_mode at 28, stx_rdev_major at 128.
  return { type: view.getUint16(28, true) & 0o170000, rdevMajor: view.getUint32(128, true) };
}
