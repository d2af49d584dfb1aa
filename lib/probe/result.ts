/**
 * What a port probe found, and how `-z` prints it: one text line per port,
 * or one JSON object per line with `--json`.
 *
 * @module
 */

import { formatHostPort } from "../net/address.ts";

/**
 * A port's state. `open`: it accepted a connection (TCP) or answered (UDP).
 * `closed`: the host refused (TCP reset, or for UDP an ICMP port
 * unreachable). `timeout`: no answer within `-w` (TCP). `open|filtered`: a
 * UDP port that stayed silent where a refusal would have been heard, which
 * netcat counts as open. `unknown`: a UDP port that stayed silent where a
 * refusal could not be heard (see `udp.ts`): closed as likely as open, so
 * it does not count as open.
 */
export type PortState = "open" | "closed" | "timeout" | "open|filtered" | "unknown";

/** One probed port. */
export interface ProbeResult {
  /** The port probed. */
  port: number;
  /** The protocol probed. */
  protocol: "tcp" | "udp";
  /** What the probe found. */
  state: PortState;
  /** The cause in words, for a port that is not open. */
  reason?: string;
  /** Milliseconds the probe took. */
  ms: number;
}

/**
 * Whether a result counts as open for the exit code and the default output:
 * `open`, and `open|filtered` (not refused), as netcat counts them.
 */
export function isOpen(r: ProbeResult): boolean {
  return r.state === "open" || r.state === "open|filtered";
}

/**
 * The text line for a result: `ADDRESS PORT/PROTO STATE`, and the reason
 * for a port that is not open.
 *
 * @example
 * ```ts
 * formatProbeLine("127.0.0.1", { port: 22, protocol: "tcp", state: "open", ms: 0.3 });
 * // "127.0.0.1 22/tcp open"
 * ```
 */
export function formatProbeLine(address: string, r: ProbeResult): string {
  const where = formatHostPort(address, r.port).replace(/:(\d+)$/, " $1");
  const head = `${where.replace(/^\[(.*)\]/, "$1")}/${r.protocol} ${r.state}`;
  return r.reason ? `${head} (${r.reason})` : head;
}

/**
 * The `--json` line for a result: one object, no line breaks inside.
 *
 * @example
 * ```ts
 * formatProbeJson("localhost", "127.0.0.1", { port: 22, protocol: "tcp", state: "open", ms: 0.3 });
 * // {"host":"localhost","address":"127.0.0.1","port":22,"protocol":"tcp","state":"open","ms":0.3}
 * ```
 */
export function formatProbeJson(host: string, address: string, r: ProbeResult): string {
  return JSON.stringify({
    host,
    address,
    port: r.port,
    protocol: r.protocol,
    state: r.state,
    ...(r.reason ? { reason: r.reason } : {}),
    ms: Math.round(r.ms * 1000) / 1000,
  });
}
