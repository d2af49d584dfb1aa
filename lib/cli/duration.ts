/**
 * Durations on the command line (`-w`, `-q`, `-i`; SPEC §4): seconds as a
 * bare or decimal number (`2`, `0.5`), or a number with a unit (`500ms`,
 * `2s`, `1m`, `1h`). One parser for all of them, bounded by what a timer can
 * hold: `setTimeout` takes at most 2,147,483,647 ms (about 24.8 days), and a
 * longer delay fires at once instead of never.
 *
 * @module
 */

import { usageError } from "../errors.ts";

/** The longest delay a timer can hold, in milliseconds (2^31 - 1). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** Milliseconds per unit; a bare number is seconds. */
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const DURATION = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)?$/;

/**
 * Parses a duration for `flag` into whole milliseconds. A positive value
 * shorter than a millisecond counts as one, so it never turns into "off" (0).
 *
 * @throws {SocktoolError} exit 2 for anything else, or for a value beyond
 *   {@linkcode MAX_DURATION_MS}, naming the limit
 * @example
 * ```ts
 * parseDuration("-w", "1.5");   // 1500
 * parseDuration("-i", "250ms"); // 250
 * parseDuration("-q", "2m");    // 120000
 * ```
 */
export function parseDuration(flag: string, text: string): number {
  const m = DURATION.exec(text);
  if (!m) {
    throw usageError(
      `bad value '${text}' for ${flag}: must be seconds (2, 0.5) or a number with a unit (500ms, 2s, 1m, 1h)`,
    );
  }
  const exact = Number(m[1]) * UNIT_MS[m[2] ?? "s"];
  if (exact > MAX_DURATION_MS) {
    throw usageError(
      `bad value '${text}' for ${flag}: at most ${
        MAX_DURATION_MS / 1000
      } s (about 24.8 days), the longest a timer can wait`,
    );
  }
  const ms = Math.round(exact);
  return ms === 0 && exact > 0 ? 1 : ms;
}
