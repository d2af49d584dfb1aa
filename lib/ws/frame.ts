/**
 * RFC 6455 framing: the frame header (section 5.2), masking (5.3) and the
 * Close frame's payload (5.5.1). Pure functions over bytes; the connection
 * that uses them is `ws_conn.ts`.
 *
 * @module
 */

/** Frame opcodes (RFC 6455 §5.2). */
export const Opcode = {
  /** A further frame of a fragmented message. */
  Continuation: 0x0,
  /** A text message (UTF-8). */
  Text: 0x1,
  /** A binary message. */
  Binary: 0x2,
  /** The closing handshake. */
  Close: 0x8,
  /** A ping, to be answered by a pong. */
  Ping: 0x9,
  /** A pong. */
  Pong: 0xa,
} as const;

/** The largest payload of a control frame (ping, pong, close). */
export const MAX_CONTROL_PAYLOAD = 125;

/**
 * A violation of RFC 6455 by the peer, with the close code to answer it with
 * (1002 protocol error, 1009 message too big).
 */
export class WsProtocolError extends Error {
  /** The close code that fails the connection. */
  readonly closeCode: number;

  /**
   * @param message what the peer did wrong, in words
   * @param closeCode the close code to send (default 1002)
   */
  constructor(message: string, closeCode = 1002) {
    super(message);
    this.name = "WsProtocolError";
    this.closeCode = closeCode;
  }
}

/** A parsed frame header. */
export interface FrameHeader {
  /** Last frame of its message. */
  fin: boolean;
  /** The three reserved bits (must be 0: no extension is negotiated). */
  rsv: number;
  /** One of {@linkcode Opcode}, or an unknown value the caller refuses. */
  opcode: number;
  /** The masking key, when the payload is masked. */
  mask: Uint8Array | undefined;
  /** Payload length in bytes. */
  length: number;
  /** Header length in bytes (2 to 14). */
  headerLength: number;
}

/**
 * Parses the frame header at `buf[start..end)`, or returns `undefined` when
 * not all of it is there yet.
 *
 * @throws {WsProtocolError} a 64-bit length with its top bit set, or one
 *   beyond what a JavaScript number holds exactly
 * @example
 * ```ts
 * parseFrameHeader(new Uint8Array([0x81, 0x02, 0x68, 0x69]), 0, 4);
 * // { fin: true, rsv: 0, opcode: 1, mask: undefined, length: 2, headerLength: 2 }
 * ```
 */
export function parseFrameHeader(
  buf: Uint8Array,
  start: number,
  end: number,
): FrameHeader | undefined {
  if (end - start < 2) return undefined;
  const b0 = buf[start];
  const b1 = buf[start + 1];
  const masked = (b1 & 0x80) !== 0;
  let length = b1 & 0x7f;
  let at = start + 2;
  if (length === 126) {
    if (end - at < 2) return undefined;
    length = (buf[at] << 8) | buf[at + 1];
    at += 2;
  } else if (length === 127) {
    if (end - at < 8) return undefined;
    const high = ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
    const low = ((buf[at + 4] << 24) | (buf[at + 5] << 16) | (buf[at + 6] << 8) | buf[at + 7]) >>>
      0;
    if (high >= 0x200000) {
      throw new WsProtocolError("frame length too large", 1009);
    }
    length = high * 0x100000000 + low;
    at += 8;
  }
  let mask: Uint8Array | undefined;
  if (masked) {
    if (end - at < 4) return undefined;
    mask = buf.slice(at, at + 4);
    at += 4;
  }
  return {
    fin: (b0 & 0x80) !== 0,
    rsv: (b0 >> 4) & 0x7,
    opcode: b0 & 0x0f,
    mask,
    length,
    headerLength: at - start,
  };
}

/** The header length for a payload of `length` bytes. */
function headerLengthFor(length: number, masked: boolean): number {
  const base = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  return masked ? base + 4 : base;
}

/** Writes a frame header into `out` at 0; returns where the payload starts. */
function writeHeader(
  out: Uint8Array,
  opcode: number,
  fin: boolean,
  length: number,
  mask: Uint8Array | undefined,
): number {
  out[0] = (fin ? 0x80 : 0) | opcode;
  const maskBit = mask ? 0x80 : 0;
  let at: number;
  if (length < 126) {
    out[1] = maskBit | length;
    at = 2;
  } else if (length < 0x10000) {
    out[1] = maskBit | 126;
    out[2] = length >> 8;
    out[3] = length & 0xff;
    at = 4;
  } else {
    out[1] = maskBit | 127;
    const high = Math.floor(length / 0x100000000);
    const low = length >>> 0;
    out.set([high >>> 24, (high >> 16) & 0xff, (high >> 8) & 0xff, high & 0xff], 2);
    out.set([low >>> 24, (low >> 16) & 0xff, (low >> 8) & 0xff, low & 0xff], 6);
    at = 10;
  }
  if (mask) {
    out.set(mask, at);
    at += 4;
  }
  return at;
}

/**
 * Encodes one frame: header, then `payload` (masked with `mask` when given,
 * as a client must). Returns a new array; `payload` is not changed.
 *
 * @example
 * ```ts
 * encodeFrame(Opcode.Text, new TextEncoder().encode("hi")); // [0x81, 0x02, 0x68, 0x69]
 * ```
 */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  mask?: Uint8Array,
  fin = true,
): Uint8Array {
  const out = new Uint8Array(headerLengthFor(payload.length, mask !== undefined) + payload.length);
  const at = writeHeader(out, opcode, fin, payload.length, mask);
  out.set(payload, at);
  if (mask) applyMask(out.subarray(at), mask, 0);
  return out;
}

