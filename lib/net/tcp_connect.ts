/**
 * Opens a TCP connection: resolves the host, tries each address in turn until
 * one connects, within the `-w` connect timeout.
 *
 * @module
 */

import { formatHostPort } from "./address.ts";
import { ExitCode, networkError, SocktoolError } from "../errors.ts";
import { resolveHost } from "./resolve.ts";
import { tryInTurn } from "./try_in_turn.ts";

/** Options for {@linkcode connectTcp}. */
export interface ConnectTcpOptions {
  /** `-4` / `-6`. */
  family?: 4 | 6;
  /** Connect timeout in milliseconds (`-w`), per address. */
  timeoutMs?: number;
  /** Aborts the attempt (SIGINT, SIGTERM). */
  signal?: AbortSignal;
  /** Told about each failed address before the next is tried. */
  onAttemptFailed?: (message: string) => void;
  /**
   * Names an attempt in messages, given the address tried: `connect ADDR`
   * unless the caller's purpose reads better (`forward to ADDR`, `connect
   * to socks5 proxy HOST:PORT`).
   */
  action?: (address: string) => string;
}

/**
 * Connects to `host:port` over TCP, trying every address the name resolves
 * to until one accepts.
 *
 * @example
 * ```ts
 * import { connectTcp } from "@socktool/socktool";
 *
 * using server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * using conn = await connectTcp("127.0.0.1", server.addr.port, { timeoutMs: 5000 });
 * using _accepted = await server.accept();
 * console.log(`connected from port ${conn.localAddr.port}`);
 * ```
 */
export async function connectTcp(
  host: string,
  port: number,
  opts: ConnectTcpOptions = {},
): Promise<Deno.TcpConn> {
  const addresses = await resolveHost(host, { family: opts.family });
  const action = opts.action ?? ((address: string) => `connect ${address}`);
  return await tryInTurn(addresses, async ({ address }) => {
    const signals = [opts.signal, opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : undefined]
      .filter((s): s is AbortSignal => s !== undefined);
    try {
      return await Deno.connect({
        hostname: address,
        port,
        signal: signals.length ? AbortSignal.any(signals) : undefined,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      const what = action(formatHostPort(address, port));
      throw isTimeout(err)
        ? new SocktoolError(`${what}: timed out`, ExitCode.Network, { cause: err })
        : networkError(what, err);
    }
  }, { signal: opts.signal, onFailed: (err) => opts.onAttemptFailed?.((err as Error).message) });
}

function isTimeout(err: unknown): boolean {
  const name = (err as Error)?.name;
  return name === "TimeoutError" || name === "AbortError" || name === "TimedOut";
}
