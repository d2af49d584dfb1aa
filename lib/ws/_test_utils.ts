/**
 * Test helpers for the WebSocket layer: a connected client/server pair over
 * loopback TCP, and a raw peer that reads and writes frames by hand.
 *
 * @module
 */

import { clientHandshake, serverHandshake } from "./handshake.ts";
import { parseWsUrl } from "./url.ts";
import { WsConn } from "./ws_conn.ts";
import { applyMask, encodeFrame, parseFrameHeader } from "./frame.ts";
import { writeAll } from "../io/sink.ts";

/** Options for both ends of {@linkcode wsPair}. */
export interface PairOptions {
  binary?: boolean;
  clientEvents?: string[];
  serverEvents?: string[];
}

/** A client and a server WsConn over one loopback TCP connection. */
export async function wsPair(o: PairOptions = {}): Promise<{ client: WsConn; server: WsConn }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const url = parseWsUrl(`ws://127.0.0.1:${port}/test`);
  const [tcpClient, tcpServer] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port }),
    listener.accept(),
  ]);
  listener.close();
  const [c, s] = await Promise.all([
    clientHandshake(tcpClient, { url, peerName: url.text }),
    serverHandshake(tcpServer, { peerName: "client" }),
  ]);
  const binary = o.binary ?? false;
  return {
    client: new WsConn(tcpClient, {
      role: "client",
      binary,
      leftover: c.leftover,
      peerName: url.text,
      onEvent: (m) => o.clientEvents?.push(m),
    }),
    server: new WsConn(tcpServer, {
      role: "server",
      binary,
      leftover: s.leftover,
      peerName: "client",
      onEvent: (m) => o.serverEvents?.push(m),
    }),
  };
}

/** One frame as a raw peer reads it. */
export interface RawFrame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  payload: Uint8Array;
}

/** Reads frames by hand from a connection (after the handshake). */
export class FrameReader {
  #conn: Deno.Conn;
  #buf: Uint8Array = new Uint8Array(0);

  constructor(conn: Deno.Conn, leftover: Uint8Array = new Uint8Array()) {
    this.#conn = conn;
    this.#buf = leftover.slice();
  }

  /** The next frame, unmasked; `null` at the end of the connection. */
  async next(): Promise<RawFrame | null> {
    for (;;) {
      const h = parseFrameHeader(this.#buf, 0, this.#buf.length);
      if (h && this.#buf.length >= h.headerLength + h.length) {
        const payload = this.#buf.slice(h.headerLength, h.headerLength + h.length);
        if (h.mask) applyMask(payload, h.mask, 0);
        this.#buf = this.#buf.slice(h.headerLength + h.length);
        return { fin: h.fin, opcode: h.opcode, masked: h.mask !== undefined, payload };
      }
      const chunk = new Uint8Array(65536);
      const n = await this.#conn.read(chunk);
      if (n === null) return null;
      const joined = new Uint8Array(this.#buf.length + n);
      joined.set(this.#buf);
      joined.set(chunk.subarray(0, n), this.#buf.length);
      this.#buf = joined;
    }
  }
}

/** Writes one raw frame (server side: unmasked unless a mask is given). */
export function writeFrame(
  conn: Deno.Conn,
  opcode: number,
  payload: Uint8Array | string,
  options: { fin?: boolean; mask?: Uint8Array } = {},
): Promise<void> {
  const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  return writeAll(conn, encodeFrame(opcode, bytes, options.mask, options.fin ?? true));
}

/**
 * A client WsConn talking to a raw server on loopback: the server side runs
 * `script` with the raw connection and a frame reader, after a real server
 * handshake.
 */
export async function clientAgainstRaw(
  script: (conn: Deno.Conn, frames: FrameReader) => Promise<void>,
  o: { binary?: boolean; events?: string[] } = {},
): Promise<{ client: WsConn; done: Promise<void> }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const url = parseWsUrl(`ws://127.0.0.1:${port}/`);
  const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
  const raw = await listener.accept();
  listener.close();
  const [c, s] = await Promise.all([
    clientHandshake(tcp, { url, peerName: url.text }),
    serverHandshake(raw, { peerName: "client" }),
  ]);
  const done = (async () => {
    try {
      await script(raw, new FrameReader(raw, s.leftover));
    } finally {
      try {
        raw.close();
      } catch { /* closed */ }
    }
  })();
  const client = new WsConn(tcp, {
    role: "client",
    binary: o.binary ?? false,
    leftover: c.leftover,
    peerName: url.text,
    onEvent: (m) => o.events?.push(m),
  });
  return { client, done };
}

/** Reads a WsConn until it ends; resolves with the bytes (rejects with its error). */
export async function readToEnd(conn: WsConn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    parts.push(buf.slice(0, n));
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
