/**
 * `-l --proxy-server socks5|http`: a SOCKS5 or HTTP `CONNECT` proxy. Each
 * client runs its protocol's handshake (`proxy/socks5_server.ts`,
 * `proxy/http_server.ts`), the target is connected, and from then on the
 * client and the target are relayed exactly as `--forward` relays them: by
 * the shared {@linkcode relay}, so each side's end of data reaches the other
 * as a half-close and the tunnel lives until both directions have ended
 * (microsocks and ncat's HTTP proxy tear it down at the first EOF, which
 * cuts off the answer of any request/response protocol that half-closes).
 *
 * A target that cannot be reached is answered with the protocol's code
 * (SOCKS5 REP, HTTP 502/504); a refused client gets its refusal; either
 * way the client's `-v` line says why and the listener goes on.
 *
 * @module
 */

import { causeInWords, ExitCode, SocktoolError } from "../errors.ts";
import { escapeText } from "../io/escape.ts";
import { formatAddr, ipVersion } from "../net/address.ts";
import { connectTcp } from "../net/tcp_connect.ts";
import { relay, type RelayResult } from "../session/relay.ts";
import type { Stage } from "../io/sink.ts";
import type { ProxyRequest } from "../proxy/authority.ts";
import { ProxyRequestRefused } from "../proxy/request_refused.ts";
import { socks5Accept, socks5Fail, socks5Succeed, targetName } from "../proxy/socks5_server.ts";
import { httpConnectAccept, httpConnectFail, httpConnectSucceed } from "../proxy/http_server.ts";
import { type TargetFailure, targetFailureOf } from "../proxy/target_failure.ts";
import { closeQuietly } from "./accept.ts";

/** The protocols a proxy server speaks. */
export type ProxyServerType = "socks5" | "http";

/** The proxy server's settings, from the command line. */
export interface ProxyServerOptions {
  /** SOCKS5 or HTTP `CONNECT`. */
  type: ProxyServerType;
  /** `--proxy-auth USER:PASS`: what every client must give. */
  auth?: { user: string; pass: string };
  /** `-4` / `-6`: the only family targets are reached over. */
  family?: 4 | 6;
  /** `-w`: connect timeout to targets, idle timeout of tunnels, handshake limit. */
  waitMs?: number;
  /** Ends the client's session (SIGINT, SIGTERM, listener stopping). */
  signal?: AbortSignal;
  /** Transforms and taps: outbound is target → client, inbound client → target. */
  stages?: { outbound: Stage[]; inbound: Stage[] };
  /** `-vv` events. */
  onEvent?: (message: string) => void;
}

/** What a served client did. */
export interface ProxyTunnel {
  /** The target as the client named it, escaped: `example.com:443`. */
  target: string;
  /** The relay's counts (sent: to the client, received: from it). */
  result: RelayResult;
}

/**
 * The limit on a client's handshake when `-w` does not set one: a client
 * that connects and says nothing must not hold its `-m` slot for ever.
 */
export const HANDSHAKE_TIMEOUT_MS = 30_000;

/** How long a refused client's last bytes are read and dropped before the close. */
const LINGER_MS = 2_000;
/** At most this much is read and dropped from a refused client. */
const LINGER_BYTES = 256 * 1024;

/**
 * Serves one proxy client: handshake, target connect, relay until both
 * directions end. Closes the target; `client` is the caller's to close.
 *
 * @throws {SocktoolError} exit 1 naming why the client was refused or its
 *   target could not be reached (after the client was answered)
 * @example
 * ```ts
 * const { target, result } = await serveProxyClient(conn, { type: "socks5" });
 * log.info(`${name} (to ${target}): ${result.sent} bytes sent`);
 * ```
 */
