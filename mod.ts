/**
 * socktool as a library: the modes and the data path, typed, for Deno
 * programs. The CLI in `main.ts` is one user of these.
 *
 * @example
 * ```ts
 * import { connectTcp, relay, stdioDuplex } from "./mod.ts";
 * const conn = await connectTcp("127.0.0.1", 9999);
 * await relay(stdioDuplex(), conn);
 * ```
 *
 * @module
 */

export { ExitCode, SocktoolError } from "./lib/errors.ts";
export { type Duplex, pump, relay, type RelayOptions, type RelayResult } from "./lib/relay.ts";
export { composeStages, type Sink, type Stage, writeAll } from "./lib/sink.ts";
export { connectTcp } from "./lib/tcp_connect.ts";
export { acceptOne, listenTcp } from "./lib/tcp_listen.ts";
export { stdinIsTerminal, stdioDuplex } from "./lib/stdio.ts";
export { parseCommandLine } from "./lib/cli/parse.ts";
export type * from "./lib/cli/options.ts";
