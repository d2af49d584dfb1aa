/**
 * What people type from habit, read the way they meant it: a port glued to
 * short options (`-l9999`), `HOST:PORT` as one argument, and a close guess
 * for a mistyped long option (`--sslx` → `--ssl`). Pure: no I/O.
 *
 * @module
 */

import { OPTION_TABLE, type OptionName } from "./option_table.ts";

type Spec = { type: string; short?: string };

const SPECS = OPTION_TABLE as Record<string, Spec>;
const BY_SHORT = new Map(
  Object.values(SPECS).filter((s) => s.short).map((s) => [s.short!, s]),
);

/**
 * Splits a port glued to a group of short flags into its own argument:
 * `-l9999` is `-l 9999`, `-lvk9999` is `-lvk 9999`. Only when every letter
 * before the digits is a flag that takes no value (`-w5` and `-p9999` are
 * values already), and the digits cannot be the flags `-4`/`-6` themselves
 * (`-l4` stays listen over IPv4; two digits or more are a port). Values of
 * options and everything after `--` are left alone.
 *
 * @example
 * ```ts
 * splitGluedPorts(["-lvk9999"]);      // ["-lvk", "9999"]
 * splitGluedPorts(["-l4", "9999"]);   // unchanged: -l -4
 * splitGluedPorts(["-o", "-l9999"]);  // unchanged: a file named -l9999
 * ```
 */
export function splitGluedPorts(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return [...out, ...args.slice(i)];
    out.push(arg);
    if (arg.startsWith("--")) {
      // `--output FILE`: the next argument is a value, whatever it looks like.
      const spec = arg.includes("=") ? undefined : SPECS[arg.slice(2)];
      if (spec?.type === "string" && i + 1 < args.length) out.push(args[++i]);
      continue;
    }
    if (!/^-[^-]/.test(arg)) continue;
    for (let j = 1; j < arg.length; j++) {
      const digits = /^\d+$/.test(arg.slice(j)) ? arg.slice(j) : undefined;
      if (digits !== undefined && j > 1 && (digits.length > 1 || !BY_SHORT.has(digits))) {
        out.splice(out.length - 1, 1, arg.slice(0, j), digits);
        break;
      }
      const spec = BY_SHORT.get(arg[j]);
      if (spec?.type === "boolean") continue;
      // A value option takes the rest of the group, or the next argument.
      if (spec?.type === "string" && j === arg.length - 1 && i + 1 < args.length) {
        out.push(args[++i]);
      }
      break;
    }
  }
  return out;
}

/**
 * `HOST:PORT` or `[V6]:PORT` typed as one argument, split; `undefined` for
 * anything else (a bare IPv6 address such as `::1` is a host, not a split).
 * The port part is returned as typed (`80`, or a list `20-30` for `-z`), for
 * the caller to check.
 *
 * @example
 * ```ts
 * splitHostPort("localhost:9999"); // { host: "localhost", port: "9999" }
 * splitHostPort("[::1]:80");       // { host: "::1", port: "80" }
 * splitHostPort("::1");            // undefined
 * ```
 */
export function splitHostPort(text: string): { host: string; port: string } | undefined {
  const m = /^\[([^\]]*)\]:([\d,-]+)$/.exec(text) ?? /^([^:\[\]]+):([\d,-]+)$/.exec(text);
  return m ? { host: m[1], port: m[2] } : undefined;
}

/**
 * The long options closest to a mistyped one, for "did you mean": those the
 * typed name is a prefix of (when there is exactly one), else those at the
 * smallest edit distance (insert, delete, substitute, swap two neighbours),
 * if that distance is small for the name's length. At most two, in table
 * order; none when nothing is close.
 *
 * @example
 * ```ts
 * closestOptions("sslx");      // ["ssl"]
 * closestOptions("ssl-trust"); // ["ssl-trustfile"]
 * closestOptions("frobnicate"); // []
 * ```
 */
export function closestOptions(
  typed: string,
  names: readonly string[] = Object.keys(OPTION_TABLE),
): OptionName[] {
  const prefixed = names.filter((n) => typed.length >= 2 && n.startsWith(typed));
  if (prefixed.length === 1) return prefixed as OptionName[];
  const limit = Math.max(1, Math.min(3, Math.floor(typed.length / 3)));
  let best = limit + 1;
  let found: string[] = [];
  for (const name of names) {
    const d = editDistance(typed, name);
    if (d < best) [best, found] = [d, [name]];
    else if (d === best && d <= limit) found.push(name);
  }
  return (found.length <= 2 ? found : []) as OptionName[];
}

/**
 * Edit distance with swaps of neighbouring letters counted as one edit
 * (optimal string alignment), the typo a fast typist makes.
 *
 * @example
 * ```ts
 * editDistance("lsiten", "listen"); // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
