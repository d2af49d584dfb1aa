/**
 * Picks how stdin is read: on the main thread through libc
 * ({@linkcode ./stdin_direct.ts}: a pipe, a FIFO, a file, `/dev/null`), with
 * no worker to boot; through the worker and ring of
 * {@linkcode ./stdin_ring.ts} where libc cannot do it (a socket, another
 * device, no `ffi` permission); or with plain `Deno.stdin.read` calls (a
 * terminal, where a person types, or wherever a worker cannot start).
 *
 * Why a terminal is read plainly: a worker blocked in `readSync` cannot be
 * stopped (terminating it waits for the read), so a program whose session
 * the peer ended would wait for the user's next Enter before exiting. A
 * plain read can be interrupted: `close()` does so.
 *
 * @module
 */

import { type StdinReader, stdinRing } from "./stdin_ring.ts";
import { directStdinReader } from "./stdin_direct.ts";
import { plainStdinReader } from "./stdin_plain.ts";

/**
 * A reader of the process's stdin: read directly through libc when stdin is
 * a pipe, a FIFO, a file or a memory device; else the worker ring unless
 * stdin is a terminal or a worker cannot start. Either way it stops by itself at EOF (nothing
 * of it keeps the process alive then), and `close()` stops it earlier.
 *
 * @example
 * ```ts
 * const stdin = stdinReader();
 * const n = await stdin.read(new Uint8Array(65536));
 * ```
 */
export function stdinReader(): StdinReader {
  let terminal = false;
  try {
    terminal = Deno.stdin.isTerminal();
  } catch {
    // A closed stdin: the plain reader reads it as end of data.
    return plainStdinReader();
  }
  if (terminal) return plainStdinReader();
  const direct = directStdinReader();
  if (direct !== undefined) return direct;
  try {
    return stdinRing();
  } catch {
    // No workers here (an embedder without them): stdin still works, slower.
    return plainStdinReader();
  }
}
