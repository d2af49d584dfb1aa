/**
 * Connects to a target through a SOCKS5, SOCKS4(a) or HTTP `CONNECT` proxy
 * and returns the connection ready for the session's bytes (or for a TLS
 * handshake with the target).
 *
 * @module
 */

import { formatHostPort } from "../net/address.ts";
import { proxyProblem } from "./problem.ts";
import { causeInWords, ExitCode, SocktoolError } from "../errors.ts";
import { httpConnectHandshake } from "./http.ts";
import { ProxyFailure } from "./failure.ts";
import { socks4Handshake } from "./socks4.ts";
import { socks5Handshake } from "./socks5.ts";
import { connectTcp } from "../net/tcp_connect.ts";
import { type ResolvedAddress, resolveHost } from "../net/resolve.ts";
import { tryInTurn } from "../net/try_in_turn.ts";

export { proxyProblem };

/** A proxy, as `--proxy`, `--proxy-type` and `--proxy-auth` give it. */
export interface ProxySpec {
  /** Proxy host. */
  host: string;
  /** Proxy port. */
  port: number;
  /** Proxy protocol. */
  type: "socks5" | "socks4" | "http";
  /** SOCKS5 user/password, HTTP Basic; SOCKS4 sends `user` as its user id. */
  auth?: { user: string; pass: string };
}

/** Options for {@linkcode connectViaProxy}. */
export interface ProxyConnectOptions {
  /** The proxy to go through. */
  proxy: ProxySpec;
  /** Where the proxy should connect; a name is resolved by the proxy. */
  target: { host: string; port: number };
  /** `-4` / `-6` for reaching the proxy itself. */
  family?: 4 | 6;
  /** Limit in milliseconds for reaching the proxy, and again for its handshake. */
  timeoutMs?: number;
  /** Aborts the attempt (SIGINT, SIGTERM). */
  signal?: AbortSignal;
}

/**
 * Connects to the proxy, asks it for the target, and returns the connection
 * with the proxy's reply read exactly: the next byte is the target's.
 *
 * @throws {SocktoolError} exit 1 naming the proxy or the target and the cause in words
 * @throws {RangeError} for what {@linkcode proxyProblem} finds (the command
 *   line refuses it first)
 * @example
 * ```ts
 * import { connectViaProxy } from "@socktool/socktool";
 *
 * // A stand-in HTTP proxy: it grants the CONNECT, then speaks as the target.
 * using proxy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * proxy.accept().then(async (c) => {
 *   await c.read(new Uint8Array(1024)); // "CONNECT example.test:80 HTTP/1.1 ..."
 *   await c.write(new TextEncoder().encode("HTTP/1.1 200 Connection established\r\n\r\nhello"));
 *   c.close();
 * });
 * using conn = await connectViaProxy({
 *   proxy: { host: "127.0.0.1", port: proxy.addr.port, type: "http" },
 *   target: { host: "example.test", port: 80 },
 * });
 * const buf = new Uint8Array(5);
 * await conn.read(buf); // the proxy's reply was read exactly: this is the target's first byte
 * console.log(new TextDecoder().decode(buf)); // hello
 * ```
 */
export async function connectViaProxy(opts: ProxyConnectOptions): Promise<Deno.TcpConn> {
  const problem = proxyProblem(opts);
  if (problem !== undefined) throw new RangeError(problem);
  const { proxy, target } = opts;
  const proxyName = `${proxy.type} proxy ${formatHostPort(proxy.host, proxy.port)}`;
  // A failed lookup of the proxy's name is named here; a failed connect names it already.
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolveHost(proxy.host, { family: opts.family });
  } catch (err) {
    throw new SocktoolError(`connect to ${proxyName}: ${causeInWords(err)}`, ExitCode.Network, {
      cause: err,
    });
  }
  const connectToProxy = () =>
    tryInTurn(
      addresses,
      ({ address }) =>
        connectTcp(address, proxy.port, {
          timeoutMs: opts.timeoutMs,
          signal: opts.signal,
          action: () => `connect to ${proxyName}`,
        }),
      { signal: opts.signal },
    );
  // The connection the handshake is on: an HTTP proxy's 407 moves it to a second one.
  let conn = await connectToProxy();

  let timedOut = false;
  const closeConn = () => {
    try {
      conn.close();
    } catch { /* closed already, by the handshake or the timer */ }
  };
  const onAbort = closeConn;
  const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    closeConn();
  }, opts.timeoutMs);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (proxy.type === "socks5") await socks5Handshake(conn, target, proxy.auth);
    else if (proxy.type === "socks4") await socks4Handshake(conn, target, proxy.auth?.user);
    else {
      await httpConnectHandshake(conn, target, proxy.auth, {
        reconnect: async () => {
          conn = await connectToProxy();
          if (timedOut || opts.signal?.aborted) closeConn();
          return conn;
        },
      });
    }
    return conn;
  } catch (err) {
    closeConn();
    if (opts.signal?.aborted) throw opts.signal.reason ?? err;
    const targetName = formatHostPort(target.host, target.port);
    if (err instanceof ProxyFailure && err.about === "target") {
      throw new SocktoolError(
        `connect ${targetName} via ${proxyName}: ${err.message}`,
        ExitCode.Network,
      );
    }
    const words = timedOut
      ? "handshake timed out"
      : err instanceof ProxyFailure
      ? err.message
      : err instanceof Deno.errors.UnexpectedEof
      ? "closed the connection during the handshake"
      : causeInWords(err);
    throw new SocktoolError(`${proxyName}: ${words}`, ExitCode.Network, { cause: err });
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}
