/**
 * An in-memory connection for handshake tests: reads come from a script of
 * bytes (in chunks of a chosen size, so a message split anywhere is tried),
 * writes are recorded.
 *
 * @module
 */

import { concatBytes } from "../io/bytes.ts";

/** A scripted `read`/`write` pair. */
export class ScriptConn {
  readonly #input: Uint8Array;
  readonly #chunk: number;
  #offset = 0;
  /** Everything written, in order. */
  readonly written: Uint8Array[] = [];

  /**
   * @param input the bytes the peer sends, then EOF
   * @param chunk the most each read returns
   */
  constructor(input: Uint8Array | string | number[], chunk = 1 << 20) {
    this.#input = typeof input === "string"
      ? new TextEncoder().encode(input)
      : input instanceof Uint8Array
      ? input
      : new Uint8Array(input);
    this.#chunk = chunk;
  }

  /** Reads the next bytes of the script; `null` once it is used up. */
  read(p: Uint8Array): Promise<number | null> {
    if (this.#offset >= this.#input.length) return Promise.resolve(null);
    const n = Math.min(p.length, this.#chunk, this.#input.length - this.#offset);
    p.set(this.#input.subarray(this.#offset, this.#offset + n));
    this.#offset += n;
    return Promise.resolve(n);
  }

  /** Records `p` (a copy). */
  write(p: Uint8Array): Promise<number> {
    this.written.push(p.slice());
    return Promise.resolve(p.length);
  }

  /** The bytes not read yet. */
  get unread(): Uint8Array {
    return this.#input.subarray(this.#offset);
  }

  /** Everything written, as one array. */
  get output(): Uint8Array {
    return concatBytes(this.written);
  }

  /** Everything written, as text. */
  get text(): string {
    return new TextDecoder().decode(this.output);
  }
}
