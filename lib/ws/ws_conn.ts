/**
 * A WebSocket connection presented as a byte stream (a `Deno.Conn`), so the
 * relay, sessions, the fan-out room, `--forward` and the accept loop run
 * over WebSocket exactly as over TCP.
 *
 * How bytes map to messages:
 * - Text mode (the default, like websocat): each line written (up to LF,
 *   which is not sent) goes out as one message; a line that is not valid
 *   UTF-8 goes out as a binary message instead, so no byte is lost and no
 *   peer fails the connection over it. A line not yet ended is held (at most
 *   1 MiB; a longer one leaves in pieces) and sent when it ends or at
 *   half-close. Each message received is read as its bytes followed by LF.
 * - Binary mode (`--binary`): each write is one binary message; messages
 *   received are read as their bytes, nothing added. Byte-exact.
 * Received bytes are never decoded: a text message that is not valid UTF-8
 * is passed on as it came.
 *
 * How the ends map (SPEC §3): a Close frame is the WebSocket's half-close.
 * - `closeWrite()` (our input ended) sends a Close frame (1000) after all
 *   written before it, and reading goes on until the peer's Close: every
 *   data frame the peer still sends (an echo's tail) is read. The peer's
 *   Close then ends reads and aborts {@linkcode WsConn.ended}: the
 *   WebSocket is over.
 * - The peer's Close received first ends reads (EOF) after everything sent
 *   before it, its code and reason told on `-v`. It is not answered at
 *   once: writes go on, so the local side can finish (an echo echoes all it
 *   read, a program flushes its output, a forward target answers its
 *   half-close), and `closeWrite()` then answers it with the peer's own code
 *   (RFC 6455 §5.5.1 lets an endpoint send what it has before answering)
 *   and aborts `ended`. A peer that hangs up before our answer (the
 *   connection below ends) aborts `ended` too, so no session waits on a
 *   peer that is gone. A close code that reports a failure (1002-2999, such
 *   as 1011 internal error) is answered at once and fails the read instead
 *   (exit 1), which ends the session as any failed read does.
 * - The connection ending with no Close frame fails the read, unless our
 *   Close was sent already (the peer just hung up after it).
 * - `close()` before our Close frame sends one if it can: the peer's code if
 *   it closed first, else 1001 (going away).
 *
 * Pings are answered with pongs (the latest one only, if several wait);
 * reads never wait on a write, so a peer that stops reading cannot wedge
 * our reading.
 *
 * @module
 */

import { ExitCode, SocktoolError } from "../errors.ts";
import { escapeBytes } from "../io/escape.ts";
import { readableFrom, writeAll } from "../io/sink.ts";
import {
  applyMask,
  type ClosePayload,
  describeCloseCode,
  encodeClosePayload,
  encodeFrame,
  encodeFrames,
  isFailureCode,
  MAX_CONTROL_PAYLOAD,
  Opcode,
  parseClosePayload,
  parseFrameHeader,
  WsProtocolError,
} from "./frame.ts";

/**
 * The first read buffer, for frame headers and small messages (big payloads
 * bypass it): an idle WebSocket holds little; it grows while reads fill it.
 */
const READ_BUFFER = 16 * 1024;

/** The largest the read buffer grows. */
const MAX_READ_BUFFER = 256 * 1024;

/** The longest line held in text mode before it is sent in pieces: 1 MiB. */
export const MAX_LINE = 1024 * 1024;

/** Masking keys drawn from the random source at once, in bytes (1024 keys). */
const MASK_POOL = 4096;

/** How long a Close frame may take to leave before the connection is closed anyway. */
const CLOSE_WRITE_MS = 1000;

const LF = 0x0a;
const decoder = new TextDecoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Options for {@linkcode WsConn}. */
export interface WsConnOptions {
  /** A client masks what it sends and expects unmasked frames; a server the opposite. */
  role: "client" | "server";
  /** `--binary`: one binary message per write, messages read as bare bytes. */
  binary: boolean;
  /** Bytes the handshake read past the HTTP head: the first frames. */
  leftover?: Uint8Array;
  /** The peer in messages: `ws://127.0.0.1:8080/`, `127.0.0.1:5555`. */
  peerName: string;
  /** The subprotocol agreed in the handshake. */
  protocol?: string;
  /** `-v` lines: the peer's close code and reason. */
  onEvent?: (message: string) => void;
}

