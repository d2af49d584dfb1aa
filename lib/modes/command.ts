/**
 * The `socktool` command, as `main.ts` runs it (it loads this module for
 * every run but a bare `--version` or `--help`): parse, validate, dispatch to
 * a mode, and wind down within the signal deadline. Whatever error ends the
 * run goes back to `main.ts`, the one place that turns errors into lines and
 * exit codes.
 *
 * @module
 */

import denoConfig from "../../deno.json" with { type: "json" };
import { parseCommandLine } from "../cli/parse.ts";
import { USAGE } from "../cli/usage.ts";
import type { Options } from "../cli/options.ts";
import { causeInWords, ExitCode, SocktoolError } from "../errors.ts";
import { createLogger, endInterruptedLine, noteInterruptEcho } from "../io/log.ts";
import {
  isOutputGone,
  stdinIsTerminal,
  type StdioDuplex,
  stdioDuplex,
  stdoutWriter,
  writeStdout,
} from "../io/stdio.ts";
import { runExitCleanups } from "../io/exit_cleanup.ts";
import type { SessionContext } from "../session/session.ts";
import { load } from "../lazy.ts";

/** The version printed by `--version`. */
const VERSION: string = denoConfig.version;

/** How a signal ends socktool (SPEC §4). */
const SIGNAL_EXIT = {
  SIGINT: ExitCode.Interrupted,
  SIGTERM: ExitCode.Terminated,
  SIGHUP: ExitCode.HangUp,
} as const;

/**
 * After a signal, how long stdout may take to deliver what was received
 * before what is still pending is abandoned (a reader that stopped reading).
 */
const SIGNAL_FLUSH_MS = 1000;

/**
 * After a signal, how long socktool waits for every part to wind down
 * before it stops waiting: whatever is still pending then (a write to a
 * target or program that stopped reading) is left to the exit. SPEC §4
 * allows two seconds in all.
 */
const SIGNAL_DEADLINE_MS = 1500;

/** Set by the first signal; also read by the last-resort rejection handler. */
let signalExit: number | undefined;

/**
 * Runs socktool with `args`: resolves with 0, or with the signal's exit code
 * after SIGINT, SIGTERM or SIGHUP (within {@linkcode SIGNAL_DEADLINE_MS}
 * whatever is still pending, after the clean-ups of `lib/io/exit_cleanup.ts`:
 * programs killed, socket files removed; a second signal cuts the wait
 * short); rejects with what ended a failed run, for `main.ts` to report.
 * Never exits.
 *
 * @example
 * ```ts
 * const code = await run(["--version"]); // 0
 * ```
 */
export async function run(args: readonly string[]): Promise<number> {
  signalExit = undefined;
  const controller = new AbortController();
  const deadline = Promise.withResolvers<"deadline">();
  const timers: ReturnType<typeof setTimeout>[] = [];
  const listeners: [Deno.Signal, () => void][] = [];
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      // Ctrl-C's `^C` echo leaves the terminal's cursor mid-line.
      if (sig === "SIGINT") noteInterruptEcho();
      if (signalExit !== undefined) return deadline.resolve("deadline");
      signalExit = SIGNAL_EXIT[sig];
      controller.abort(new SocktoolError(`${sig.toLowerCase()}`, SIGNAL_EXIT[sig]));
      timers.push(setTimeout(() => stdoutWriter().abandon(), SIGNAL_FLUSH_MS));
      timers.push(setTimeout(() => deadline.resolve("deadline"), SIGNAL_DEADLINE_MS));
    };
    try {
      Deno.addSignalListener(sig, onSignal);
      listeners.push([sig, onSignal]);
    } catch { /* no signals on this platform */ }
  }
  try {
    const options = parseCommandLine(args);
    const running = dispatch(options, controller.signal);
    // Past the deadline nobody waits for it any more; its end must not surface.
    running.catch(() => {});
    await Promise.race([running, deadline.promise]);
    return signalExit ?? ExitCode.Ok;
  } catch (err) {
    if (signalExit !== undefined) return signalExit;
    throw err;
  } finally {
    for (const [sig, fn] of listeners) Deno.removeSignalListener(sig, fn);
    for (const t of timers) clearTimeout(t);
    // Programs still running and socket files still there (the deadline cut
    // their normal clean-up short) go now.
    runExitCleanups();
    endInterruptedLine();
  }
}

