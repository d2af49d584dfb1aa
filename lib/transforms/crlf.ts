/**
 * `-C`: send CRLF for LF.
 *
 * @module
 */

import type { Sink, Stage } from "../io/sink.ts";

const CR = 0x0d;
const LF = 0x0a;

/**
 * Turns each LF into CRLF; an LF that already follows a CR is left alone,
 * also when the CR ended the previous chunk. Chunks with no bare LF pass
 * through as they are (no copy); others become one new chunk each, so a
 * datagram stays one datagram.
 */
class CrlfSink implements Sink {
  #next: Sink;
  #afterCR = false;

  constructor(next: Sink) {
    this.#next = next;
  }

  write(chunk: Uint8Array): Promise<void> {
    if (chunk.length === 0) return this.#next.write(chunk);
    let bare = 0;
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
      if (!this.#follows(chunk, i)) bare++;
    }
    let out = chunk;
    if (bare > 0) {
      out = new Uint8Array(chunk.length + bare);
      let from = 0;
      let to = 0;
      for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
        if (this.#follows(chunk, i)) continue;
        out.set(chunk.subarray(from, i), to);
        to += i - from;
        out[to++] = CR;
        from = i;
      }
      out.set(chunk.subarray(from), to);
    }
    this.#afterCR = chunk[chunk.length - 1] === CR;
    return this.#next.write(out);
  }

  close(): Promise<void> {
    return this.#next.close();
  }

  /** Whether the LF at `i` already has its CR (possibly from the last chunk). */
  #follows(chunk: Uint8Array, i: number): boolean {
    return i === 0 ? this.#afterCR : chunk[i - 1] === CR;
  }
}

/**
 * The `-C` stage: LF becomes CRLF, an existing CRLF is not doubled.
 *
 * @example
 * ```ts
 * import { crlfStage, stageStream } from "@socktool/socktool";
 *
 * const sent = await new Response(
 *   new Response("HELO example\nQUIT\r\n").body!.pipeThrough(stageStream(crlfStage)),
 * ).text();
 * console.log(JSON.stringify(sent)); // "HELO example\r\nQUIT\r\n"
 * ```
 */
export const crlfStage: Stage = (next): Sink => new CrlfSink(next);
