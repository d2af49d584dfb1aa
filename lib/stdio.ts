/**
 * The process's stdin and stdout as one {@linkcode Duplex}, the local side of
 * a relay.
 *
 * @module
 */

import type { Duplex } from "./relay.ts";
import { stdinRing } from "./stdin_ring.ts";

/**
 * Returns stdin (read, through {@linkcode stdinRing}) and stdout (write) as a
 * duplex. A stdin that is closed or unreadable reads as end of data, as in
 * netcat; `closeWrite` and `close`
 * leave stdout to the process, which ends soon after.
 *
 * @example
 * ```ts
 * await relay(stdioDuplex(), conn, { localIsTerminal: stdinIsTerminal() });
 * ```
 */
export function stdioDuplex(): Duplex {
  const stdin = stdinRing();
  return {
    read: (p) => stdin.read(p),
    write: (p) => Deno.stdout.write(p),
    closeWrite: () => Promise.resolve(),
    close: () => stdin.close(),
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
