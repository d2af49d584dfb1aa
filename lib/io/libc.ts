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
