/**
 * `socktool -z HOST PORT...`: probe ports. TCP ports are tried concurrently,
 * at most {@linkcode PROBE_CONCURRENCY} at once, and reported in ascending
 * port order as soon as each is known: one line per open port on stdout
 * (with `-v`, one per port), or one JSON object per port with `--json`.
 *
 * @module
 */

import { formatHostPort } from "../net/address.ts";
import { ExitCode, SocktoolError } from "../errors.ts";
import type { ProbeOptions } from "../cli/options.ts";
import type { Logger } from "../io/log.ts";
import { runInOrder } from "../probe/pool.ts";
import { PROBE_CONCURRENCY, PROBE_START } from "../probe/probe_ports.ts";
import { formatProbeJson, formatProbeLine, isOpen, type ProbeResult } from "../probe/result.ts";
import { probeTcpPort } from "../probe/tcp.ts";
import { sweepTcpPorts } from "../probe/tcp_sweep.ts";
import { resolveHost } from "../net/resolve.ts";
import { load } from "../lazy.ts";

/** What a probe run found. */
export interface ProbeSummary {
  /** The host as given. */
  host: string;
  /** The address probed. */
  address: string;
  /** Ports probed (fewer than asked if interrupted or stdout closed). */
  probed: number;
  /** Ports found open (for UDP: answered, or silent where a refusal would be heard). */
  open: number;
  /** Probing stopped because stdout was closed (nothing more to say). */
  outputClosed: boolean;
}

/** Where {@linkcode probeMode} writes and what stops it. */
export interface ProbeContext {
  /** Where `-v` messages go. */
  log: Logger;
  /** Stops probing (SIGINT, SIGTERM). */
  signal: AbortSignal;
  /**
   * Writes one result line (newline included); resolves `false` once the
   * output is gone (a closed stdout), which stops probing quietly.
   */
  writeLine(line: string): Promise<boolean>;
}

/**
 * Probes every port of `opts.ports` on `opts.host` and prints the results.
 * Never fails because a port is closed; the caller turns `open === 0` into
 * exit 1.
 *
 * @example
 * ```ts
 * const summary = await probeMode(parseCommandLine(["-z", "127.0.0.1", "20-30"]) as ProbeOptions, ctx);
 * ```
 */
export async function probeMode(opts: ProbeOptions, ctx: ProbeContext): Promise<ProbeSummary> {
  const [{ address }] = await resolveHost(opts.host, { family: opts.family });
  const started = performance.now();
  let open = 0;
  let outputGone = false;
  const emit = async (r: ProbeResult): Promise<boolean> => {
    if (ctx.signal.aborted) return false; // a probe cut short says nothing about its port
    if (isOpen(r)) open++;
    if (!opts.json && !isOpen(r) && opts.verbose === 0) return true;
    const line = opts.json ? formatProbeJson(opts.host, address, r) : formatProbeLine(address, r);
    if (!(await ctx.writeLine(`${line}\n`))) outputGone = true;
    return !outputGone;
  };
  let probed: number;
  if (opts.transport === "udp") {
    // The UDP probe loads only for -u (start-up time of -z).
    const { probeUdpPorts } = await load("lib/probe/udp.ts");
    const results = await probeUdpPorts(address, opts.ports, {
      timeoutMs: opts.waitMs,
      signal: ctx.signal,
    });
    probed = 0;
    for (const r of results) {
      if (ctx.signal.aborted) break;
      probed++;
      if (!(await emit(r))) break;
    }
  } else {
    // Ports that answer at once are done in one quick pass (probe/tcp_sweep.ts).
    const quick = await sweepTcpPorts(address, opts.ports, ctx.signal);
    // All answered: no pool needed.
    const all = quick.size === opts.ports.length ? opts.ports.map((p) => quick.get(p)!) : [];
    probed = all.length ? 0 : await runInOrder(
      opts.ports,
      (port) => {
        const known = quick.get(port);
        return known
          ? Promise.resolve(known)
          : probeTcpPort(address, port, { timeoutMs: opts.waitMs, signal: ctx.signal });
      },
      emit,
      { limit: PROBE_CONCURRENCY, start: PROBE_START, signal: ctx.signal },
    );
    for (const r of all) {
      if (ctx.signal.aborted) break;
      probed++;
      if (!(await emit(r))) break;
    }
  }
  const secs = ((performance.now() - started) / 1000).toFixed(2);
  ctx.log.info(
    `probed ${probed} ${opts.transport} port${probed === 1 ? "" : "s"} on ${
      formatHostPort(address, 0).replace(/:0$/, "")
    } in ${secs} s: ${open} open`,
  );
  return { host: opts.host, address, probed, open, outputClosed: outputGone };
}

/**
 * The error that makes a probe with no open port exit 1 (SPEC §4).
 *
 * @example
 * ```ts
 * if (summary.open === 0) throw noPortOpenError(summary);
 * // socktool: probe 127.0.0.1: no port open (11 probed)
 * ```
 */
export function noPortOpenError(summary: ProbeSummary): SocktoolError {
  return new SocktoolError(
    `probe ${summary.address}: no port open (${summary.probed} probed)`,
    ExitCode.Network,
  );
}
