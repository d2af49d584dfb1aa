/**
 * The process's stdin and stdout as one {@linkcode Duplex}, the local side of
 * a relay.
 *
 * @module
 */

import type { Duplex } from "./sink.ts";
import { stdinReader } from "./stdin_reader.ts";
import { CoalescingWriter } from "./coalescing_writer.ts";

/** The local side of a plain session: stdin and stdout. */
export interface StdioDuplex extends Duplex, Disposable {
  /** Resolves once every byte written so far has reached stdout (or stdout failed). */
  flush(): Promise<void>;
}

/**
 * Returns stdin (read, through {@linkcode stdinRing}) and stdout (write,
 * through a {@linkcode CoalescingWriter}) as a duplex. A stdin that is closed or unreadable reads as end of data, as in
 * netcat. `closeWrite` and `flush` wait until every byte written is out;
 * the process must flush before it exits.
 *
 * @example
 * ```ts
 * await relay(stdioDuplex(), conn, { localIsTerminal: stdinIsTerminal() });
 * ```
 *
 * @example Copy stdin to stdout
 * ```ts
 * import { stdioDuplex } from "@socktool/socktool";
 *
 * using stdio = stdioDuplex();
 * const buf = new Uint8Array(65536);
 * for (let n = await stdio.read(buf); n !== null; n = await stdio.read(buf)) {
 *   await stdio.write(buf.subarray(0, n));
 * }
 * await stdio.flush();
 * ```
 */
export function stdioDuplex(): StdioDuplex {
  const stdin = stdinReader();
  const stdout = new CoalescingWriter(Deno.stdout);
  return {
    read: (p) => stdin.read(p),
    write: (p) => stdout.write(p),
    // The remote side's data ended: what it sent must be out before we go on.
    closeWrite: () => stdout.flush(),
    flush: () => stdout.flush(),
    close: () => stdin.close(),
    // Stops reading stdin (the process may then exit); stdout stays open.
    [Symbol.dispose]: () => stdin.close(),
  };
}

/**
 * Whether stdin is an interactive terminal (SPEC §3: end at once when the
 * peer hangs up); what `relay`'s `localIsTerminal` wants to know.
 *
 * @example
 * ```ts
 * import { stdinIsTerminal } from "@socktool/socktool";
 *
 * console.log(stdinIsTerminal() ? "a person types here" : "stdin is a pipe, a file or closed");
 * ```
 */
export function stdinIsTerminal(): boolean {
  try {
    return Deno.stdin.isTerminal();
  } catch {
    return false;
  }
}
