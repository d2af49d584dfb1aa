/**
 * TCP connects from a chosen local address and port (`-s ADDR`, `-p PORT`).
 *
 * `Deno.connect` cannot bind before connecting, but Deno's `node:net` layer
 * can (`localAddress`, `localPort`), so these connects go through it and the
 * node socket is presented as a `Deno.Conn` ({@linkcode SocketConn}): the
 * relay sees the same `read`/`write`/`closeWrite`/`close` as for any TCP
 * connection, with half-close (`socket.end()`) and backpressure (`drain`,
 * pausing reads) intact.
 *
 * @module
 */

import { tryInTurn } from "./try_in_turn.ts";
import net from "node:net";
import { formatHostPort } from "./address.ts";
import { causeInWords, ExitCode, SocktoolError } from "../errors.ts";
import { resolveHost } from "./resolve.ts";
import { SocketConn } from "./socket_conn.ts";
import { localAddress, sourceFamily } from "./source_address.ts";

/** Options for {@linkcode connectTcpFrom}. */
export interface SourceConnectOptions {
  /** `-s`: the local address to bind (an IP literal or a name). */
  sourceAddr?: string;
  /** `-p`: the local port to bind. */
  sourcePort?: number;
  /** `-4` / `-6`. */
  family?: 4 | 6;
  /** Connect timeout in milliseconds (`-w`), per address. */
  timeoutMs?: number;
  /** Aborts the attempt (SIGINT, SIGTERM). */
  signal?: AbortSignal;
  /** Told about each failed address before the next is tried. */
  onAttemptFailed?: (message: string) => void;
}

/**
 * Connects to `host:port` over TCP from `sourceAddr:sourcePort`, trying every
 * address the host resolves to (of the source address's family) in turn.
 *
 * @example
 * ```ts
 * const conn = await connectTcpFrom("127.0.0.1", 8080, { sourceAddr: "127.0.0.2", sourcePort: 4000 });
 * ```
 */
export async function connectTcpFrom(
  host: string,
  port: number,
  opts: SourceConnectOptions = {},
): Promise<Deno.Conn> {
  const forced = sourceFamily(opts.sourceAddr, host);
  const addresses = await resolveHost(host, { family: opts.family ?? (forced || undefined) });
  return await tryInTurn(addresses, async ({ address, family }) => {
    const local = await localAddress(opts.sourceAddr, family);
    return connectFrom(address, port, local, opts);
  }, {
    signal: opts.signal,
    onFailed: (err) => opts.onAttemptFailed?.((err as Error).message),
  });
}

/** One attempt: a node socket bound to `local`, connected, as a `Deno.Conn`. */
function connectFrom(
  address: string,
  port: number,
  local: string,
  opts: SourceConnectOptions,
): Promise<Deno.Conn> {
  const target = formatHostPort(address, port);
  const signals = [opts.signal, opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : undefined]
    .filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length ? AbortSignal.any(signals) : undefined;
  return new Promise<Deno.Conn>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(target, opts.signal));
    // allowHalfOpen: the peer's end of data must not end our sending (SPEC §3).
    const socket = net.connect({
      host: address,
      port,
      localAddress: local,
      localPort: opts.sourcePort,
      allowHalfOpen: true,
    });
    const done = () => {
      socket.off("connect", onConnect);
      socket.off("error", onError);
      signal?.removeEventListener("abort", onAbort);
    };
    const onConnect = () => {
      done();
      resolve(
        new SocketConn(
          socket,
          { transport: "tcp", hostname: socket.localAddress ?? local, port: socket.localPort ?? 0 },
          { transport: "tcp", hostname: address, port },
        ),
      );
    };
    const onError = (err: NodeJS.ErrnoException) => {
      done();
      socket.destroy();
      reject(describe(err, target, local, opts.sourcePort));
    };
    const onAbort = () => {
      done();
      socket.destroy();
      reject(abortError(target, opts.signal));
    };
    socket.once("connect", onConnect);
    socket.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A timeout is "timed out"; a signal keeps its own reason. */
function abortError(target: string, outer?: AbortSignal): unknown {
  if (outer?.aborted) return outer.reason;
  return new SocktoolError(`connect ${target}: timed out`, ExitCode.Network);
}

/** Says which step failed: binding the source, or connecting. */
function describe(
  err: NodeJS.ErrnoException,
  target: string,
  local: string,
  localPort: number | undefined,
): SocktoolError {
  if (err.syscall === "bind") {
    // Deno reports an address this host does not have as EINVAL.
    const cause = err.code === "EINVAL" || err.code === "EADDRNOTAVAIL"
      ? "address not available"
      : causeInWords(err);
    const where = localPort === undefined ? local : formatHostPort(local, localPort);
    return new SocktoolError(`bind ${where}: ${cause}`, ExitCode.Network, { cause: err });
  }
  return new SocktoolError(`connect ${target}: ${causeInWords(err)}`, ExitCode.Network, {
    cause: err,
  });
}
