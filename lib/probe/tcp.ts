/**
 * Probes one TCP port: does it accept a connection? Nothing is sent; the
 * connection is closed as soon as it is made (netcat's `-z`).
 *
 * @module
 */

import { causeInWords } from "../errors.ts";
import type { ProbeResult } from "./result.ts";

/** Options for {@linkcode probeTcpPort}. */
export interface ProbeTcpOptions {
  /** `-w`: give up on the port after this many ms. */
  timeoutMs?: number;
  /** Abandons the probe (SIGINT, SIGTERM). */
  signal?: AbortSignal;
}

/**
 * Connects to `address:port` and reports what happened. Never rejects: a
 * refusal or a timeout is a result.
 *
 * @example
 * ```ts
 * const r = await probeTcpPort("127.0.0.1", 22, { timeoutMs: 1000 });
 * // { port: 22, protocol: "tcp", state: "open", ms: 0.4 }
 * ```
 */
export async function probeTcpPort(
  address: string,
  port: number,
  opts: ProbeTcpOptions = {},
): Promise<ProbeResult> {
  const started = performance.now();
  const result = (state: ProbeResult["state"], reason?: string): ProbeResult => ({
    port,
    protocol: "tcp",
    state,
    ...(reason ? { reason } : {}),
    ms: performance.now() - started,
  });
  const signals = [opts.signal, opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : undefined]
    .filter((s): s is AbortSignal => s !== undefined);
  try {
    const conn = await Deno.connect({
      hostname: address,
      port,
      signal: signals.length ? AbortSignal.any(signals) : undefined,
    });
    conn.close();
    return result("open");
  } catch (err) {
    if (opts.signal?.aborted) return result("timeout", "interrupted");
    const name = (err as Error)?.name;
    if (name === "TimeoutError" || name === "AbortError" || name === "TimedOut") {
      return result("timeout", "timed out");
    }
    return result("closed", causeInWords(err));
  }
}
