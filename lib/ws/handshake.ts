/**
 * The opening handshake of RFC 6455 §4: the HTTP/1.1 `Upgrade` request a
 * client sends and the `101 Switching Protocols` a server answers, over a
 * connection we already hold (TCP, TLS, a proxy tunnel, a Unix socket).
 *
 * Both sides read the peer's HTTP head byte-exact and hand back whatever
 * came after it (frames a peer sent at once), so nothing is lost between the
 * handshake and the framing.
 *
 * @module
 */

import { ExitCode, SocktoolError } from "../errors.ts";
import { escapeText } from "../io/escape.ts";
import { type Duplex, writeAll } from "../io/sink.ts";
import type { WsUrl } from "./url.ts";

/** The most an HTTP head may hold: a peer sending more is not a WebSocket peer. */
export const MAX_HEAD_BYTES = 16 * 1024;

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Header names socktool sets itself in a handshake; `--header` may not. */
export const HANDSHAKE_HEADERS: readonly string[] = [
  "upgrade",
  "connection",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-accept",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
];

/** What both handshakes need besides the connection. */
interface HandshakeCommon {
  /** Extra header lines, `[name, value]`, as `--header` gave them. */
  headers?: readonly (readonly [string, string])[];
  /** Fails with "timed out" after this many ms (`-w`). */
  timeoutMs?: number;
  /** Aborts the handshake (SIGINT, SIGTERM, the listener stopping). */
  signal?: AbortSignal;
  /** The peer in messages: `127.0.0.1:5555`, `ws://host:80/`. */
  peerName: string;
}

/** Options for {@linkcode clientHandshake}. */
export interface ClientHandshakeOptions extends HandshakeCommon {
  /** Where to go: path and `Host`. */
  url: WsUrl;
  /** Subprotocols to offer (`--subprotocol`), in order. */
  subprotocols?: readonly string[];
}

/** Options for {@linkcode serverHandshake}. */
export interface ServerHandshakeOptions extends HandshakeCommon {
  /** Subprotocols accepted (`--subprotocol`): the first the client offers is chosen. */
  subprotocols?: readonly string[];
}

/** What a finished handshake tells. */
export interface HandshakeResult {
  /** Bytes the peer sent after its HTTP head: the first frames. */
  leftover: Uint8Array;
  /** The subprotocol agreed, if any. */
  protocol?: string;
  /** The request target (server side): `/chat?room=1`. */
  path: string;
}

/** An HTTP head: its first line and its header fields (names lower-cased). */
interface Head {
  startLine: string;
  fields: Map<string, string>;
}

/**
 * Runs the client side: sends the upgrade request, reads the answer and
 * checks it (status 101, `Upgrade`, `Connection`, `Sec-WebSocket-Accept`,
 * the subprotocol).
 *
 * @throws {SocktoolError} exit 1, naming what the server did instead
 * @example
 * ```ts
 * const { leftover, protocol } = await clientHandshake(conn, { url, peerName: url.text });
 * ```
 */
export function clientHandshake(
  conn: Duplex,
  o: ClientHandshakeOptions,
): Promise<HandshakeResult> {
  return withDeadline(o, async () => {
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    const user = o.headers ?? [];
    const lines = [
      `GET ${o.url.path} HTTP/1.1`,
      ...(user.some(([n]) => n.toLowerCase() === "host") ? [] : [`Host: ${o.url.hostHeader}`]),
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      "Sec-WebSocket-Version: 13",
      ...(o.subprotocols?.length ? [`Sec-WebSocket-Protocol: ${o.subprotocols.join(", ")}`] : []),
      ...user.map(([n, v]) => `${n}: ${v}`),
    ];
    await writeAll(conn, encoder.encode(`${lines.join("\r\n")}\r\n\r\n`));
    const { head, leftover } = await readHead(conn, o.peerName, "server");
    const fail = (why: string) => handshakeError(o.peerName, why);
    const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(head.startLine);
    if (!status) throw fail(`the server does not speak HTTP (it sent '${head.startLine}')`);
    if (status[1] !== "101") {
      const location = head.fields.get("location");
      throw fail(
        `the server answered ${status[1]}${status[2] ? ` ${status[2]}` : ""}${
          location !== undefined ? ` (it redirects to ${location})` : ""
        }, not 101 Switching Protocols`,
      );
    }
    if (!hasToken(head.fields.get("upgrade"), "websocket")) {
      throw fail("the server's 101 answer does not upgrade to websocket");
    }
    if (!hasToken(head.fields.get("connection"), "upgrade")) {
      throw fail("the server's 101 answer lacks 'Connection: Upgrade'");
    }
    if (head.fields.get("sec-websocket-accept") !== await acceptKey(key)) {
      throw fail("the server's Sec-WebSocket-Accept does not match the key sent");
    }
    if (head.fields.has("sec-websocket-extensions")) {
      throw fail("the server chose an extension that was not offered");
    }
    const protocol = head.fields.get("sec-websocket-protocol");
    if (protocol !== undefined && !(o.subprotocols ?? []).includes(protocol)) {
      throw fail(`the server chose the subprotocol '${protocol}', which was not offered`);
    }
    return { leftover, protocol, path: o.url.path };
  });
}

