/**
 * The one door to libc through FFI (`Deno.dlopen`), for the two things Deno
 * cannot do itself: a connected UDP socket that hears "port unreachable"
 * (`-zu`), and closing the process's stdout for real (its reader sees EOF).
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