/** The data frame being read. */
interface DataFrame {
  fin: boolean;
  mask: Uint8Array | undefined;
  /** Payload bytes not read yet. */
  left: number;
  /** Payload bytes read so far (the mask's phase). */
  pos: number;
}

/**
 * A WebSocket over an established connection whose handshake is done.
 *
 * @example
 * ```ts
 * const { leftover } = await clientHandshake(tcp, { url, peerName: url.text });
 * const ws = new WsConn(tcp, { role: "client", binary: false, leftover, peerName: url.text });
 * await relay(stdioDuplex(), ws, { signal: AbortSignal.any([signal, ws.ended]) });
 * ```
 */
export class WsConn implements Deno.Conn<Deno.Addr> {
  /** The local address of the connection below. */
  readonly localAddr: Deno.Addr;
  /** The remote address of the connection below. */
  readonly remoteAddr: Deno.Addr;
  /** The subprotocol agreed, if any. */
  readonly protocol: string | undefined;
  /** The peer in messages. */
  readonly peerName: string;

  readonly #conn: Deno.Conn;
  readonly #client: boolean;
  readonly #binary: boolean;
  readonly #onEvent: (message: string) => void;
  readonly #ended = new AbortController();
  /** Aborted by the peer's Close (read cleanly) and by `#ended`. */
  readonly #peerClosed = new AbortController();

  #buf: Uint8Array;
  #start = 0;
  #end = 0;
  #frame: DataFrame | undefined;
  /** The opcode of the message being read, or 0 between messages. */
  #message = 0;
  #newline = false;
  #peerClose: ClosePayload | undefined;
  #failure: Error | undefined;
  /** Once set, what every read gives: `null` or an error. */
  #final: { error?: Error } | undefined;

  #closeSent = false;
  /** The peer's Close came before ours: it is answered once our side is done. */
  #peerFirst = false;
  /** The connection below ended while our answer to the peer's Close was due. */
  #hungUp = false;
  #closed = false;
  #chain: Promise<void> = Promise.resolve();
  #writing = 0;
  #writeError: unknown;
  #pong: Uint8Array | undefined;
  #held: Uint8Array[] = [];
  #heldLength = 0;
  #wakeRead: ((err: Error) => void) | undefined;
  #lastRead = 0;
  #maskPool = new Uint8Array(MASK_POOL);
  #maskAt = MASK_POOL;
  #readable: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;

  /**
   * @param conn the connection the handshake ran over; closed with this one
   * @param options role, framing, and what the handshake left
   */
  constructor(conn: Deno.Conn, options: WsConnOptions) {
    this.#conn = conn;
    this.localAddr = conn.localAddr;
    this.remoteAddr = conn.remoteAddr;
    this.protocol = options.protocol;
    this.peerName = options.peerName;
    this.#client = options.role === "client";
    this.#binary = options.binary;
    this.#onEvent = options.onEvent ?? (() => {});
    const leftover = options.leftover ?? new Uint8Array();
    this.#buf = new Uint8Array(Math.max(READ_BUFFER, leftover.length));
    this.#buf.set(leftover);
    this.#end = leftover.length;
  }

  /**
   * Aborts once the WebSocket is over without a failure: both Close frames
   * were exchanged (after all the peer sent before its own), the peer hung
   * up after its Close, or `close()` was called. A session watches it, since
   * nothing more can pass; a failure shows as a failed read instead.
   */
  get ended(): AbortSignal {
    return this.#ended.signal;
  }

  /**
   * Aborts once the peer's Close was read, after all it sent before it
   * (and whenever {@linkcode WsConn.ended} aborts): the peer wants the
   * WebSocket over. A session whose local side only answers the peer (an
   * echo, a program, a forward target) waits for `ended` instead, so that
   * its answer is sent before our Close; a stdin/stdout session, whose
   * input is nobody's answer, ends here (`close()` then answers the Close).
   */
  get peerClosed(): AbortSignal {
    return this.#peerClosed.signal;
  }

