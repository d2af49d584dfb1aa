/**
 * The process's stdin and stdout as one {@linkcode Duplex}, the local side of
 * a relay.
 *
 * @module
 */

import type { Duplex } from "./relay.ts";

/**
 * Returns stdin (read) and stdout (write) as a duplex. A stdin that is closed
 * or unreadable reads as end of data, as in netcat; `closeWrite` and `close`
 * leave stdout to the process, which ends soon after.
 *
 * @example
 * ```ts
 * await relay(stdioDuplex(), conn, { localIsTerminal: stdinIsTerminal() });
 * ```
 */
export function stdioDuplex(): Duplex {
  return {
    async read(p) {
      try {
        return await Deno.stdin.read(p);
      } catch {
        return null;
      }
    },
    write: (p) => Deno.stdout.write(p),
    closeWrite: () => Promise.resolve(),
    close: () => {},
  };
}

/** Whether stdin is an interactive terminal (SPEC §3: end at once when the peer hangs up). */
export function stdinIsTerminal(): boolean {
  try {
    return Deno.stdin.isTerminal();
  } catch {
    return false;
  }
}