/**
 * Runs the server side: reads the client's upgrade request, checks it, and
 * answers 101 (or an HTTP error that says why, before failing).
 *
 * @throws {SocktoolError} exit 1: not a WebSocket request, a bad key or
 *   version, no subprotocol in common, the client gone or too slow
 * @example
 * ```ts
 * const { leftover, path } = await serverHandshake(conn, { peerName: "127.0.0.1:5555" });
 * ```
 */
export function serverHandshake(
  conn: Duplex,
  o: ServerHandshakeOptions,
): Promise<HandshakeResult> {
  return withDeadline(o, async () => {
    const { head, leftover } = await readHead(conn, o.peerName, "client");
    const refuse = async (status: string, why: string, extra: string[] = []) => {
      const body = `socktool: ${why}\n`;
      const answer = [
        `HTTP/1.1 ${status}`,
        "Content-Type: text/plain; charset=utf-8",
        `Content-Length: ${encoder.encode(body).length}`,
        "Connection: close",
        ...extra,
      ];
      await writeAll(conn, encoder.encode(`${answer.join("\r\n")}\r\n\r\n${body}`)).catch(() => {});
      return handshakeError(o.peerName, why);
    };
    const request = /^(\S+) (\S+) HTTP\/(\d+)\.(\d+)$/.exec(head.startLine);
    if (!request) {
      throw await refuse("400 Bad Request", `not an HTTP request ('${head.startLine}')`);
    }
    const [, method, path, major, minor] = request;
    if (method !== "GET") {
      throw await refuse("405 Method Not Allowed", `a ${method} request, not GET`, ["Allow: GET"]);
    }
    if (Number(major) * 1000 + Number(minor) < 1001) {
      throw await refuse(
        "400 Bad Request",
        `HTTP/${major}.${minor} has no upgrade: HTTP/1.1 needed`,
      );
    }
    const upgrade = ["Upgrade: websocket", "Sec-WebSocket-Version: 13"];
    if (!hasToken(head.fields.get("upgrade"), "websocket")) {
      throw await refuse(
        "426 Upgrade Required",
        `not a WebSocket request (GET ${path} without 'Upgrade: websocket')`,
        upgrade,
      );
    }
    if (!hasToken(head.fields.get("connection"), "upgrade")) {
      throw await refuse("400 Bad Request", "the request lacks 'Connection: Upgrade'");
    }
    const version = head.fields.get("sec-websocket-version");
    if (version !== "13") {
      throw await refuse(
        "426 Upgrade Required",
        `WebSocket version '${version ?? ""}' is not supported (13 is)`,
        upgrade,
      );
    }
    const key = head.fields.get("sec-websocket-key") ?? "";
    if (!isValidKey(key)) {
      throw await refuse("400 Bad Request", "a missing or bad Sec-WebSocket-Key");
    }
    // Offered extensions (permessage-deflate...) are simply not chosen (RFC 6455 §9.1).
    const offered = (head.fields.get("sec-websocket-protocol") ?? "")
      .split(",").map((s) => s.trim()).filter((s) => s !== "");
    const accepted = o.subprotocols ?? [];
    const protocol = accepted.find((p) => offered.includes(p));
    if (accepted.length > 0 && offered.length > 0 && protocol === undefined) {
      throw await refuse(
        "400 Bad Request",
        `no subprotocol in common (the client offered ${offered.join(", ")})`,
      );
    }
    const answer = [
      "HTTP/1.1 101 Switching Protocols",
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Accept: ${await acceptKey(key)}`,
      ...(protocol !== undefined ? [`Sec-WebSocket-Protocol: ${protocol}`] : []),
      ...(o.headers ?? []).map(([n, v]) => `${n}: ${v}`),
    ];
    await writeAll(conn, encoder.encode(`${answer.join("\r\n")}\r\n\r\n`));
    return { leftover, protocol, path };
  });
}

/**
 * The `Sec-WebSocket-Accept` value for a key: base64 of SHA-1 of the key and
 * the RFC's GUID.
 *
 * @example
 * ```ts
 * await acceptKey("dGhlIHNhbXBsZSBub25jZQ=="); // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" (RFC 6455 §1.3)
 * ```
 */
export async function acceptKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", encoder.encode(key + GUID));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** A key is the base64 of 16 bytes. */
function isValidKey(key: string): boolean {
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) return false;
  try {
    return atob(key).length === 16;
  } catch {
    return false;
  }
}

/** Whether a comma-separated header value holds `token` (case-insensitive). */
function hasToken(value: string | undefined, token: string): boolean {
  return (value ?? "").split(",").some((t) => t.trim().toLowerCase() === token);
}

function handshakeError(peer: string, why: string): SocktoolError {
  return new SocktoolError(
    `WebSocket handshake with ${peer}: ${escapeText(why)}`,
    ExitCode.Network,
  );
}

/**
 * Reads the peer's HTTP head (up to the blank line), and whatever it sent
 * after it. `who` names the peer in messages (`server`, `client`).
 */
async function readHead(
  conn: Duplex,
  peer: string,
  who: string,
): Promise<{ head: Head; leftover: Uint8Array }> {
  const buf = new Uint8Array(MAX_HEAD_BYTES);
  let end = 0;
  let searchFrom = 0;
  for (;;) {
    const n = await conn.read(buf.subarray(end));
    if (n === null) {
      throw handshakeError(
        peer,
        end === 0
          ? `the ${who} closed the connection without a word`
          : `the ${who} closed the connection in the middle of its HTTP head`,
      );
    }
    end += n;
    const at = indexOfBlankLine(buf, Math.max(0, searchFrom - 3), end);
    if (at >= 0) {
      return {
        head: parseHead(decoder.decode(buf.subarray(0, at))),
        leftover: buf.slice(at + 4, end),
      };
    }
    searchFrom = end;
    if (end === buf.length) {
      throw handshakeError(peer, `the ${who}'s HTTP head is longer than ${MAX_HEAD_BYTES} bytes`);
    }
  }
}

/** Index of `\r\n\r\n` in `buf[from..end)`, or -1. */
function indexOfBlankLine(buf: Uint8Array, from: number, end: number): number {
  for (let i = from; i + 3 < end; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

/** Splits a head into its start line and fields; repeated fields are joined with commas. */
function parseHead(text: string): Head {
  const [startLine, ...lines] = text.split("\r\n");
  const fields = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const had = fields.get(name);
    fields.set(name, had === undefined ? value : `${had}, ${value}`);
  }
  return { startLine, fields };
}

/**
 * Runs `step` within `-w` and the abort signal. A step that loses the race
 * is left to fail on its own once the caller closes the connection; its
 * rejection is caught here, never unhandled.
 */
function withDeadline<T>(o: HandshakeCommon, step: () => Promise<T>): Promise<T> {
  const running = step();
  if (o.timeoutMs === undefined && o.signal === undefined) return running;
  running.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const timer = o.timeoutMs === undefined ? undefined : setTimeout(
      () => done(() => reject(handshakeError(o.peerName, "timed out"))),
      o.timeoutMs,
    );
    const onAbort = () => done(() => reject(o.signal!.reason));
    const done = (settle: () => void) => {
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      settle();
    };
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener("abort", onAbort, { once: true });
    running.then((v) => done(() => resolve(v)), (err) => done(() => reject(err)));
  });
}
