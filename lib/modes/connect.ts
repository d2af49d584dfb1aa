/**
 * `socktool HOST PORT`: obtains a connection to the target and runs one
 * session over it. TCP (from a chosen source with `-s`/`-p`), a Unix stream
 * socket (`-U`), or a datagram peer (`-u`, `-uU`).
 *
 * @module
 */

import { formatAddr, formatHostPort, unmapIPv4 } from "../net/address.ts";
import type { ConnectOptions } from "../cli/options.ts";
import { connectTcp } from "../net/tcp_connect.ts";
import { connectUnix } from "../net/unix_connect.ts";
import { runSession, type SessionContext } from "../session/session.ts";
import type { PeerInfo } from "../session/exec.ts";
import type { TlsClientWrap } from "./tls_setup.ts";
import type { Prepared } from "./prepare.ts";
import { ExitCode, SocktoolError } from "../errors.ts";
import type { RelayResult } from "../session/relay.ts";
import { load } from "../lazy.ts";

/**
 * Runs connect mode to its end.
 *
 * @example
 * ```ts
 * const options = parseCommandLine(["127.0.0.1", "9999"]) as ConnectOptions;
 * await connectMode(options, ctx, await prepare(options, ctx.log));
 * ```
 */
export async function connectMode(
  opts: ConnectOptions,
  ctx: SessionContext,
  prepared: Prepared,
): Promise<void> {
  if (opts.transport === "udp" || opts.transport === "unixgram") {
    const { datagramConnectMode } = await load("lib/modes/datagram_connect.ts");
    return datagramConnectMode(opts, ctx);
  }
  const { program } = prepared;
  // -e/-c load only when asked for.
  const exec = program ? await load("lib/session/exec.ts") : undefined;
  // TLS, proxies and source binds load only when asked for (start-up time).
  const proxy = opts.proxy ? await load("lib/proxy/connect.ts") : undefined;
  const tls: TlsClientWrap | undefined = opts.tls && prepared.tls
    ? (await load("lib/modes/tls_setup.ts"))
      .tlsClient(
        opts.tls,
        prepared.tls,
        opts.target.kind === "inet" ? opts.target.host : "localhost",
        ctx.log,
        opts.waitMs,
      )
    : undefined;
  const secure = (conn: Deno.Conn, name: string) => tls ? tls(conn, name, ctx.signal) : conn;
  const serve = (conn: Deno.Conn, name: string, peer: PeerInfo) =>
    program && exec
      ? exec.runExecSession(conn, name, peer, opts, ctx, program)
      : runSession(conn, name, opts, ctx);
  if (opts.target.kind === "unix") {
    const conn = await secure(await connectUnix(opts.target.path), opts.target.path);
    ctx.log.info(`connected to ${opts.target.path}`);
    await serve(conn, opts.target.path, { addr: opts.target.path });
    return;
  }
  const { host, port } = opts.target;
  const how = {
    family: opts.family,
    timeoutMs: opts.waitMs,
    signal: ctx.signal,
    onAttemptFailed: (m: string) => ctx.log.info(m),
  };
  // Deno.connect cannot bind a source address or port; node:net can (lib/net/tcp_from.ts).
  const tcp: Deno.Conn = proxy && opts.proxy
    ? await proxy.connectViaProxy({ proxy: opts.proxy, target: { host, port }, ...how })
    : opts.sourceAddr !== undefined || opts.sourcePort !== undefined
    ? await (await load("lib/net/tcp_from.ts")).connectTcpFrom(host, port, {
      ...how,
      sourceAddr: opts.sourceAddr,
      sourcePort: opts.sourcePort,
    })
    : await connectTcp(host, port, how);
  const remote = tcp.remoteAddr as Deno.NetAddr;
  // Through a proxy the peer is named as the user typed it; the socket's address is the proxy's.
  const name = opts.proxy ? formatHostPort(host, port) : formatAddr(remote);
  ctx.log.info(
    opts.proxy
      ? `connected to ${name} via ${opts.proxy.type} proxy ${
        formatHostPort(opts.proxy.host, opts.proxy.port)
      }`
      : `connected to ${name}${host !== remote.hostname ? ` (${formatHostPort(host, port)})` : ""}`,
  );
  const conn = await secure(tcp, name);
  const local = tcp.localAddr as Deno.NetAddr;
  const peer = {
    addr: unmapIPv4(remote.hostname),
    port: remote.port,
    local: { addr: unmapIPv4(local.hostname), port: local.port },
  };
  if (opts.ws) {
    // WebSocket over the connection. The peer's Close ends a stdin/stdout
    // session; a program's gets it as EOF and answers first (ws_setup.ts).
    const { openWsClient } = await load("lib/modes/ws_setup.ts");
    const ws = await openWsClient(conn, opts.ws, {
      log: ctx.log,
      signal: ctx.signal,
      timeoutMs: opts.waitMs,
    });
    const wsCtx = {
      ...ctx,
      signal: AbortSignal.any([ctx.signal, program ? ws.ended : ws.peerClosed]),
    };
    await (program
      ? exec!.runExecSession(ws, ws.peerName, peer, opts, wsCtx, program)
      : runSession(ws, ws.peerName, opts, wsCtx));
    return;
  }
  const result = await serve(conn, name, peer);
  if (opts.proxy && result && tunnelTornDown(result)) {
    // microsocks and ncat's HTTP proxy end the whole tunnel at the client's
    // half-close, so the reply is lost: say so rather than exit 0 in silence.
    throw new SocktoolError(
      `${name} via ${opts.proxy.type} proxy ${formatHostPort(opts.proxy.host, opts.proxy.port)}: ` +
        "the tunnel closed when stdin ended, before any reply (this proxy ends a tunnel at " +
        "the client's half-close)",
      ExitCode.Network,
      { hint: "try --no-shutdown" },
    );
  }
}

/** Nothing came back, and the tunnel ended only after our half-close. */
function tunnelTornDown(r: RelayResult): boolean {
  return r.end === "done" && r.received === 0 && r.sent > 0 && r.endedAfterHalfClose;
}
