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

/**
 * Reads stdin with `Deno.stdin.read`. A closed or unreadable stdin reads as
 * end of data, as in netcat. `close()` interrupts a pending read (by closing
 * the process's stdin, which nothing can read after that) so that the
 * process may exit; with no read pending it only ends this reader.
 *
 * @example
 * ```ts
 * using stdin = plainStdinReader();
 * const n = await stdin.read(new Uint8Array(1024));
 * ```
 */
export function plainStdinReader(): StdinReader & Disposable {
  let ended = false;
  let pending = false;
  const close = () => {
    if (ended) return;
    ended = true;
    if (!pending) return;
    try {
      Deno.stdin.close();
    } catch {
      // Closed already.
    }
  };
  return {
    async read(p) {
      if (ended) return null;
      pending = true;
      try {
        const n = await Deno.stdin.read(p);
        if (n === null) ended = true;
        return ended ? null : n;
      } catch {
        ended = true;
        return null;
      } finally {
        pending = false;
      }
    },
    close,
    [Symbol.dispose]: close,
  };
}