async function dispatch(options: Options, signal: AbortSignal): Promise<void> {
  if (options.mode === "help" || options.mode === "version") {
    await writeStdout(options.mode === "help" ? USAGE : `socktool ${VERSION}\n`);
    await flushStdout();
    return;
  }
  if (options.mode === "completions") {
    const { completionScript } = await load("lib/cli/completions.ts");
    const { parseHelp } = await load("lib/cli/help_model.ts");
    await writeStdout(completionScript(options.shell, parseHelp(USAGE)));
    await flushStdout();
    return;
  }
  if (options.mode === "probe") {
    const log = createLogger(options.verbose);
    // Modes load on demand: start-up pays only for the mode in use.
    const { noPortOpenError, probeMode } = await load("lib/modes/probe.ts");
    let delivered = false;
    let summary;
    try {
      summary = await probeMode(options, { log, signal, writeLine: writeStdout });
    } finally {
      // Before judging: lines may still be on their way to a reader that
      // has gone (`| head -n 1`), which ends the probe quietly too.
      delivered = await flushStdout();
    }
    if (summary.open === 0 && !summary.outputClosed && delivered && !signal.aborted) {
      throw noPortOpenError(summary);
    }
    return;
  }
  if (options.mode === "wait-for") {
    const { waitForMode } = await load("lib/modes/wait_for.ts");
    try {
      return await waitForMode(options, { log: createLogger(options.verbose), signal });
    } finally {
      await flushStdout();
    }
  }
  const log = createLogger(options.verbose);
  // Loaded here, not at start-up: --version and --help need none of it.
  const [{ prepare }, { QUIT_FLUSH_MS }, { closeSessionLogs }] = await Promise.all([
    load("lib/modes/prepare.ts"),
    load("lib/session/session.ts"),
    load("lib/transforms/stages.ts"),
  ]);
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
      return await (await load("lib/modes/connect.ts")).connectMode(options, ctx, prepared);
    }
    if (options.transport === "udp" || options.transport === "unixgram") {
      return await (await load("lib/modes/datagram_listen.ts")).datagramListenMode(
        options,
        ctx,
        prepared,
      );
    }
    return await (await load("lib/modes/listen.ts")).listenMode(options, ctx, prepared);
  } finally {
    // Every byte received must reach stdout before exit. A stalled reader of
    // stdout is abandoned after a signal (SIGNAL_FLUSH_MS) or at the -q
    // deadline, which both end this wait.
    const cancelQuit = abandonAtQuitDeadline(options, ctx.local, QUIT_FLUSH_MS);
    try {
      await flushStdout();
    } finally {
      cancelQuit();
      await closeSessionLogs(logs);
    }
  }
}

/**
 * Waits until everything written to stdout is out; a closed or abandoned
 * stdout is quiet (and resolves `false`).
 */
async function flushStdout(): Promise<boolean> {
  return await stdoutWriter().flush().then(() => true, (err) => {
    // A closed stdout ends socktool quietly (SPEC §4).
    if (isOutputGone(err)) return false;
    throw new SocktoolError(`write stdout: ${causeInWords(err)}`, ExitCode.Network, {
      cause: err,
    });
  });
}

/**
 * `-q SECS`: socktool exits at most SECS after stdin ends. The sessions end
 * then (and give up on a stalled stdout themselves, `session.ts`); this
 * bounds the last wait for stdout at exit. What stdout has not taken by that
 * deadline plus {@linkcode QUIT_FLUSH_MS}, or `QUIT_FLUSH_MS` from now if
 * that is later, is abandoned. Returns the function that cancels it.
 */
function abandonAtQuitDeadline(
  options: Options,
  local: StdioDuplex,
  QUIT_FLUSH_MS: number,
): () => void {
  const quit = options.mode === "connect" || options.mode === "listen"
    ? options.quitAfterEofMs
    : undefined;
  if (quit === undefined) return () => {};
  let cancelled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flushStarted = Date.now();
  local.inputEnded.then((endedAt) => {
    if (cancelled) return;
    const at = Math.max(endedAt + quit, flushStarted) + QUIT_FLUSH_MS;
    timer = setTimeout(() => local.abandon(), Math.max(0, at - Date.now()));
  });
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}

/**
 * The exit code of the signal that is ending this run, if one is: what fails
 * while winding down after a signal is expected and reported by nobody.
 *
 * @example
 * ```ts
 * if (signalExitCode() === undefined) console.error("a real failure");
 * ```
 */
export function signalExitCode(): number | undefined {
  return signalExit;
}