export async function serveProxyClient(
  client: Deno.Conn,
  o: ProxyServerOptions,
): Promise<ProxyTunnel> {
  const request = await handshake(client, o);
  const name = targetName(request);
  const version = ipVersion(request.host);
  if (o.family !== undefined && version !== 0 && version !== o.family) {
    const words = `connect ${name}: an IPv${version} address, but the proxy runs with -${o.family}`;
    return await refuseTarget(client, o, "network-unreachable", words);
  }
  let target: Deno.TcpConn;
  try {
    target = await connectTcp(request.host, request.port, {
      family: o.family,
      timeoutMs: o.waitMs,
      signal: o.signal,
    });
  } catch (err) {
    if (o.signal?.aborted) throw err;
    return await refuseTarget(client, o, targetFailureOf(err), escapeText(causeInWords(err)), err);
  }
  try {
    if (o.type === "socks5") await socks5Succeed(client, target.localAddr);
    else await httpConnectSucceed(client);
    o.onEvent?.(`${o.type} proxy to ${name} (${formatAddr(target.remoteAddr)})`);
    const result = await relay(target, client, {
      idleTimeoutMs: o.waitMs,
      signal: o.signal,
      outbound: o.stages?.outbound,
      inbound: o.stages?.inbound,
      remoteName: `${o.type} proxy to ${name}`,
      onEvent: o.onEvent,
    });
    return { target: name, result };
  } finally {
    closeQuietly(target);
  }
}

/** The protocol's handshake up to the request, within the handshake limit. */
async function handshake(client: Deno.Conn, o: ProxyServerOptions): Promise<ProxyRequest> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    closeQuietly(client);
  }, o.waitMs ?? HANDSHAKE_TIMEOUT_MS);
  try {
    return o.type === "socks5"
      ? await socks5Accept(client, { auth: o.auth })
      : await httpConnectAccept(client, { auth: o.auth });
  } catch (err) {
    if (o.signal?.aborted) throw err;
    if (err instanceof ProxyRequestRefused) {
      await lingerClose(client);
      throw new SocktoolError(`${o.type} proxy: ${err.message}`, ExitCode.Network);
    }
    const words = timedOut
      ? "the client sent no complete request in time"
      : err instanceof Deno.errors.UnexpectedEof
      ? "the client hung up during the handshake"
      : causeInWords(err);
    throw new SocktoolError(`${o.type} proxy: ${words}`, ExitCode.Network, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Tells the client its target could not be reached, closes it, and throws
 * the line that says so.
 */
async function refuseTarget(
  client: Deno.Conn,
  o: ProxyServerOptions,
  failure: TargetFailure,
  words: string,
  cause?: unknown,
): Promise<never> {
  const answer = await answerFailure(client, o.type, failure, words);
  await lingerClose(client);
  throw new SocktoolError(`${o.type} proxy: ${words} (answered ${answer})`, ExitCode.Network, {
    cause,
  });
}

/** Tells the client its target could not be reached; resolves with what it was told. */
async function answerFailure(
  client: Deno.Conn,
  type: ProxyServerType,
  failure: TargetFailure,
  words: string,
): Promise<string> {
  try {
    return type === "socks5"
      ? `SOCKS5 reply '${await socks5Fail(client, failure)}'`
      : `HTTP ${await httpConnectFail(client, failure, words)}`;
  } catch {
    return "nothing: the client is gone";
  }
}

/**
 * Ends a refused client's connection without losing the refusal: the write
 * side is half-closed first, then what the client still sends is read and
 * dropped for a moment, so that closing with unread data does not reset the
 * connection before the client has read its answer.
 */
async function lingerClose(client: Deno.Conn): Promise<void> {
  const timer = setTimeout(() => closeQuietly(client), LINGER_MS);
  try {
    await client.closeWrite();
    const buf = new Uint8Array(16 * 1024);
    for (let total = 0; total < LINGER_BYTES;) {
      const n = await client.read(buf);
      if (n === null) break;
      total += n;
    }
  } catch {
    // Gone already, or closed by the timer: either way, done.
  } finally {
    clearTimeout(timer);
    closeQuietly(client);
  }
}

/**
 * The warning for a proxy anyone can use: no `--proxy-auth`, no
 * `--allow`/`--deny`, on an address other than loopback. `undefined` when
 * there is nothing to warn about.
 *
 * @example
 * ```ts
 * openProxyWarning({ host: undefined, auth: undefined, restricted: false });
 * // "warning: open proxy: anyone who can reach this port can use it to reach any address ..."
 * ```
 */
export function openProxyWarning(o: {
  host?: string;
  auth?: unknown;
  restricted: boolean;
}): string | undefined {
  if (o.auth !== undefined || o.restricted) return undefined;
  const host = o.host?.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host === "::1" || /^127\./.test(host ?? "")) return undefined;
  return "warning: open proxy: anyone who can reach this port can use it to reach any address " +
    "this host can; restrict it with --allow or --proxy-auth, or listen on 127.0.0.1";
}