  /** Reads message bytes into `p`; `null` once the peer's Close was read. */
  async read(p: Uint8Array): Promise<number | null> {
    if (this.#closed) throw new Deno.errors.BadResource("the connection is closed");
    if (p.length === 0) return 0;
    for (;;) {
      const n = this.#drain(p);
      if (n > 0) return n;
      if (this.#final) return this.#finalRead();
      if (this.#peerClose) return await this.#finishPeerClose(this.#peerClose);
      if (this.#failure) return await this.#failProtocol(this.#failure);
      const f = this.#frame;
      if (f && f.left > 0 && this.#start === this.#end) {
        // A large payload goes straight into the caller's buffer: no copy.
        const k = await this.#readConn(p.subarray(0, Math.min(p.length, f.left)));
        if (k === null) return this.#connectionEnded();
        if (f.mask) applyMask(p.subarray(0, k), f.mask, f.pos);
        f.pos += k;
        f.left -= k;
        if (f.left === 0) this.#endFrame();
        return k;
      }
      if (
        this.#start === this.#end && this.#lastRead < READ_BUFFER && this.#buf.length > READ_BUFFER
      ) {
        // The burst is over: an idle WebSocket gives its big buffer back.
        this.#buf = new Uint8Array(READ_BUFFER);
        this.#start = this.#end = 0;
      }
      if (this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
        this.#end -= this.#start;
        this.#start = 0;
      }
      const room = this.#buf.length - this.#end;
      const k = await this.#readConn(this.#buf.subarray(this.#end));
      if (k === null) return this.#connectionEnded();
      this.#end += k;
      this.#lastRead = k;
      // A full read means more is waiting (many small messages): grow, as the relay does.
      if (k === room && this.#buf.length < MAX_READ_BUFFER) {
        const bigger = new Uint8Array(Math.min(this.#buf.length * 4, MAX_READ_BUFFER));
        bigger.set(this.#buf.subarray(this.#start, this.#end));
        this.#end -= this.#start;
        this.#start = 0;
        this.#buf = bigger;
      }
    }
  }

  /**
   * Sends `p`: in binary mode as one message, in text mode line by line.
   * Resolves with `p.length` once it is written (`p` may be reused then).
   */
  async write(p: Uint8Array): Promise<number> {
    this.#checkWritable();
    if (this.#binary) {
      await this.#send(encodeFrame(Opcode.Binary, p, this.#mask()));
      return p.length;
    }
    const frames: [number, Uint8Array][] = [];
    // LF never falls inside a UTF-8 sequence: if the whole chunk is valid,
    // so is each line in it, and one check does for all (held bytes aside).
    const valid = isUtf8(p);
    let from = 0;
    for (let nl = p.indexOf(LF); nl >= 0; nl = p.indexOf(LF, from)) {
      frames.push(this.#lineMessage(p.subarray(from, nl), valid));
      from = nl + 1;
    }
    if (from < p.length) this.#hold(p.subarray(from), frames);
    // One write for every line of the chunk; the frames copy `p`.
    if (frames.length > 0) await this.#send(encodeFrames(frames, () => this.#mask()));
    return p.length;
  }

  /**
   * Our input ended: sends what is left of a text line, then a Close frame,
   * after everything written before. Reading goes on until the peer's Close;
   * if the peer closed first, this is the answer (with its code) and the
   * WebSocket is over.
   */
  async closeWrite(): Promise<void> {
    if (this.#closed) throw new Deno.errors.BadResource("the connection is closed");
    if (!this.#mayClose()) return;
    this.#closeSent = true;
    await this.#send(this.#closeFrames(this.#peerClose?.code ?? 1000));
    // Reads ended at the peer's Close already: with our answer, it is all over.
    if (this.#final && !this.#final.error) this.#over();
  }

  /**
   * Closes the connection; pending reads reject. A WebSocket closed before
   * any Close frame was exchanged sends what is left of a text line and says
   * goodbye (1001) first, if no write is under way and the connection takes
   * it within a second.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wakeRead?.(new Deno.errors.BadResource("the connection is closed"));
    this.#over();
    const closeConn = () => {
      try {
        this.#conn.close();
      } catch { /* already closed */ }
    };
    if (!this.#mayClose() || this.#writing > 0) return closeConn();
    this.#closeSent = true;
    const timer = setTimeout(closeConn, CLOSE_WRITE_MS);
    Deno.unrefTimer(timer);
    // A text line still held (no LF came, no half-close: --no-shutdown) leaves first.
    writeAll(this.#conn, this.#closeFrames(this.#peerClose?.code ?? 1001))
      .catch(() => {})
      .finally(() => {
        clearTimeout(timer);
        closeConn();
      });
  }

  /** Keeps the process alive while the connection is open. */
  ref(): void {
    this.#conn.ref();
  }

  /** Lets the process exit with the connection open. */
  unref(): void {
    this.#conn.unref();
  }

  /** Closes the connection. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The received bytes as a stream (made on first use). */
  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return this.#readable ??= readableFrom(this, () => this.close());
  }

  /** A stream for sending bytes (made on first use); closing it closes the connection. */
  get writable(): WritableStream<Uint8Array> {
    return this.#writable ??= new WritableStream({
      write: async (chunk) => void await this.write(chunk),
      close: () => this.close(),
      abort: () => this.close(),
    });
  }

  /**
   * Moves what the buffer holds into `p`: payload bytes, LFs ending text
   * messages, and control frames handled on the way. Stops at the first
   * thing it cannot finish without reading more. Never throws: a protocol
   * violation is kept for the next read, after the bytes before it.
   */
  #drain(p: Uint8Array): number {
    let off = 0;
    while (off < p.length) {
      if (this.#newline) {
        p[off++] = LF;
        this.#newline = false;
        continue;
      }
      if (this.#peerClose || this.#failure || this.#final) break;
      const f = this.#frame;
      if (f) {
        if (f.left === 0) {
          this.#endFrame();
          continue;
        }
        const k = Math.min(this.#end - this.#start, f.left, p.length - off);
        if (k === 0) break;
        if (k < 128) {
          // Short payloads (text lines): copy and unmask in one pass, no views.
          const buf = this.#buf, at = this.#start, mask = f.mask, pos = f.pos;
          if (mask) { for (let j = 0; j < k; j++) p[off + j] = buf[at + j] ^ mask[(pos + j) & 3]; }
          else for (let j = 0; j < k; j++) p[off + j] = buf[at + j];
        } else {
          const out = p.subarray(off, off + k);
          out.set(this.#buf.subarray(this.#start, this.#start + k));
          if (f.mask) applyMask(out, f.mask, f.pos);
        }
        this.#start += k;
        f.pos += k;
        f.left -= k;
        off += k;
        continue;
      }
      try {
        if (!this.#takeHeader()) break;
      } catch (err) {
        this.#failure = err as Error;
        break;
      }
    }
    return off;
  }

  /**
   * Takes the next frame header from the buffer: starts a data frame, or
   * handles a whole control frame. `false` when more bytes are needed.
   */
  #takeHeader(): boolean {
    const h = parseFrameHeader(this.#buf, this.#start, this.#end);
    if (h === undefined) return false;
    if (h.rsv !== 0) throw new WsProtocolError("reserved bits set, but no extension was agreed");
    if (this.#client && h.mask) throw new WsProtocolError("the server masked a frame");
    if (!this.#client && !h.mask) throw new WsProtocolError("the client sent an unmasked frame");
    const control = h.opcode >= 0x8;
    if (control) {
      if (!h.fin) throw new WsProtocolError("a fragmented control frame");
      if (h.length > MAX_CONTROL_PAYLOAD) {
        throw new WsProtocolError("a control frame over 125 bytes");
      }
      if (this.#end - this.#start < h.headerLength + h.length) return false;
      const from = this.#start + h.headerLength;
      const payload = this.#buf.slice(from, from + h.length);
      if (h.mask) applyMask(payload, h.mask, 0);
      this.#start = from + h.length;
      this.#control(h.opcode, payload);
      return true;
    }
    if (h.opcode === Opcode.Continuation) {
      if (this.#message === 0) throw new WsProtocolError("a continuation frame with no message");
    } else if (h.opcode === Opcode.Text || h.opcode === Opcode.Binary) {
      if (this.#message !== 0) throw new WsProtocolError("a new message inside a fragmented one");
      this.#message = h.opcode;
    } else {
      throw new WsProtocolError(`unknown opcode ${h.opcode}`);
    }
    this.#start += h.headerLength;
    this.#frame = { fin: h.fin, mask: h.mask, left: h.length, pos: 0 };
    return true;
  }

  /** Handles a control frame: ping → pong, close → the closing handshake. */
  #control(opcode: number, payload: Uint8Array): void {
    if (opcode === Opcode.Ping) {
      if (!this.#closeSent) this.#queuePong(payload);
    } else if (opcode === Opcode.Close) {
      this.#peerClose = parseClosePayload(payload);
      this.#peerFirst = !this.#closeSent;
    } else if (opcode !== Opcode.Pong) {
      throw new WsProtocolError(`unknown opcode ${opcode}`);
    }
  }

  /** A data frame is fully read; a message that ends gets its LF in text mode. */
  #endFrame(): void {
    if (this.#frame?.fin) {
      this.#message = 0;
      if (!this.#binary) this.#newline = true;
    }
    this.#frame = undefined;
  }

  /** Reads the connection below; rejects at once when `close()` is called. */
  #readConn(p: Uint8Array): Promise<number | null> {
    return new Promise((resolve, reject) => {
      this.#wakeRead = reject;
      this.#conn.read(p).then(resolve, reject).finally(() => this.#wakeRead = undefined);
    });
  }

  /** What every read gives once the end is known. */
  #finalRead(): null {
    if (this.#final?.error) throw this.#final.error;
    return null;
  }

  /**
   * Settles how reading ends. A clean end also aborts `ended`, which ends the
   * session; an error needs no help, since a failed read ends it already
   * (and must not be outrun by a quiet abort).
   */
  #settle(error?: Error): null {
    this.#final = { error };
    if (error === undefined) queueMicrotask(() => this.#over());
    return this.#finalRead();
  }

  /**
   * The peer's Close, read after all it sent before it: say it on `-v` and
   * end reads. In answer to ours, the WebSocket is over. Sent first, it is
   * answered by `closeWrite()` once our side has sent all it has (a failure
   * code: at once, and the read fails).
   */
  async #finishPeerClose(close: ClosePayload): Promise<null> {
    const reason = close.reason.length > 0
      ? `: '${decoder.decode(escapeBytes(close.reason))}'`
      : "";
    const what = `${describeCloseCode(close.code)}${reason}`;
    if (isFailureCode(close.code)) {
      if (!this.#closeSent) {
        this.#closeSent = true;
        // Echo the peer's code, as RFC 6455 §5.5.1 suggests.
        await this.#bounded(this.#send(this.#closeFrames(close.code, false)));
      }
      return this.#settle(
        new SocktoolError(
          `${this.peerName}: the peer closed the WebSocket with ${what}`,
          ExitCode.Network,
        ),
      );
    }
    this.#onEvent(
      `peer closed the WebSocket: ${what}${this.#peerFirst ? "" : ", in answer to ours"}`,
    );
    // Answered already (by closeWrite() since the frame came): it is all over.
    if (this.#closeSent) return this.#settle();
    this.#final = {};
    queueMicrotask(() => this.#peerClosed.abort());
    this.#watchHangUp();
    return null;
  }

  /** The WebSocket is over: nothing more can pass either way. */
  #over(): void {
    this.#ended.abort();
    this.#peerClosed.abort();
  }

  /**
   * While our answer to the peer's Close is due, reads the connection below
   * (nothing may come but its end): a peer that hangs up without waiting
   * for the answer aborts `ended`, since nothing can reach it any more.
   */
  async #watchHangUp(): Promise<void> {
    const scrap = new Uint8Array(512);
    try {
      while (!this.#closed && await this.#readConn(scrap) !== null) { /* discarded */ }
    } catch { /* reset or closed: gone either way */ }
    if (this.#closed || this.#closeSent) return;
    this.#hungUp = true;
    this.#onEvent("the peer hung up before our Close");
    this.#over();
  }

  /** Whether our Close may still be sent: not yet sent, nothing failed, the peer still there. */
  #mayClose(): boolean {
    return !this.#closeSent && !this.#failure && !this.#final?.error && !this.#hungUp;
  }

  /**
   * A Close frame with `code` (1005: none), after what is left of a text
   * line (`flush`; a failing connection sends no more data).
   */
  #closeFrames(code: number, flush = true): Uint8Array {
    const frames: [number, Uint8Array][] = [];
    if (flush && this.#heldLength > 0) frames.push(this.#lineMessage(new Uint8Array()));
    frames.push([Opcode.Close, encodeClosePayload(code)]);
    return encodeFrames(frames, () => this.#mask());
  }

  /** The peer broke the protocol: fail the connection with the code that says so. */
  async #failProtocol(err: Error): Promise<null> {
    const code = err instanceof WsProtocolError ? err.closeCode : 1002;
    if (!this.#closeSent) {
      this.#closeSent = true;
      await this.#bounded(
        this.#send(encodeFrame(Opcode.Close, encodeClosePayload(code), this.#mask())),
      );
    }
    return this.#settle(
      new SocktoolError(
        `${this.peerName}: WebSocket protocol error: ${err.message}`,
        ExitCode.Network,
      ),
    );
  }

  /** The connection below ended with no Close frame from the peer. */
  #connectionEnded(): null {
    // After our Close, a peer that just hangs up has said enough.
    if (this.#closeSent && this.#frame === undefined && this.#message === 0) return this.#settle();
    return this.#settle(
      new SocktoolError(
        `${this.peerName}: the connection ended without a WebSocket Close frame`,
        ExitCode.Network,
      ),
    );
  }

  /** Waits for a control write, but never long: reads must not hang on a stalled peer. */
  async #bounded(p: Promise<void>): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      p.catch(() => {}),
      new Promise<void>((r) => timer = setTimeout(r, CLOSE_WRITE_MS)),
    ]);
    clearTimeout(timer);
  }

  #checkWritable(): void {
    if (this.#closed) throw new Deno.errors.BadResource("the connection is closed");
    if (this.#writeError) throw this.#writeError;
    // After the peer's Close, data may go on until ours answers it.
    if (this.#closeSent) throw new Deno.errors.BrokenPipe("the WebSocket is closed for sending");
    if (!this.#mayClose()) throw new Deno.errors.BrokenPipe("the peer closed the WebSocket");
  }

  /** Queues bytes for the connection; frames leave whole, in order. */
  #send(bytes: Uint8Array): Promise<void> {
    this.#writing++;
    const write = this.#chain.then(() => writeAll(this.#conn, bytes));
    this.#chain = write.then(() => {}, (err) => {
      this.#writeError ??= err;
    }).finally(() => this.#writing--);
    return write;
  }

  /** Queues a pong; if one is waiting already, it answers this latest ping instead. */
  #queuePong(payload: Uint8Array): void {
    const waiting = this.#pong !== undefined;
    this.#pong = payload;
    if (waiting) return;
    this.#writing++;
    // The frame is built when its turn comes, so it carries the latest payload.
    this.#chain = this.#chain.then(async () => {
      const pong = this.#pong;
      this.#pong = undefined;
      if (pong !== undefined && !this.#closed) {
        await writeAll(this.#conn, encodeFrame(Opcode.Pong, pong, this.#mask())).catch(() => {});
      }
    }).finally(() => this.#writing--);
  }

  /**
   * A text line as a message: text if it is valid UTF-8, else binary (no
   * byte lost). `valid`: `rest` is known to be valid UTF-8 already.
   */
  #lineMessage(rest: Uint8Array, valid = false): [number, Uint8Array] {
    let line = rest;
    if (this.#heldLength === 0 && valid) return [Opcode.Text, line];
    if (this.#heldLength > 0) {
      line = new Uint8Array(this.#heldLength + rest.length);
      let at = 0;
      for (const part of this.#held) {
        line.set(part, at);
        at += part.length;
      }
      line.set(rest, at);
      this.#held = [];
      this.#heldLength = 0;
    }
    return [isUtf8(line) ? Opcode.Text : Opcode.Binary, line];
  }

  /** Holds the start of a line; past {@linkcode MAX_LINE}, sends it in pieces. */
  #hold(part: Uint8Array, frames: [number, Uint8Array][]): void {
    this.#held.push(part.slice());
    this.#heldLength += part.length;
    while (this.#heldLength > MAX_LINE) {
      const [, all] = this.#lineMessage(new Uint8Array());
      let cut = MAX_LINE;
      // Cut between characters, so each piece stays valid UTF-8 if the line is.
      for (let back = 0; back < 3 && (all[cut] & 0xc0) === 0x80; back++) cut--;
      const piece = all.subarray(0, cut);
      frames.push([isUtf8(piece) ? Opcode.Text : Opcode.Binary, piece]);
      this.#held = [all.subarray(cut)];
      this.#heldLength = all.length - cut;
    }
  }

  /**
   * A fresh masking key for a client's frame; none for a server's. Keys come
   * from a pool filled by the system's random source 1024 keys at a time:
   * one call per key would cost more than the framing of a short line.
   */
  #mask(): Uint8Array | undefined {
    if (!this.#client) return undefined;
    if (this.#maskAt === MASK_POOL) {
      crypto.getRandomValues(this.#maskPool);
      this.#maskAt = 0;
    }
    const key = this.#maskPool.subarray(this.#maskAt, this.#maskAt + 4);
    this.#maskAt += 4;
    return key;
  }
}

/** Whether `bytes` is valid UTF-8. */
function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
