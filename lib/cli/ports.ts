/**
 * Port numbers and port lists as the command line gives them (`8080`,
 * `20-30`, `22,80`); a bad one is a usage error.
 *
 * @module
 */

import { usageError } from "../errors.ts";

/**
 * Parses a TCP/UDP port number, 1 to 65535.
 *
 * @example
 * ```ts
 * parsePort("8080"); // 8080
 * parsePort("0");    // throws: bad port '0': must be a number from 1 to 65535
 * ```
 */
export function parsePort(text: string, opts: { allowZero?: boolean } = {}): number {
  const min = opts.allowZero ? 0 : 1;
  if (/^\d{1,5}$/.test(text)) {
    const n = Number(text);
    if (n >= min && n <= 65535) return n;
  }
  throw usageError(`bad port '${text}': must be a number from ${min} to 65535`);
}

/**
 * Parses a list of ports and ranges (`20-30`, `8080`) into ascending unique
 * port numbers.
 *
 * @example
 * ```ts
 * parsePortList(["20-22", "8080"]); // [20, 21, 22, 8080]
 * ```
 */
export function parsePortList(items: readonly string[]): number[] {
  const ports = new Set<number>();
  for (const item of items) {
    for (const part of item.split(",")) {
      const m = /^(\d+)-(\d+)$/.exec(part);
      if (!m) {
        ports.add(parsePort(part));
        continue;
      }
      const lo = parsePort(m[1]);
      const hi = parsePort(m[2]);
      if (lo > hi) throw usageError(`bad port range '${part}': ${lo} is above ${hi}`);
      for (let p = lo; p <= hi; p++) ports.add(p);
    }
  }
  return [...ports].sort((a, b) => a - b);
}
