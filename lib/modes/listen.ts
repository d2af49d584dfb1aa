/**
 * `socktool -l [HOST] PORT`: listens and serves clients. Without `-k` it
 * serves the first client let in, then stops listening (netcat's default);
 * with `-k` (or `--broker`/`--chat`) it serves clients concurrently until
 * stopped. What a client is served with is chosen once: stdin/stdout, a
 * program (`-e`/`-c`), a built-in responder (`--serve`), a forward target
 * (`--forward`), a proxy server's tunnel (`--proxy-server`, `-k` implied),
 * or the broker room.
 *
 * Everything that can be wrong with the command line (a malformed `--allow`
 * rule, an unreadable `--allowfile`, a missing `-e` program) was found before
 * the listener opens, by `cli/rules.ts` and `prepare.ts`.
 *
 * @module
 */

import { formatAddr, unmapIPv4 } from "../net/address.ts";
import type { ListenOptions } from "../cli/options.ts";
import { listenTcp } from "../net/tcp_listen.ts";
import { listenUnix } from "../net/unix_listen.ts";
import { buildStages, runSession, type SessionContext } from "../session/session.ts";
import { acceptClients, type ClientHandler } from "../serve/accept.ts";
import { StdioHub } from "../serve/stdio_hub.ts";
import { Broker } from "../serve/broker.ts";
import { type ExecProgram, type PeerInfo, runExecSession } from "../session/exec.ts";
import { forwardClient } from "../serve/forward.ts";
import { serveStream } from "../serve/services.ts";
import { openProxyWarning, serveProxyClient } from "../serve/proxy_server.ts";
import type { Prepared } from "./prepare.ts";
import { load } from "../lazy.ts";
import { relayedClients } from "./relayed_clients.ts";

/**
 * The default `-m` of listeners that start a program or open a connection per
 * client (`-e`, `-c`, `--forward`, `--proxy-server`), as ncat's: each client costs a process or
 * a socket, so an unbounded crowd must not exhaust the machine. `-m` overrides it.
 */
export const SPAWNING_MAX_CONNS = 100;

/**
 * Runs listen mode to its end.
 *
 * @example
 * ```ts
 * const options = parseCommandLine(["-l", "9999"]) as ListenOptions;
 * await listenMode(options, ctx, await prepare(options, ctx.log));
 * ```
 */
export async function listenMode(
  opts: ListenOptions,
  ctx: SessionContext,
  prepared: Prepared,
): Promise<void> {
  if (opts.transport === "udp" || opts.transport === "unixgram") {
    throw new RangeError(`${opts.transport} listen is served by datagramListenMode`);
  }
  const { access, program } = prepared;
  // The TLS stack loads only for --ssl (it costs ~75 ms of start-up).
  const handshake = opts.tls && prepared.tls
    ? await (await load("lib/modes/tls_setup.ts"))
      .tlsServer(opts.tls, prepared.tls, ctx.log, opts.waitMs)
    : undefined;
  // A Unix listener removes its socket file when closed (lib/net/unix_listen.ts).
  const listener = opts.local.kind === "unix"
    ? await listenUnix(opts.local.path)
    : await listenTcp(opts.local.host, opts.local.port, { family: opts.family });
  ctx.log.info(`listening on ${formatAddr(listener.addr)}`);
  const proxyServer = opts.proxyServer;
  if (proxyServer && opts.local.kind === "inet") {
    const warning = openProxyWarning({
      host: opts.local.host,
      auth: proxyServer.auth,
      restricted: access !== undefined,
    });
    if (warning) ctx.log.warn(warning);
  }
  // WebSocket (--ws, --forward ws://): loaded only when asked for.
  const ws = opts.ws || opts.forwardWs ? await load("lib/modes/ws_setup.ts") : undefined;
  const serving: Serving = ws && opts.forwardWs
    ? ws.wsForwardServing(opts, ctx, prepared)
    : clientHandler(opts, ctx, program);
  try {
    const handle = ws ? ws.endOnWsClose(serving.handle, serving.stdio === true) : serving.handle;
    await acceptClients(listener, handle, {
      keepOpen: opts.keepOpen || opts.broker || opts.chat || proxyServer !== undefined,
      maxConns: opts.maxConns ??
        (program || opts.forward || proxyServer ? SPAWNING_MAX_CONNS : undefined),
      access,
      prepare: ws && opts.ws
        ? ws.wsServerPrepare(opts.ws, handshake, ctx.log, opts.waitMs)
        : handshake,
      log: ctx.log,
      signal: serving.stopped ? AbortSignal.any([ctx.signal, serving.stopped]) : ctx.signal,
    });
  } finally {
    serving.close?.();
  }
}

