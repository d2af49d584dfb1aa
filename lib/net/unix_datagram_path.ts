/**
 * When two Unix socket paths name the same socket. A datagram's sender is
 * known by the path it bound, spelled as it bound it, which need not be the
 * spelling we were given: Deno binds a relative path as an absolute one
 * (`socktool -luU srv.sock` sends from `/dir/srv.sock`), netcat binds it as
 * given, and a path may pass through a symbolic link. So paths are compared
 * as files: the same absolute path, or else the same device and inode.
 *
 * A relative path a peer bound in another directory cannot be placed (its
 * directory is not ours to know); such a peer is recognised only if the
 * name happens to resolve to the same file from here.
 *
 * @module
 */

/**
 * `path` made absolute against the working directory and normalised (`.`,
 * `..` and repeated slashes removed), without touching the file system
 * beyond asking for the working directory.
 *
 * @example
 * ```ts
 * absoluteSocketPath("./run/../srv.sock"); // "/home/me/srv.sock" when run in /home/me
 * ```
 */
export function absoluteSocketPath(path: string): string {
  let full = path;
  if (!path.startsWith("/")) {
    try {
      full = `${Deno.cwd()}/${path}`;
    } catch {
      return path; // no working directory (removed): only the spelling is left
    }
  }
  const parts: string[] = [];
  for (const part of full.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/**
 * Whether two socket paths name the same socket file: equal as absolute
 * paths, or the same file once links are followed. An empty path (an
 * unbound sender) is nobody, not even itself.
 *
 * @example
 * ```ts
 * sameSocketPath("srv.sock", `${Deno.cwd()}/srv.sock`); // true
 * ```
 */
export function sameSocketPath(a: string, b: string): boolean {
  if (a === "" || b === "") return false;
  if (a === b || absoluteSocketPath(a) === absoluteSocketPath(b)) return true;
  try {
    const x = Deno.statSync(a);
    const y = Deno.statSync(b);
    return x.ino !== null && x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false; // one of them is gone, or not ours to look at
  }
}
