/**
 * Stdin read with plain `Deno.stdin.read` calls, each a hop to a blocking
 * thread: for a terminal, and for the waits of the direct reader
 * (`stdin_direct.ts`) when its pipe is empty.
 *
 * @module
 */

import type { StdinReader } from "./stdin_ring.ts";

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