/** How each client is served, chosen once from the options. */
interface Serving {
  handle: ClientHandler;
  /** Aborts when the whole listener should end (stdout gone, `-q`). */
  stopped?: AbortSignal;
  close?: () => void;
  /** One client at a time on stdin/stdout (a WebSocket client's Close ends it). */
  stdio?: boolean;
}

function clientHandler(
  opts: ListenOptions,
  ctx: SessionContext,
  program: ExecProgram | undefined,
): Serving {
  if (program) {
    return {
      handle: async (conn, name, signal) => {
        await runExecSession(conn, name, peerOf(conn), opts, { ...ctx, signal }, program);
      },
    };
  }
  if (opts.serve !== undefined) {
    const service = opts.serve;
    return {
      handle: async (conn, name, signal) => {
        await serveStream(service, conn, { signal, idleTimeoutMs: opts.waitMs });
        ctx.log.info(`${name}: served ${service}`);
      },
    };
  }
  if (opts.forward) {
    const forward = opts.forward;
    // A udp: target has a -u listener (cli/rules.ts): datagram_listen.ts serves it.
    if (forward.kind === "udp") {
      throw new RangeError("udp: forward is served by datagramListenMode");
    }
    const target = forward.kind === "unix"
      ? { path: forward.path }
      : { host: forward.host, port: forward.port };
    return {
      // Only the logs: a forwarded client's data is not stdin's (no --progress size).
      handle: relayedClients(opts, { log: ctx.log, logs: ctx.logs }, async (conn, c) => ({
        label: "forwarded",
        result: await forwardClient(conn, {
          ...target,
          family: opts.family,
          waitMs: opts.waitMs,
          ...c,
        }),
      })),
    };
  }
  if (opts.proxyServer) {
    const { type, auth } = opts.proxyServer;
    return {
      handle: relayedClients(opts, ctx, async (conn, c) => {
        const { target, result } = await serveProxyClient(conn, {
          type,
          auth,
          family: opts.family,
          waitMs: opts.waitMs,
          ...c,
        });
        return { label: `${type} proxy to ${target}`, result };
      }),
    };
  }
  if (opts.broker || opts.chat) {
    const broker = new Broker({
      chat: opts.chat,
      log: ctx.log,
      local: opts.recvOnly ? undefined : ctx.local,
      idleTimeoutMs: opts.waitMs,
    });
    return {
      handle: (conn, name, signal) => broker.serve(conn, name, signal),
      close: () => broker.close(),
    };
  }
  if (opts.keepOpen) {
    // One data path for the hub: stdin's broadcast and every client's data.
    const stages = buildStages(opts, ctx, ctx.signal, false);
    const hub = new StdioHub({
      local: ctx.local,
      halfClose: !opts.noShutdown,
      direction: opts.sendOnly ? "send" : opts.recvOnly ? "recv" : "both",
      stages,
      log: ctx.log,
      idleTimeoutMs: opts.waitMs,
      quitAfterEofMs: opts.quitAfterEofMs,
    });
    return {
      handle: (conn, name, signal) => hub.serve(conn, name, signal),
      stopped: hub.stopped,
      close: () => {
        hub.close();
        stages?.finish();
      },
    };
  }
  return {
    handle: async (conn, name, signal) => {
      await runSession(conn, name, opts, { ...ctx, signal });
    },
    stdio: true,
  };
}

/** The client's address for `SOCKTOOL_PEER_ADDR`/`_PORT` (IPv4-mapped shown as IPv4), and ours. */
function peerOf(conn: Deno.Conn): PeerInfo {
  const addr = conn.remoteAddr;
  if (addr.transport === "tcp" || addr.transport === "udp") {
    const local = conn.localAddr as Deno.NetAddr;
    return {
      addr: unmapIPv4(addr.hostname),
      port: addr.port,
      local: { addr: unmapIPv4(local.hostname), port: local.port },
    };
  }
  return { addr: formatAddr(addr) };
}
