/**
 * The life of a Unix socket file: before binding, a file left by a process
 * that died (nobody listening) is replaced, while one in use is an error;
 * after use, the file is removed.
 *
 * @module
 */

import { ExitCode, networkError, SocktoolError } from "../errors.ts";
import { atExit } from "../io/exit_cleanup.ts";
import { readThroughLibc } from "../io/fd_path.ts";

/** Socket files socktool created and has not removed yet: path → unregister its exit clean-up. */
const owned = new Map<string, () => void>();

/**
 * Records that socktool created the socket file at `path` (it just bound
 * it), so that it is removed however socktool ends, even when a signal's
 * deadline forces the exit. {@linkcode removeSocketFile} forgets it.
 *
 * @example
 * ```ts
 * const listener = Deno.listen({ transport: "unix", path });
 * ownSocketFile(path);
 * ```
 */
export function ownSocketFile(path: string): void {
  owned.get(path)?.();
  owned.set(path, atExit(() => removeSocketFileSync(path)));
}

function disown(path: string): void {
  owned.get(path)?.();
  owned.delete(path);
}

/**
 * Makes `path` free to bind. Absent: nothing to do. A socket nobody listens
 * on (connecting is refused): a stale file, removed. A socket somebody
 * listens on, or any other kind of file: an error (exit 1), nothing removed.
 *
 * On Linux the kernel's list of bound sockets (`/proc/net/unix`) answers
 * first, so a live listener is not disturbed. Otherwise a probe connects
 * with a stream socket: a stream listener accepts it and a bound datagram
 * socket answers "wrong type", so both count as in use; only "refused" means
 * stale.
 *
 * @example
 * ```ts
 * await claimSocketPath("/tmp/app.sock"); // throws if another process listens there
 * const listener = Deno.listen({ transport: "unix", path: "/tmp/app.sock" });
 * ```
 */
export async function claimSocketPath(path: string, action = "listen"): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw networkError(`${action} ${path}`, err);
  }
  if (!info.isSocket) {
    throw new SocktoolError(
      `${action} ${path}: address already in use (a file that is not a socket)`,
      ExitCode.Network,
    );
  }
  if (await isBoundSocket(path)) throw inUse(path, action);
  try {
    const probe = await Deno.connect({ transport: "unix", path });
    probe.close();
  } catch (err) {
    if (err instanceof Deno.errors.ConnectionRefused) {
      await removeSocketFile(path);
      return;
    }
    if (!isWrongSocketType(err)) throw networkError(`${action} ${path}`, err);
  }
  throw inUse(path, action);
}

/** EPROTOTYPE on Linux and on the BSDs and macOS. */
const EPROTOTYPE = Deno.build.os === "linux" ? 91 : 41;

/**
 * Whether connecting failed because the socket at the path is of the other
 * kind (stream vs datagram): EPROTOTYPE. Deno gives this error no class of
 * its own, only the system's error number in its message, so the number is
 * what is read.
 *
 * @example
 * ```ts
 * await Deno.connect({ transport: "unix", path: datagramPath }).catch(isWrongSocketType); // true
 * ```
 */
export function isWrongSocketType(err: unknown): boolean {
  const m = /\(os error (\d+)\)$/.exec(String((err as Error)?.message ?? ""));
  return m !== null && Number(m[1]) === EPROTOTYPE;
}

function inUse(path: string, action: string): SocktoolError {
  return new SocktoolError(
    `${action} ${path}: address already in use (another process listens there)`,
    ExitCode.Network,
  );
}

/**
 * Whether Linux lists a socket bound to `path`; false where it cannot tell.
 * Read through libc: Deno opens nothing under `/proc` without `--allow-all`
 * (`io/fd_path.ts`).
 */
async function isBoundSocket(path: string): Promise<boolean> {
  try {
    const abs = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
    const table = await readThroughLibc("/proc/net/unix");
    if (table === undefined) return false;
    return new TextDecoder().decode(table).split("\n").some((line) => line.endsWith(` ${abs}`));
  } catch {
    return false;
  }
}

/**
 * Removes a socket file socktool created; a file already gone is fine, and
 * a file that is no longer a socket (someone replaced it) is left alone.
 */
export async function removeSocketFile(path: string): Promise<void> {
  disown(path);
  try {
    const info = await Deno.lstat(path);
    if (info.isSocket) await Deno.remove(path);
  } catch { /* gone already, or not ours to remove */ }
}

/**
 * Synchronous {@linkcode removeSocketFile}, for `close()` methods that cannot
 * wait.
 */
export function removeSocketFileSync(path: string): void {
  disown(path);
  try {
    if (Deno.lstatSync(path).isSocket) Deno.removeSync(path);
  } catch { /* gone already, or not ours to remove */ }
}

/**
 * A fresh path for the socket a Unix datagram client binds so that replies
 * can reach it (netcat does the same): in `$TMPDIR`, else `/tmp`.
 *
 * @example
 * ```ts
 * tempSocketPath(); // "/tmp/socktool-4242-k3j9x1.sock"
 * ```
 */
export function tempSocketPath(): string {
  let dir = "/tmp";
  try {
    dir = Deno.env.get("TMPDIR") || dir;
  } catch { /* no env permission: /tmp */ }
  const tag = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  return `${dir.replace(/\/+$/, "")}/socktool-${Deno.pid}-${tag}.sock`;
}
