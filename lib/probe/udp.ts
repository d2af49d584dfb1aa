/**
 * Probes UDP ports (`-zu`) as netcat does: send a small datagram ("X") and
 * see what comes back. A reply means open. A closed port answers with an
 * ICMP "port unreachable", which only a connected socket hears; Deno cannot
 * connect a datagram socket, so where libc can be loaded (Linux, the `ffi`
 * permission) each port is probed from a connected socket of its own
 * (`udp_connected.ts`): refused is `closed`, silent is `open|filtered` and
 * counts as open, as in netcat.
 *
 * Elsewhere one unconnected socket probes every port, all datagrams at
 * once, replies matched to ports by their source; a refusal is never heard
 * there, so a silent port is `unknown` and does not count as open: `-zu`
 * exits 0 only if some port answered, never because a closed port said
 * nothing we could hear.
 *
 * @module
 */

import { sameAddr } from "../net/udp_duplex.ts";
import { causeInWords } from "../errors.ts";
import type { ProbeResult } from "./result.ts";
import { openConnectedUdp } from "./udp_connected.ts";

/** How long silent ports are waited for when `-w` is not given. */
export const DEFAULT_UDP_WAIT_MS = 1000;

/** Options for {@linkcode probeUdpPorts}. */
export interface ProbeUdpOptions {
  /** `-w`: how long to wait for replies after the last datagram goes out. */
  timeoutMs?: number;
  /** Stops waiting (SIGINT, SIGTERM). */
  signal?: AbortSignal;
  /** `false`: probe without connected sockets even where they are possible (tests). */
  hearRefusals?: boolean;
}

/**
 * Sends "X" to every port of `address` and waits `timeoutMs` for replies
 * (and refusals, where they can be heard); resolves with one result per
 * port, in the order of `ports`.
 *
 * @example
 * ```ts
 * const results = await probeUdpPorts("127.0.0.1", [53, 123], { timeoutMs: 500 });
 * ```
 */
export async function probeUdpPorts(
  address: string,
  ports: readonly number[],
  opts: ProbeUdpOptions = {},
): Promise<ProbeResult[]> {
  const wait = opts.timeoutMs || DEFAULT_UDP_WAIT_MS;
  if (opts.hearRefusals !== false) {
    using connected = openConnectedUdp();
    const probing = connected?.probe(address, ports, { waitMs: wait, signal: opts.signal });
    if (probing) return await probing;
  }
  const started = performance.now();
  const sock = Deno.listenDatagram({
    transport: "udp",
    hostname: address.includes(":") ? "::" : "0.0.0.0",
    port: 0,
  });
  const answered = new Map<number, number>();
  const failed = new Map<number, string>();
  const wanted = new Set(ports);
  const payload = new TextEncoder().encode("X");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    try {
      sock.close();
    } catch { /* closed */ }
  };
  opts.signal?.addEventListener("abort", stop, { once: true });
  try {
    const listening = (async () => {
      const buf = new Uint8Array(65536);
      for (;;) {
        let from: Deno.Addr;
        try {
          [, from] = await sock.receive(buf);
        } catch {
          return; // closed: the wait is over
        }
        const port = (from as Deno.NetAddr).port;
        const expected: Deno.Addr = { transport: "udp", hostname: address, port };
        if (wanted.has(port) && sameAddr(from, expected) && !answered.has(port)) {
          answered.set(port, performance.now() - started);
          if (answered.size === wanted.size) return stop();
        }
      }
    })();
    for (const port of ports) {
      if (opts.signal?.aborted) break;
      try {
        await sock.send(payload, { transport: "udp", hostname: address, port });
      } catch (err) {
        failed.set(port, causeInWords(err));
      }
    }
    timer = setTimeout(stop, wait);
    await listening;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", stop);
    stop();
  }
  const elapsed = performance.now() - started;
  return ports.map((port): ProbeResult => {
    const ms = answered.get(port);
    if (ms !== undefined) return { port, protocol: "udp", state: "open", ms };
    const reason = failed.get(port);
    if (reason !== undefined) {
      return { port, protocol: "udp", state: "closed", reason, ms: elapsed };
    }
    return {
      port,
      protocol: "udp",
      state: "unknown",
      reason: "no reply, and a refusal cannot be heard here",
      ms: elapsed,
    };
  });
}
