/**
 * socktool's entry. The command itself is `lib/modes/command.ts`, loaded
 * here at run time (`lib/lazy.ts`), so that `deno run` reads only the
 * modules a run uses; a bare `--version` or `--help` is answered before
 * anything else loads.
 *
 * @module
 */

import denoConfig from "./deno.json" with { type: "json" };
import { load } from "./lib/lazy.ts";
import { causeInWords, ExitCode } from "./lib/errors.ts";

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
  return await (await load("lib/modes/command.ts")).main(args);
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
  return await (await load("lib/modes/command.ts")).runCommand(args);
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
    const line = `socktool: write stdout: ${causeInWords(err)}\n`;
    try {
      Deno.stderr.writeSync(new TextEncoder().encode(line));
    } finally {
      Deno.exit(ExitCode.Network);
    }
  }
}

if (import.meta.main) await runAsCommand(Deno.args);
