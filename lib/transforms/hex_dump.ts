/**
 * `-x FILE`: the session as a hex dump, in the line layout of
 * `ncat --hex-dump`, each line marked with its direction.
 *
 * @module
 */

import { LogFile, openLogFile } from "../io/log_file.ts";
import type { Direction } from "./stats.ts";
import type { Stage } from "../io/sink.ts";
import { logTap } from "./capture.ts";

const HEX_DIGITS = new TextEncoder().encode("0123456789abcdef");
const SPACE = 0x20;
const DOT = 0x2e;

/** The mark that starts each hex dump line of a direction. */
export const HEX_DUMP_MARK: Readonly<Record<Direction, string>> = { sent: ">", received: "<" };

/**
 * Hex dump lines as bytes: `MARK OFFSET   16 hex bytes  printable`. After
 * the mark and its space, a line is exactly ncat's (73 characters): the
 * offset in at least 4 hex digits, 8 + 8 bytes, then the printable column
 * padded to 16. Unlike ncat, the offset runs on across chunks (it is the
 * offset within its direction) and grows past `ffff` instead of wrapping.
 * Built as bytes, not strings: a dump is ~5 times its input.
 *
 * @param bytes the chunk to show; empty gives no lines
 * @param offset where the chunk starts in its direction's stream
 * @param mark `>` or `<`; "" gives ncat's line exactly
 */
export function hexDumpLines(bytes: Uint8Array, offset = 0, mark = ""): Uint8Array {
  const lead = mark === "" ? "" : mark + " ";
  const digits = (at: number) => Math.max(4, at.toString(16).length);
  // Per line: lead, offset, 3 spaces, 16 hex bytes and 1 gap (49), space, 16, newline.
  const fixed = lead.length + 3 + 49 + 1 + 16 + 1;
  let length = 0;
  for (let row = 0; row < bytes.length; row += 16) length += fixed + digits(offset + row);
  const out = new Uint8Array(length).fill(SPACE);
  let p = 0;
  for (let row = 0; row < bytes.length; row += 16) {
    for (let i = 0; i < lead.length; i++) out[p++] = lead.charCodeAt(i);
    const at = offset + row;
    const width = digits(at);
    for (let d = width - 1, v = at; d >= 0; d--, v = Math.floor(v / 16)) {
      out[p + d] = HEX_DIGITS[v % 16];
    }
    const hex = p + width + 3;
    const shown = hex + 49 + 1;
    const end = Math.min(16, bytes.length - row);
    for (let i = 0; i < end; i++) {
      const b = bytes[row + i];
      const h = hex + i * 3 + (i >= 8 ? 1 : 0);
      out[h] = HEX_DIGITS[b >> 4];
      out[h + 1] = HEX_DIGITS[b & 15];
      // ncat shows alphanumerics and punctuation; space and everything else is ".".
      out[shown + i] = b > 0x20 && b < 0x7f ? b : DOT;
    }
    out[shown + 16] = 0x0a;
    p = shown + 17;
  }
  return out;
}

/**
 * {@linkcode hexDumpLines} as a string.
 *
 * @example
 * ```ts
 * formatHexDump(new TextEncoder().encode("hi\n"), 0, ">");
 * // "> 0000   68 69 0a" + 42 spaces + "hi." + 13 spaces + "\n"
 * ```
 */
export function formatHexDump(bytes: Uint8Array, offset = 0, mark = ""): string {
  return new TextDecoder().decode(hexDumpLines(bytes, offset, mark));
}

/**
 * Opens the `-x` file (socktool does so before any socket, in
 * `modes/prepare.ts`, where a path that cannot be written is a usage error).
 *
 * @param path the `-x` argument
 * @param append `--append-output`: keep the file's content
 * @param options `truncate: false`: leave emptying it for later ({@linkcode LogFile.truncate})
 * @throws the file system's error
 */
export function openHexDump(
  path: string,
  append: boolean,
  options: { truncate?: boolean } = {},
): Promise<LogFile> {
  return openLogFile(path, append, options);
}

/**
 * Where {@linkcode hexDumpStage} writes: a `LogFile` (`-x`), a
 * `WritableStream`'s writer, anything with this `write`.
 */
export interface HexDumpWriter {
  /** Takes hex dump lines, in a buffer of their own that it may keep. */
  write(lines: Uint8Array): Promise<void>;
}

/**
 * A tap that writes each chunk as hex dump lines to `log` and passes the
 * chunk on unchanged. Use one per direction (each keeps its own offset) with
 * the same `log`, so both directions interleave in arrival order. A 0-length
 * chunk writes nothing. Closing does not close `log`.
 *
 * @example Dump what goes through a stream on stderr
 * ```ts
 * import { hexDumpStage, stageStream } from "@socktool/socktool";
 *
 * const stderr = Deno.stderr.writable.getWriter();
 * const dump = stageStream(hexDumpStage(stderr, "received"));
 * await new Response("hello\n").body!.pipeThrough(dump).pipeTo(new WritableStream());
 * // < 0000   68 65 6c 6c 6f 0a     hello.
 * stderr.releaseLock();
 * ```
 */
export function hexDumpStage(log: HexDumpWriter, direction: Direction): Stage {
  let offset = 0;
  return logTap(log, (chunk) => {
    const lines = hexDumpLines(chunk, offset, HEX_DUMP_MARK[direction]);
    offset += chunk.length;
    return lines;
  });
}
