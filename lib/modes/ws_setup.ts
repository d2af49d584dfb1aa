/**
 * Turns the WebSocket options into what the modes need: a client that opens
 * a WebSocket over a connection already made (TCP, TLS, a proxy tunnel), the
 * per-client upgrade of a `--ws` listener, and the `--forward ws://` target.
 * The framing itself is in `lib/ws/`.
 *
 * Every session over a WebSocket also ends when the WebSocket is over
 * ({@linkcode WsConn.ended}): both Close frames exchanged, or the peer gone.
 * A session whose local side answers the peer (an echo, a program, a forward
 * target) gets the peer's Close as its end of data and sends all its answer
 * before our Close; a stdin/stdout session, whose input is nobody's answer,
 * ends at the peer's Close ({@linkcode WsConn.peerClosed}).
 *
 * @module
 */

import type { ListenOptions, WsSettings, WsTarget } from "../cli/options.ts";
import type { Logger } from "../io/log.ts";
import { escapeText } from "../io/escape.ts";
import { formatAddr } from "../net/address.ts";
import { connectTcp } from "../net/tcp_connect.ts";
import { type ClientHandler, closeQuietly } from "../serve/accept.ts";
import { forwardClientToWs } from "../serve/ws_forward.ts";
import type { SessionContext } from "../session/session.ts";
import { clientHandshake, serverHandshake } from "../ws/handshake.ts";
import { WsConn } from "../ws/ws_conn.ts";
import type { Prepared } from "./prepare.ts";
import { tlsClient } from "./tls_setup.ts";
import { relayedClients } from "./relayed_clients.ts";

/** Makes an accepted connection the one served (TLS, the WebSocket upgrade). */
export type PrepareClient = (
  conn: Deno.Conn,
  name: string,
  signal: AbortSignal,
) => Promise<Deno.Conn>;

/** What opening a WebSocket needs besides the connection. */
export interface WsOpenOptions {
  /** Where `-v` lines go. */
  log: Logger;
  /** Aborts the handshake. */
  signal?: AbortSignal;
  /** `-w`: the handshake's timeout. */
  timeoutMs?: number;
}

/**
 * Runs the client handshake over `conn` and returns the WebSocket; closes
 * `conn` if it fails.
 *
 * @example
 * ```ts
 * const ws = await openWsClient(tcp, opts.ws, { log, signal, timeoutMs: opts.waitMs });
 * ```
 */
export async function openWsClient(
  conn: Deno.Conn,
  target: WsTarget,
  o: WsOpenOptions,
): Promise<WsConn> {
  const name = target.url.text;
  try {
    const r = await clientHandshake(conn, {
      url: target.url,
      headers: target.headers,
      subprotocols: target.subprotocols,
      timeoutMs: o.timeoutMs,
      signal: o.signal,
      peerName: name,
    });
    o.log.info(`${name}: WebSocket open${describe(target, r.protocol)}`);
    return new WsConn(conn, {
      role: "client",
      binary: target.binary,
      leftover: r.leftover,
      peerName: name,
      protocol: r.protocol,
      onEvent: (m) => o.log.info(`${name}: ${m}`),
    });
  } catch (err) {
    closeQuietly(conn);
    throw err;
  }
}

/**
 * The per-client hook of a `--ws` listener: the TLS handshake first if there
 * is one (`tls`), then the WebSocket upgrade.
 *
 * @example
 * ```ts
 * const prepare = wsServerPrepare(opts.ws, tlsHandshake, log, opts.waitMs);
 * await acceptClients(listener, endOnWsClose(handler), { ...options, prepare });
 * ```
 */
export function wsServerPrepare(
  settings: WsSettings,
  tls: PrepareClient | undefined,
  log: Logger,
  timeoutMs?: number,
): PrepareClient {
  return async (conn, name, signal) => {
    const below = tls ? await tls(conn, name, signal) : conn;
    try {
      const r = await serverHandshake(below, {
        headers: settings.headers,
        subprotocols: settings.subprotocols,
        timeoutMs,
        signal,
        peerName: name,
      });
      log.info(`${name}: WebSocket GET ${escapeText(r.path)}${describe(settings, r.protocol)}`);
      return new WsConn(below, {
        role: "server",
        binary: settings.binary,
        leftover: r.leftover,
        peerName: name,
        protocol: r.protocol,
        onEvent: (m) => log.info(`${name}: ${m}`),
      });
    } catch (err) {
      if (below !== conn) closeQuietly(below);
      throw err;
    }
  };
}

/**
 * Wraps a listener's client handler so that a WebSocket client's session
 * ends with its WebSocket: once both Close frames are exchanged (the
 * client's Close is its end of data: an echo, a program or a forward target
 * sends all its answer first, then ours answers it), or the client is gone.
 * With `stdio` (the session is stdin/stdout's) it ends at the client's
 * Close instead; either way, what the client sent is written out first.
 *
 * @example
 * ```ts
 * await acceptClients(listener, endOnWsClose(serving.handle, false), options);
 * ```
 */
export function endOnWsClose(handle: ClientHandler, stdio: boolean): ClientHandler {
  return (conn, name, signal) =>
    handle(
      conn,
      name,
      conn instanceof WsConn
        ? AbortSignal.any([signal, stdio ? conn.peerClosed : conn.ended])
        : signal,
    );
}

/**
 * The client handler of `-l ... --forward ws://...`: each client is relayed
 * to a fresh WebSocket to the target (TCP, TLS for `wss://`, the handshake).
 *
 * @example
 * ```ts
 * const serving = wsForwardServing(opts, ctx, prepared);
 * await acceptClients(listener, serving.handle, options);
 * ```
 */
export function wsForwardServing(
  opts: ListenOptions,
  ctx: SessionContext,
  prepared: Prepared,
): { handle: ClientHandler } {
  const target = opts.forwardWs!;
  const { url } = target;
  const tls = url.secure && target.tls && prepared.wsTls
    ? tlsClient(target.tls, prepared.wsTls, url.host, ctx.log, opts.waitMs)
    : undefined;
  const open = async (signal?: AbortSignal) => {
    const tcp = await connectTcp(url.host, url.port, {
      family: opts.family,
      timeoutMs: opts.waitMs,
      signal,
      action: (address) => `forward to ${address}`,
    });
    const below = tls ? await tls(tcp, formatAddr(tcp.remoteAddr), signal ?? ctx.signal) : tcp;
    return await openWsClient(below, target, { log: ctx.log, signal, timeoutMs: opts.waitMs });
  };
  return {
    handle: relayedClients(opts, ctx, async (conn, c) => ({
      label: "forwarded",
      result: await forwardClientToWs(conn, { open, waitMs: opts.waitMs, ...c }),
    })),
  };
}

/** `, subprotocol chat (binary)` for `-v`. */
function describe(settings: WsSettings, protocol: string | undefined): string {
  const proto = protocol !== undefined
    ? `, subprotocol ${escapeText(protocol)}`
    : settings.subprotocols.length > 0
    ? ", no subprotocol chosen"
    : "";
  return `${proto} (${settings.binary ? "binary messages" : "text lines"})`;
}
