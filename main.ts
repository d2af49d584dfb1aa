/**
 * socktool's entry. The command itself is `lib/modes/command.ts`, loaded
 * here at run time (`lib/lazy.ts`), so that `deno run` reads only the
 * modules a run uses; a bare `--version` or `--help` is answered before
 * anything else loads. This is the one place that turns errors into lines
 * on stderr and exit codes, and the one caller of `Deno.exit`.
 *
 * @module
 */

import denoConfig from "./deno.json" with { type: "json" };
import { load } from "./lib/lazy.ts";
import { causeInWords, ExitCode, SocktoolError } from "./lib/errors.ts";
import { writeStderrLine } from "./lib/io/log.ts";

/** The version printed by `--version`. */
export const VERSION: string = denoConfig.version;

/**
 * Runs socktool with `args` and returns the exit code. Never throws and
 * never exits: the caller decides. After SIGINT, SIGTERM or SIGHUP it
 * returns within 1.5 s whatever is still pending, after the clean-ups of
 * `lib/io/exit_cleanup.ts` (programs killed, socket files removed); a second
 * signal cuts the wait short.
 *
 * @example
 * ```ts
 * const code = await main(["--version"]);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  try {
    return await (await load("lib/modes/command.ts")).run(args);
  } catch (err) {
    return report(err);
  }
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

/**
 * Runs socktool as the process's command with `args` and exits with its
 * exit code. `--version` alone is answered from here: nothing else needs to
 * load for it; `-h` or `--help` alone loads only the text.
 *
 * @example
 * ```ts ignore
 * await runAsCommand(Deno.args); // never returns
 * ```
 */
export async function runAsCommand(args: readonly string[]): Promise<never> {
  const only = args.length === 1 ? args[0] : undefined;
  if (only === "--version" && writeAllOrNothing(`socktool ${VERSION}\n`)) Deno.exit(0);
  if (
    (only === "-h" || only === "--help") &&
    writeAllOrNothing((await load("lib/cli/usage.ts")).USAGE)
  ) Deno.exit(0);
  const command = await load("lib/modes/command.ts");
  // The last resort: an error that escaped every other handler is one line,
  // never a trace. After a signal, what fails while winding down is expected.
  globalThis.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    if (command.signalExitCode() !== undefined) return;
    Deno.exit(report(e.reason));
  });
  Deno.exit(await main(args));
}

/**
 * Writes `text` to stdout; false, with nothing written, when it cannot
 * (stdout closed, nonblocking and full, anything else): the command then
 * does it the careful way and says why. A failure after part of it went out
 * cannot be handed over: a reader that left ends quietly, as a closed stdout
 * does (SPEC §4), anything else ends here with exit 1.
 */
function writeAllOrNothing(text: string): boolean {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  try {
    while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
    return true;
  } catch (err) {
    if (written === 0) return false;
    if (err instanceof Deno.errors.BrokenPipe) return true;
    Deno.exit(report(new SocktoolError(`write stdout: ${causeInWords(err)}`, ExitCode.Network)));
  }
}

if (import.meta.main) await runAsCommand(Deno.args);
