/**
 * `--chat` line handling: splits a client's bytes into lines, neutralises
 * control characters, and prefixes each line with the sender's name
 * (`<user1> hello`).
 *
 * Neutralising: a chat relays one client's bytes to other people's
 * terminals, so nothing a client sends may move their cursor, clear their
 * screen or retitle their window. Tab stays; a CR ending a line (CRLF) is
 * dropped; every other C0 control, DEL, a UTF-8-encoded C1 control and any
 * byte that is not part of valid UTF-8 is written as a visible octal escape
 * `\ooo` (as ncat does). Valid UTF-8 text passes untouched.
 *
 * @module
 */

import { concatBytes } from "../io/bytes.ts";

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;

/** Longest line kept whole; a longer one is cut and sent in pieces. */
export const MAX_CHAT_LINE = 4096;

const encoder = new TextEncoder();

/**
 * Returns `line` (without its LF) with control characters and invalid
 * UTF-8 escaped.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(neutralise(new TextEncoder().encode("hi\x1b[2J\r")));
 * // "hi\\033[2J"
 * ```
 */
export function neutralise(line: Uint8Array): Uint8Array {
  const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
  const out: number[] = [];
  const escape = (b: number) => out.push(0x5c, ...encoder.encode(b.toString(8).padStart(3, "0")));
  for (let i = 0; i < end;) {
    const b = line[i];
    if (b < 0x80) {
      if ((b < 0x20 && b !== TAB) || b === 0x7f) escape(b);
      else out.push(b);
      i++;
      continue;
    }
    const len = utf8SequenceLength(line, i, end);
    if (len === 0) {
      escape(b);
      i++;
    } else {
      for (let k = 0; k < len; k++) out.push(line[i + k]);
      i += len;
    }
  }
  return new Uint8Array(out);
}

/**
 * The length of the valid, printable UTF-8 sequence at `i`, or 0 when the
 * bytes there are not one (or encode a C1 control, U+0080-U+009F).
 */
function utf8SequenceLength(b: Uint8Array, i: number, end: number): number {
  const lead = b[i];
  const cont = (k: number) => i + k < end && (b[i + k] & 0xc0) === 0x80;
  if (lead >= 0xc2 && lead <= 0xdf) {
    if (!cont(1)) return 0;
    return lead === 0xc2 && b[i + 1] < 0xa0 ? 0 : 2; // C1 controls
  }
  if (lead >= 0xe0 && lead <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    if (lead === 0xe0 && b[i + 1] < 0xa0) return 0; // overlong
    if (lead === 0xed && b[i + 1] >= 0xa0) return 0; // surrogates
    return 3;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (lead === 0xf0 && b[i + 1] < 0x90) return 0; // overlong
    if (lead === 0xf4 && b[i + 1] >= 0x90) return 0; // above U+10FFFF
    return 4;
  }
  return 0;
}

/**
 * One sender's line splitter: feed it chunks, get back whole formatted
 * lines (`<name> text\n`); a partial line waits for its end.
 *
 * @example
 * ```ts
 * const lines = new ChatLines("user1");
 * lines.push(new TextEncoder().encode("hel"));   // []
 * lines.push(new TextEncoder().encode("lo\n"));  // ["<user1> hello\n"] as bytes
 * ```
 */
export class ChatLines {
  readonly #prefix: Uint8Array;
  readonly #maxLine: number;
  #pending: Uint8Array = new Uint8Array(0);

  /**
   * @param name the sender's name, shown as `<name> `
   * @param maxLine a line longer than this is sent in pieces
   */
  constructor(name: string, maxLine: number = MAX_CHAT_LINE) {
    this.#prefix = encoder.encode(`<${name}> `);
    this.#maxLine = maxLine;
  }

  /** Adds a chunk; returns the formatted lines it completed, joined. */
  push(chunk: Uint8Array): Uint8Array {
    const data = this.#pending.length ? concatBytes([this.#pending, chunk]) : chunk;
    const lines: Uint8Array[] = [];
    let from = 0;
    for (;;) {
      const lf = data.indexOf(LF, from);
      if (lf === -1) {
        if (data.length - from <= this.#maxLine) break;
        lines.push(this.#format(data.subarray(from, from + this.#maxLine)));
        from += this.#maxLine;
        continue;
      }
      lines.push(this.#format(data.subarray(from, lf)));
      from = lf + 1;
    }
    this.#pending = data.slice(from);
    return concatBytes(lines);
  }

  /** At the sender's end: the partial line, formatted, if there is one. */
  flush(): Uint8Array {
    const rest = this.#pending;
    this.#pending = new Uint8Array(0);
    return rest.length ? this.#format(rest) : rest;
  }

  #format(line: Uint8Array): Uint8Array {
    return concatBytes([this.#prefix, neutralise(line), new Uint8Array([LF])]);
  }
}
