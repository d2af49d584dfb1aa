/**
 * Byte counts on the command line (`--size`, `--rate-limit`): a number of
 * bytes, or a number with a binary unit as pv and curl read them: `512K`,
 * `10M`, `1.5G`, `1T` (K = 1024). The unit may be lower case and may end in
 * `B` or `iB` (`10MiB`, `64kb`).
 *
 * @module
 */

import { usageError } from "../errors.ts";

/** Bytes per unit letter. */
const UNIT: Readonly<Record<string, number>> = {
  "": 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
};

const SIZE = /^(\d+(?:\.\d+)?|\.\d+)([kmgt]?)(i?b)?$/i;

/** The largest count taken: beyond 2^53 a number no longer counts bytes exactly. */
export const MAX_BYTES = Number.MAX_SAFE_INTEGER;

/**
 * Parses a byte count for `flag` into a whole number of bytes, 1 or more.
 *
 * @param what what the count is, for the message (`bytes`, `bytes per second`)
 * @throws {SocktoolError} exit 2 for anything else, naming the flag and what was typed
 * @example
 * ```ts
 * parseByteSize("--rate-limit", "512K"); // 524288
 * parseByteSize("--size", "1.5M");       // 1572864
 * parseByteSize("--size", "100");        // 100
 * ```
 */
export function parseByteSize(flag: string, text: string, what = "bytes"): number {
  const m = SIZE.exec(text.trim());
  const bad = (why: string) => usageError(`bad value '${text}' for ${flag}: ${why}`);
  if (!m) {
    throw bad(`must be ${what}: a number, or one with a unit K, M, G or T (512K, 10M, 1G)`);
  }
  const bytes = Math.round(Number(m[1]) * UNIT[m[2].toLowerCase()]);
  if (bytes < 1) throw bad(`must be 1 byte or more`);
  if (bytes > MAX_BYTES) throw bad(`at most ${MAX_BYTES} bytes`);
  return bytes;
}
