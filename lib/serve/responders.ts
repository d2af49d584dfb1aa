/**
 * `--serve NAME` over UDP: one reply datagram per datagram received (or none),
 * as pure functions a datagram listener can call.
 *
 * @module
 */

import { concatBytes } from "../io/bytes.ts";
import { timestampPrefix } from "../transforms/timestamp.ts";

/** The names `--serve` accepts. */
export const SERVE_NAMES = ["echo", "discard", "daytime", "chargen", "upper", "timestamp"] as const;

/** One of {@linkcode SERVE_NAMES}. */
export type ServeName = typeof SERVE_NAMES[number];

/** Answers one datagram: the reply, or `null` for none. The input is lent. */
export type DatagramResponder = (datagram: Uint8Array) => Uint8Array | null;

/** Whether `name` is a `--serve` name. */
export function isServeName(name: string): name is ServeName {
  return (SERVE_NAMES as readonly string[]).includes(name);
}

const encoder = new TextEncoder();
const LF = 0x0a;

/**
 * RFC 867's date line, in the format of `ctime(3)` as inetd sends it:
 * `Tue Mar  5 14:03:02 2024\r\n`, local time.
 *
 * @example
 * ```ts
 * daytimeLine(new Date(2024, 2, 5, 14, 3, 2)); // "Tue Mar  5 14:03:02 2024\r\n"
 * ```
 */
export function daytimeLine(date: Date): string {
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][date.getDay()];
  const month =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
      date.getMonth()
    ];
  const two = (n: number) => String(n).padStart(2, "0");
  return `${day} ${month} ${String(date.getDate()).padStart(2, " ")} ${two(date.getHours())}:${
    two(date.getMinutes())
  }:${two(date.getSeconds())} ${date.getFullYear()}\r\n`;
}

/** RFC 864's line length: 72 characters, then CRLF. */
const CHARGEN_LINE = 72;
/** The 95 printable ASCII characters the pattern rotates through. */
const CHARGEN_CHARS = 95;

/**
 * RFC 864's character generator pattern: line `i` is 72 printable ASCII
 * characters starting at the `i`-th one, then CRLF. Returns `count` lines
 * from line `first`.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(chargenLines(0, 1)); // " !\"#$%&'()*+,-./0123...fgh\r\n"
 * ```
 */
export function chargenLines(first: number, count: number): Uint8Array {
  const out = new Uint8Array(count * (CHARGEN_LINE + 2));
  let o = 0;
  for (let l = 0; l < count; l++) {
    const start = (first + l) % CHARGEN_CHARS;
    for (let c = 0; c < CHARGEN_LINE; c++) out[o++] = 0x20 + (start + c) % CHARGEN_CHARS;
    out[o++] = 0x0d;
    out[o++] = LF;
  }
  return out;
}

/**
 * ASCII letters upper-cased, every other byte as it was (UTF-8 stays valid).
 * Writes into `out` (same length as `input`) and returns it.
 */
export function upperAscii(input: Uint8Array, out: Uint8Array = new Uint8Array(input.length)) {
  for (let i = 0; i < input.length; i++) {
    const b = input[i];
    out[i] = b >= 0x61 && b <= 0x7a ? b - 0x20 : b;
  }
  return out;
}

/**
 * A datagram with `[YYYY-MM-DD HH:MM:SS] ` before each line it holds.
 *
 * @example
 * ```ts
 * stampLines(new TextEncoder().encode("a\nb\n"), new Date(2024, 0, 2, 3, 4, 5));
 * // "[2024-01-02 03:04:05] a\n[2024-01-02 03:04:05] b\n"
 * ```
 */
export function stampLines(datagram: Uint8Array, date: Date): Uint8Array {
  const prefix = encoder.encode(timestampPrefix(date));
  const parts: Uint8Array[] = [];
  let from = 0;
  while (from < datagram.length) {
    const lf = datagram.indexOf(LF, from);
    const to = lf === -1 ? datagram.length : lf + 1;
    parts.push(prefix, datagram.subarray(from, to));
    from = to;
  }
  if (parts.length === 0) parts.push(prefix);
  return concatBytes(parts);
}

/**
 * Makes the UDP responder for a `--serve` name. `chargen` answers each
 * datagram with the next 6 lines of the pattern (444 bytes, within RFC 864's
 * 512); `daytime` with the date line; `discard` with nothing.
 *
 * @example
 * ```ts
 * const respond = datagramResponder("upper");
 * respond(new TextEncoder().encode("hi\n")); // "HI\n" as bytes
 * ```
 */
export function datagramResponder(
  name: ServeName,
  now: () => Date = () => new Date(),
): DatagramResponder {
  switch (name) {
    case "echo":
      return (d) => d.slice();
    case "discard":
      return () => null;
    case "daytime":
      return () => encoder.encode(daytimeLine(now()));
    case "chargen": {
      let line = 0;
      return () => {
        const out = chargenLines(line, 6);
        line = (line + 6) % CHARGEN_CHARS;
        return out;
      };
    }
    case "upper":
      return (d) => upperAscii(d);
    case "timestamp":
      return (d) => stampLines(d, now());
  }
}