/**
 * Encodes several frames back to back into one array, so that they leave in
 * one write.
 *
 * @example
 * ```ts
 * encodeFrames([[Opcode.Text, a], [Opcode.Text, b]], () => undefined);
 * ```
 */
export function encodeFrames(
  frames: readonly (readonly [number, Uint8Array])[],
  maskFor: () => Uint8Array | undefined,
): Uint8Array {
  const masks = frames.map(() => maskFor());
  let total = 0;
  for (let i = 0; i < frames.length; i++) {
    total += headerLengthFor(frames[i][1].length, masks[i] !== undefined) + frames[i][1].length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < frames.length; i++) {
    const [opcode, payload] = frames[i];
    at += writeHeader(out.subarray(at), opcode, true, payload.length, masks[i]);
    out.set(payload, at);
    if (masks[i]) applyMask(out.subarray(at, at + payload.length), masks[i]!, 0);
    at += payload.length;
  }
  return out;
}

/**
 * XORs `data` in place with the masking key, `offset` bytes into the
 * payload (so a payload can be unmasked piece by piece). Masking twice
 * restores the bytes.
 *
 * @example
 * ```ts
 * applyMask(bytes, key, 0);
 * ```
 */
export function applyMask(data: Uint8Array, mask: Uint8Array, offset: number): void {
  const n = data.length;
  let i = 0;
  // Byte by byte up to a 4-byte boundary (or all of a short payload)...
  const head = n < 64 ? n : (4 - (data.byteOffset & 3)) & 3;
  for (; i < head; i++) data[i] ^= mask[(offset + i) & 3];
  if (i === n) return;
  // ...then a word at a time: a 256 KiB chunk costs ~0.1 ms.
  for (let k = 0; k < 4; k++) KEY_BYTES[k] = mask[(offset + i + k) & 3];
  const key = KEY_WORD[0];
  const words = (n - i) >> 2;
  const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
  for (let w = 0; w < words; w++) view[w] ^= key;
  i += words * 4;
  for (; i < n; i++) data[i] ^= mask[(offset + i) & 3];
}

/** The masking key as one machine word (same byte order as the data's view). */
const KEY_BYTES = new Uint8Array(4);
const KEY_WORD = new Uint32Array(KEY_BYTES.buffer);

/** Names of the close codes of RFC 6455 §7.4.1, for `-v` and messages. */
const CLOSE_CODE_NAMES: Record<number, string> = {
  1000: "normal closure",
  1001: "going away",
  1002: "protocol error",
  1003: "unsupported data",
  1005: "no status code",
  1006: "abnormal closure",
  1007: "invalid message data",
  1008: "policy violation",
  1009: "message too big",
  1010: "missing extension",
  1011: "internal error",
  1012: "service restart",
  1013: "try again later",
  1014: "bad gateway",
  1015: "TLS handshake failure",
};

/**
 * A close code in words: `1000 (normal closure)`, `4000` for codes of
 * applications.
 *
 * @example
 * ```ts
 * describeCloseCode(1011); // "1011 (internal error)"
 * ```
 */
export function describeCloseCode(code: number): string {
  const name = CLOSE_CODE_NAMES[code];
  return name === undefined ? String(code) : `${code} (${name})`;
}

/**
 * Whether a peer's close code says the session failed: the protocol codes
 * from 1002 on (a protocol error, bad data, an internal error...). 1000,
 * 1001, 1005 (no code given) and the codes left to applications (3000-4999),
 * whose meaning socktool cannot know, end a session normally.
 *
 * @example
 * ```ts
 * isFailureCode(1011); // true
 * isFailureCode(1000); // false
 * ```
 */
export function isFailureCode(code: number): boolean {
  return code >= 1002 && code < 3000 && code !== 1005;
}

/** A Close frame's content. */
export interface ClosePayload {
  /** The status code (1005 when the frame carried none). */
  code: number;
  /** The reason, as the bytes sent (UTF-8 by the RFC; not decoded here). */
  reason: Uint8Array;
}

/**
 * Reads a Close frame's payload.
 *
 * @throws {WsProtocolError} a one-byte payload, or a code no endpoint may send
 * @example
 * ```ts
 * parseClosePayload(new Uint8Array([0x03, 0xe8])); // { code: 1000, reason: Uint8Array [] }
 * ```
 */
export function parseClosePayload(payload: Uint8Array): ClosePayload {
  if (payload.length === 0) return { code: 1005, reason: new Uint8Array() };
  if (payload.length === 1) throw new WsProtocolError("a Close frame with a one-byte payload");
  const code = (payload[0] << 8) | payload[1];
  // 1005, 1006 and 1015 are for reports only, never sent (RFC 6455 §7.4.1).
  if (
    code < 1000 || code === 1004 || code === 1005 || code === 1006 || code === 1015 || code >= 5000
  ) {
    throw new WsProtocolError(`a Close frame with the invalid code ${code}`);
  }
  return { code, reason: payload.slice(2) };
}

/**
 * Encodes a Close frame's payload; code 1005 means none (an empty payload).
 *
 * @example
 * ```ts
 * encodeClosePayload(1000); // Uint8Array [0x03, 0xe8]
 * ```
 */
export function encodeClosePayload(
  code: number,
  reason: Uint8Array = new Uint8Array(),
): Uint8Array {
  if (code === 1005) return new Uint8Array();
  const out = new Uint8Array(2 + Math.min(reason.length, MAX_CONTROL_PAYLOAD - 2));
  out[0] = code >> 8;
  out[1] = code & 0xff;
  out.set(reason.subarray(0, out.length - 2), 2);
  return out;
}
