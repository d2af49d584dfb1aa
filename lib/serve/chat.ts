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
import { escapeBytes } from "../io/escape.ts";

const LF = 0x0a;
const CR = 0x0d;

/** Longest line kept whole; a longer one is cut and sent in pieces. */
export const MAX_CHAT_LINE = 4096;

const encoder = new TextEncoder();

/**
 * Returns `line` (without its LF) with a CR that ends it dropped and control
 * characters and invalid UTF-8 escaped ({@linkcode escapeBytes}).
 *
 * @example
 * ```ts
 * new TextDecoder().decode(neutralise(new TextEncoder().encode("hi\x1b[2J\r")));
 * // "hi\\033[2J"
 * ```
 */
export function neutralise(line: Uint8Array): Uint8Array {
  const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
  return escapeBytes(line.subarray(0, end));
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
