/**
 * socktool's entry: parse, validate, dispatch to a mode, and turn whatever
 * ends the run into an exit code. The only place that writes error messages
 * and the only caller of `Deno.exit`.
 *
 * @module
 */

import denoConfig from "./deno.json" with { type: "json" };
import { parseCommandLine } from "./lib/cli/parse.ts";
import { USAGE } from "./lib/cli/usage.ts";
import type { Options } from "./lib/cli/options.ts";
import { causeInWords, ExitCode, SocktoolError } from "./lib/errors.ts";
import { prepare } from "./lib/modes/prepare.ts";
import {
  createLogger,
  endInterruptedLine,
  noteInterruptEcho,
  writeStderrLine,
} from "./lib/io/log.ts";
import { stdinIsTerminal, type StdioDuplex, stdioDuplex } from "./lib/io/stdio.ts";
import type { SessionContext } from "./lib/session/session.ts";
import { closeSessionLogs } from "./lib/transforms/stages.ts";

/** The version printed by `--version`. */
export const VERSION: string = denoConfig.version;

/** How a signal ends socktool (SPEC §4). */
const SIGNAL_EXIT = { SIGINT: ExitCode.Interrupted, SIGTERM: ExitCode.Terminated } as const;

/**
 * Runs socktool with `args` and returns the exit code. Never throws and
 * never exits: the caller decides.
 *
 * @example
 * ```ts
 * const code = await main(["--version"]);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  const controller = new AbortController();
  let signalExit: number | undefined;
  const listeners: [Deno.Signal, () => void][] = [];
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const onSignal = () => {
      // Ctrl-C's `^C` echo leaves the terminal's cursor mid-line.
      if (sig === "SIGINT") noteInterruptEcho();
      signalExit ??= SIGNAL_EXIT[sig];
      controller.abort(new SocktoolError(`${sig.toLowerCase()}`, SIGNAL_EXIT[sig]));
    };
    try {
      Deno.addSignalListener(sig, onSignal);
      listeners.push([sig, onSignal]);
    } catch { /* no signals on this platform */ }
  }
  try {
    const options = parseCommandLine(args);
    await dispatch(options, controller.signal);
    return signalExit ?? ExitCode.Ok;
  } catch (err) {
    if (signalExit !== undefined) return signalExit;
    return report(err);
  } finally {
    for (const [sig, fn] of listeners) Deno.removeSignalListener(sig, fn);
    endInterruptedLine();
  }
}

async function dispatch(options: Options, signal: AbortSignal): Promise<void> {
  if (options.mode === "help") return writeStdout(USAGE);
  if (options.mode === "version") return writeStdout(`socktool ${VERSION}\n`);
  if (options.mode === "completions") {
    const { completionScript } = await import("./lib/cli/completions.ts");
    const { parseHelp } = await import("./lib/cli/help_model.ts");
    return writeStdout(completionScript(options.shell, parseHelp(USAGE)));
  }
  if (options.mode === "probe") {
    const log = createLogger(options.verbose);
    // Modes load on demand: start-up pays only for the mode in use.
    const { noPortOpenError, probeMode, writeStdoutLine } = await import("./lib/modes/probe.ts");
    const summary = await probeMode(options, { log, signal, writeLine: writeStdoutLine });
    if (summary.open === 0 && !summary.outputClosed && !signal.aborted) {
      throw noPortOpenError(summary);
    }
    return;
  }
  if (options.mode === "wait-for") {
    const { waitForMode } = await import("./lib/modes/wait_for.ts");
    return await waitForMode(options, { log: createLogger(options.verbose), signal });
  }
  const log = createLogger(options.verbose);
  // Every check that touches the system (files, the -e program) is a usage
  // error (exit 2) found here, before any socket opens; -o/-x open last.
  const prepared = await prepare(options, log);
  const { logs } = prepared;
  const ctx: SessionContext & { local: StdioDuplex } = {
    local: stdioDuplex(),
    localIsTerminal: stdinIsTerminal(),
    log,
    signal,
    logs,
    stdinSize: prepared.stdinSize,
  };
  try {
    if (options.mode === "connect") {
      return await (await import("./lib/modes/connect.ts")).connectMode(options, ctx, prepared);
    }
    if (options.transport === "udp" || options.transport === "unixgram") {
      return await (await import("./lib/modes/datagram_listen.ts")).datagramListenMode(
        options,
        ctx,
        prepared,
      );
    }
    return await (await import("./lib/modes/listen.ts")).listenMode(options, ctx, prepared);
  } finally {
    // Every byte received must reach stdout before exit; after a signal, a
    // stalled reader of stdout gets a second, not forever.
    const flushed = ctx.local.flush().catch((err) => {
      // A closed stdout ends socktool quietly (SPEC §4).
      if (err instanceof Deno.errors.BrokenPipe) return;
      throw new SocktoolError(`write stdout: ${causeInWords(err)}`, ExitCode.Network, {
        cause: err,
      });
    });
    await (signal.aborted ? withinMs(flushed, 1000) : flushed);
    await closeSessionLogs(logs);
  }
}

/** Waits for `p`, or `ms` at most. */
async function withinMs(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p, new Promise((r) => timer = setTimeout(r, ms))]);
  clearTimeout(timer);
}

/** One line on stderr for any error; the exit code it maps to. */
function report(err: unknown): number {
  const { line, exitCode } = describeFailure(err);
  writeStderrLine(line);
  return exitCode;
}

/**
 * The line (without `socktool: `) and exit code for whatever ended a run.
 * Every failure socktool expects (bad input, the network, the peer) is a
 * `SocktoolError` by the time it gets here, wrapped where it was raised;
 * anything else is a bug, and says so rather than passing for a network
 * failure.
 *
 * @example
 * ```ts
 * describeFailure(new TypeError("x is undefined"));
 * // { line: "internal error: TypeError: x is undefined", exitCode: 1 }
 * ```
 */
export function describeFailure(err: unknown): { line: string; exitCode: number } {
  if (err instanceof SocktoolError) {
    return {
      line: err.hint ? `${err.message} (${err.hint})` : err.message,
      exitCode: err.exitCode,
    };
  }
  const e = err as { name?: string; message?: string };
  const what = typeof e?.message === "string" ? `${e.name ?? "Error"}: ${e.message}` : String(err);
  return { line: `internal error: ${what.split("\n")[0]}`, exitCode: ExitCode.Network };
}

async function writeStdout(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let off = 0;
  while (off < bytes.length) off += await Deno.stdout.write(bytes.subarray(off));
}

if (import.meta.main) {
  // An error that escaped every handler must still be one line, never a trace.
  globalThis.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    Deno.exit(report(e.reason));
  });
  Deno.exit(await main(Deno.args));
}
