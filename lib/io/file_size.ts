/**
 * The size of what an open file descriptor reads, when it is a regular file
 * (`socktool --progress host 80 < big.iso`): Deno's stdin has no `stat()`,
 * and `/dev/stdin` needs `--allow-all`, so this asks `fstat` through
 * `node:fs`, loaded only when asked.
 *
 * @module
 */

/**
 * The size of the regular file open on `fd`, or `undefined` when it is
 * anything else (a pipe, a terminal, a socket, `/dev/null`) or cannot be
 * told. The whole file counts, wherever its offset is.
 *
 * @example
 * ```ts
 * const size = await regularFileSize(0); // stdin
 * ```
 */
export async function regularFileSize(fd: number): Promise<number | undefined> {
  try {
    const { fstatSync } = await import("node:fs");
    const info = fstatSync(fd);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}
