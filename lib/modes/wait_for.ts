/**
 * `socktool --wait-for SECS TARGET...`: waits until every target accepts a
 * connection (the job of wait-for-it, dockerize and `while ! nc -z` loops in
 * container entrypoints). Targets are waited for at once, each backing off on
 * its own (at most four attempts a second); nothing is printed while waiting.
 * When all are up it returns (exit 0); at the deadline it reports each
 * target still down, one line each, and fails (exit 1).
 *
 * @module
 */

import { ExitCode, SocktoolError } from "../errors.ts";
import type { WaitForOptions } from "../cli/options.ts";
import type { Logger } from "../io/log.ts";
import { formatTarget } from "../cli/targets.ts";
import { type WaitOutcome, waitUntilUp } from "../probe/wait.ts";
import { writeStdout } from "../io/stdio.ts";

/** Where {@linkcode waitForMode} writes and what stops it. */
export interface WaitForContext {
  /** `-v` lines (each target as it comes up) and the lines of targets still down. */
  log: Logger;
  /** Stops waiting (SIGINT, SIGTERM). */
  signal: AbortSignal;
  /** Writes one `--json` line (newline included); stdout by default. */
  writeLine?: (line: string) => Promise<boolean>;
}

/** Seconds for messages: `5 s`, `0.5 s`, `1.25 s`. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}

/**
 * The line for a target still down at the deadline.
 *
 * @example
 * ```ts
 * downLine("127.0.0.1:5432", 30_000, { up: false, reason: "connection refused", attempts: 121, ms: 30000 });
 * // "wait for 127.0.0.1:5432: still down after 30 s: connection refused (121 attempts)"
 * ```
 */
export function downLine(name: string, deadlineMs: number, r: WaitOutcome): string {
  const tries = `${r.attempts} attempt${r.attempts === 1 ? "" : "s"}`;
  return `wait for ${name}: still down after ${seconds(deadlineMs)}: ${r.reason} (${tries})`;
}

/**
 * The `--json` line for a target: up as soon as it is, or down at the deadline.
 *
 * @example
 * ```ts
 * waitJson("db:5432", { up: true, address: "10.0.0.5:5432", attempts: 3, ms: 412.5 });
 * // {"target":"db:5432","state":"up","address":"10.0.0.5:5432","attempts":3,"ms":412.5}
 * ```
 */
export function waitJson(name: string, r: WaitOutcome): string {
  return JSON.stringify({
    target: name,
    state: r.up ? "up" : "down",
    ...(r.address !== undefined ? { address: r.address } : {}),
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    attempts: r.attempts,
    ms: Math.round(r.ms * 10) / 10,
  });
}

/**
 * Waits for every target of `opts`. Resolves when all are up; rejects with a
 * network error (exit 1) when some are still down at the deadline, after
 * printing one line for each of them (the last one is the error itself, so
 * the user sees exactly one line per target down).
 *
 * @example
 * ```ts
 * const opts = parseCommandLine(["--wait-for", "30", "db:5432", "unix:/run/app.sock"]);
 * await waitForMode(opts as WaitForOptions, { log, signal });
 * ```
 */
export async function waitForMode(opts: WaitForOptions, ctx: WaitForContext): Promise<void> {
  const writeLine = ctx.writeLine ?? writeStdout;
  const deadline = performance.now() + opts.deadlineMs;
  const outcomes = await Promise.all(opts.targets.map(async (target) => {
    const name = formatTarget(target);
    const r = await waitUntilUp(target, {
      deadline,
      attemptTimeoutMs: opts.attemptTimeoutMs,
      family: opts.family,
      signal: ctx.signal,
      onFailed: (reason, n) => ctx.log.debug(`${name}: ${reason} (attempt ${n})`),
    });
    if (ctx.signal.aborted) return { name, r };
    if (r.up) {
      const at = target.kind === "inet" && r.address !== name ? ` at ${r.address}` : "";
      ctx.log.info(`${name} is up${at} after ${seconds(r.ms)} (attempt ${r.attempts})`);
      if (opts.json) await writeLine(`${waitJson(name, r)}\n`);
    }
    return { name, r };
  }));
  if (ctx.signal.aborted) return;
  const down = outcomes.filter(({ r }) => !r.up);
  if (down.length === 0) return;
  if (opts.json) {
    for (const { name, r } of down) await writeLine(`${waitJson(name, r)}\n`);
  }
  const lines = down.map(({ name, r }) => downLine(name, opts.deadlineMs, r));
  for (const line of lines.slice(0, -1)) ctx.log.warn(line);
  throw new SocktoolError(lines.at(-1)!, ExitCode.Network);
}
