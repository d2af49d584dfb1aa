/**
 * A first pass over TCP ports that answer at once (loopback, a near LAN),
 * through nonblocking libc connects: socket, connect, one `poll` that does
 * not wait, `SO_ERROR`, close.
 *
 * Why: each `Deno.connect` costs about 15 µs of the runtime's own work on
 * top of the kernel's ~15 µs for a refused loopback connect, so 1000 ports
 * took ~30 ms; this pass does them in ~16 ms, what the kernel needs.
 * It decides only what it can say exactly as `tcp.ts` would: a port that
 * accepted (`open`) and a port that refused (`closed`, "connection
 * refused"). Everything else (no answer yet, another error) is left to
 * `tcp.ts`, which waits with `-w` and words every error. When most of a
 * window of ports has not answered at once, the host is not near, and the
 * pass stops: the rest is `tcp.ts`'s, as if this pass did not exist.
 *
 * Needs the `ffi` permission for libc (`io/libc.ts`); without it
 * {@linkcode sweepTcpPorts} returns an empty map.
 *
 * @module
 */

import {
  ECONNREFUSED,
  O_CLOEXEC,
  O_NONBLOCK,
  openLibc,
  POLLOUT,
  SO_ERROR,
  SOCK_STREAM,
  SOL_SOCKET,
} from "../io/libc.ts";
import type { ProbeResult } from "./result.ts";
import { socketAddress } from "./udp_connected.ts";

/** Sockets opened at once: far below the usual limit of 1024 open files. */
export const SWEEP_WINDOW = 128;

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
} as const;

const SOCK_STREAM_NONBLOCK_CLOEXEC = SOCK_STREAM | O_NONBLOCK | O_CLOEXEC;

/**
 * Probes `ports` of `address` (an IP literal) in windows of
 * {@linkcode SWEEP_WINDOW}; returns the ports that answered at once, with
 * their result. Stops early when `signal` aborts or when fewer than half of
 * a window's ports answered at once.
 *
 * @example
 * ```ts
 * const quick = await sweepTcpPorts("127.0.0.1", [22, 80, 443]);
 * quick.get(22); // { port: 22, protocol: "tcp", state: "open", ms: 0.02 }
 * ```
 */
export async function sweepTcpPorts(
  address: string,
  ports: readonly number[],
  signal?: AbortSignal,
): Promise<Map<number, ProbeResult>> {
  const results = new Map<number, ProbeResult>();
  const sockaddr = socketAddress(address);
  if (!sockaddr) return results;
  const lib = openLibc(SYMBOLS);
  if (lib === undefined) return results;
  const libc = lib.symbols;
  const port16 = new DataView(sockaddr.bytes.buffer);
  const value = new Uint8Array(4);
  const size = new Uint8Array(4);
  const pollfds = new Uint8Array(8 * SWEEP_WINDOW);
  const view = new DataView(pollfds.buffer);
  let yielded = performance.now();
  try {
    for (let at = 0; at < ports.length && !signal?.aborted; at += SWEEP_WINDOW) {
      const window = ports.slice(at, at + SWEEP_WINDOW);
      const started = performance.now();
      const fds: number[] = [];
      for (const port of window) {
        const fd = libc.socket(sockaddr.family, SOCK_STREAM_NONBLOCK_CLOEXEC, 0);
        if (fd < 0) break; // out of files: the rest is tcp.ts's
        port16.setUint16(2, port, false);
        // In progress (-1, EINPROGRESS) as a rule; `poll` and SO_ERROR tell
        // the rest, without reading errno (two more calls per port).
        libc.connect(fd, sockaddr.bytes, sockaddr.bytes.length);
        fds.push(fd);
      }
      fds.forEach((fd, i) => {
        view.setInt32(8 * i, fd, true);
        view.setInt16(8 * i + 4, POLLOUT, true);
        view.setInt16(8 * i + 6, 0, true);
      });
      // Does not wait: what has not answered by now is not near.
      libc.poll(pollfds, BigInt(fds.length), 0);
      let answered = 0;
      fds.forEach((fd, i) => {
        const revents = view.getInt16(8 * i + 6, true);
        if (revents !== 0) {
          new DataView(size.buffer).setUint32(0, 4, true);
          const err = libc.getsockopt(fd, SOL_SOCKET, SO_ERROR, value, size) === 0
            ? new DataView(value.buffer).getInt32(0, true)
            : -1;
          const port = window[i];
          // Connected: writable and nothing else. A connect that failed at
          // once leaves SO_ERROR 0 and POLLHUP: tcp.ts says why.
          if (err === 0 && revents === POLLOUT) {
            results.set(port, { port, protocol: "tcp", state: "open", ms: since(started) });
          } else if (err === ECONNREFUSED) results.set(port, refused(port, started));
          answered++;
        }
        libc.close(fd);
      });
      if (answered < window.length / 2 || fds.length < window.length) break;
      // Let a signal be heard now and then.
      if (performance.now() - yielded > 50) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        yielded = performance.now();
      }
    }
  } finally {
    lib.close();
  }
  return results;
}

function since(started: number): number {
  return performance.now() - started;
}

function refused(port: number, started: number): ProbeResult {
  return {
    port,
    protocol: "tcp",
    state: "closed",
    reason: "connection refused",
    ms: since(started),
  };
}
