/**
 * The one way bytes from the network or a peer are made safe for a terminal
 * (stderr, a chat line): nothing they hold may move the cursor, clear the
 * screen or retitle the window (SPEC §4). Tab stays; every other C0 control,
 * DEL, a UTF-8-encoded C1 control and any byte that is not part of valid
 * UTF-8 becomes a visible octal escape `\ooo` (as ncat does). Valid UTF-8
 * text passes untouched.
 *
 * @module
 */

const TAB = 0x09;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Returns `line` with control characters and invalid UTF-8 escaped.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(escapeBytes(new TextEncoder().encode("hi\x1b[2J")));
 * // "hi\\033[2J"
 * ```
 */
export function escapeBytes(line: Uint8Array): Uint8Array {
  const end = line.length;
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
 * {@linkcode escapeBytes} for text already decoded (a certificate name, a
 * socket path, a proxy's status line): safe to print on one line.
 *
 * @example
 * ```ts
 * escapeText("evil\x1b]0;title\x07"); // "evil\\033]0;title\\007"
 * ```
 */
export function escapeText(text: string): string {
  return decoder.decode(escapeBytes(encoder.encode(text)));
}
