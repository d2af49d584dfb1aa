/**
 * UDP probes through connected sockets, which hear "port unreachable".
 *
 * A closed UDP port answers a datagram with an ICMP port unreachable, but
 * the kernel passes that on only to a *connected* socket (as an error on
 * its next call), and Deno cannot connect a datagram socket: neither
 * `Deno.listenDatagram` nor `node:dgram`'s `connect()` (Deno 2.9.6 emulates
 * it with `sendto`, checked with strace) ever calls connect(2). So this
 * module calls libc itself through `Deno.dlopen`: socket, connect, send,
 * then poll; POLLERR with SO_ERROR = ECONNREFUSED is a closed port, POLLIN
 * an open one, silence until the wait ends `open|filtered`.
 *
 * The cost is the `ffi` permission, granted in deno.json for the usual
 * paths of glibc only (see `io/libc.ts`): native code runs outside
 * Deno's sandbox (as `--exec`'s programs already do). Where that permission,
 * that library or Linux is missing, {@linkcode openConnectedUdp} returns
 * `undefined` and the caller falls back to a probe that cannot tell closed
 * from silent (see `udp.ts`).
 *
 * @module
 */

import { ExitCode, SocktoolError } from "../errors.ts";
import type { ProbeResult } from "./result.ts";
import {
  AF_INET,
  AF_INET6,
  ERRNO_SYMBOLS,
  O_CLOEXEC,
  O_NONBLOCK,
  openLibc,
  POLLERR,
  POLLIN,
  readErrno,
  SO_ERROR,
  SOCK_DGRAM,
  SOL_SOCKET,
} from "../io/libc.ts";

/** Sockets in flight at most: far below the usual limit of 1024 open files. */
export const CONNECTED_WINDOW = 256;

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  // Blocking: runs on another thread, so the event loop goes on meanwhile.
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  close: { parameters: ["i32"], result: "i32" },
  ...ERRNO_SYMBOLS,
} as const;

const SOCK_DGRAM_NONBLOCK_CLOEXEC = SOCK_DGRAM | O_NONBLOCK | O_CLOEXEC;
// Linux values (x86-64 and arm64, the platforms Deno ships for).
const MSG_DONTWAIT = 0x40;
/** The longest a poll waits, so that a signal is heard within this time. */
const POLL_SLICE_MS = 100;

const ERRNO_WORDS: Record<number, string> = {
  1: "permission denied",
  13: "permission denied",
  23: "too many open files",
  24: "too many open files",
  99: "address not available",
  101: "network unreachable",
  111: "port unreachable",
  113: "host unreachable",
};

/** Options for {@linkcode ConnectedUdp.probe}. */
export interface ConnectedProbeOptions {
  /** How long a port is waited for after its datagram goes out. */
  waitMs: number;
  /** Stops probing (SIGINT, SIGTERM). */
  signal?: AbortSignal;
}

/** A loaded libc that probes UDP ports through connected sockets; dispose to unload. */
export interface ConnectedUdp extends Disposable {
  /**
   * Sends "X" to each port from its own connected socket, at most
   * {@linkcode CONNECTED_WINDOW} at once; resolves with one result per
   * port, in the order of `ports`. Undefined when `address` cannot be
   * written as a socket address here (an IPv6 zone).
   */
  probe(
    address: string,
    ports: readonly number[],
    opts: ConnectedProbeOptions,
  ): Promise<ProbeResult[]> | undefined;
}

/**
 * Loads libc for connected UDP probes, or returns `undefined` where that
 * cannot be done (not Linux, no `ffi` permission for a libc path, no such
 * file): the caller then probes without hearing refusals.
 *
 * @example
 * ```ts
 * using udp = openConnectedUdp();
 * const results = await udp?.probe("127.0.0.1", [53, 9], { waitMs: 1000 });
 * ```
 */
export function openConnectedUdp(): ConnectedUdp | undefined {
  const lib = openLibc(SYMBOLS);
  if (lib === undefined) return undefined;
  return {
    probe: (address, ports, opts) => probeConnected(lib.symbols, address, ports, opts),
    [Symbol.dispose]: () => lib.close(),
  };
}

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

interface InFlight {
  port: number;
  fd: number;
  sentAt: number;
}

function probeConnected(
  libc: Libc,
  address: string,
  ports: readonly number[],
  opts: ConnectedProbeOptions,
): Promise<ProbeResult[]> | undefined {
  const sockaddr = socketAddress(address);
  if (!sockaddr) return undefined;
  return (async () => {
    const started = performance.now();
    const results = new Map<number, ProbeResult>();
    const result = (port: number, state: ProbeResult["state"], reason?: string) =>
      results.set(port, {
        port,
        protocol: "udp",
        state,
        ...(reason ? { reason } : {}),
        ms: performance.now() - started,
      });
    // Not Deno.UnsafePointerView: it needs the ffi permission for every path.
    const errno = () => readErrno(libc);
    const payload = new TextEncoder().encode("X");
    const inbox = new Uint8Array(65536);
    const queue = [...ports];
    let flying: InFlight[] = [];
    try {
      while ((queue.length > 0 || flying.length > 0) && !opts.signal?.aborted) {
        while (flying.length < CONNECTED_WINDOW && queue.length > 0) {
          const port = queue.shift()!;
          const fd = libc.socket(sockaddr.family, SOCK_DGRAM_NONBLOCK_CLOEXEC, 0);
          if (fd < 0) {
            const err = errno();
            // Out of files: wait for sockets in flight to finish, then go on.
            if (flying.length > 0) {
              queue.unshift(port);
              break;
            }
            throw new SocktoolError(
              `probe: cannot open a UDP socket: ${words(err)}`,
              ExitCode.Network,
            );
          }
          new DataView(sockaddr.bytes.buffer).setUint16(2, port, false);
          if (
            libc.connect(fd, sockaddr.bytes, sockaddr.bytes.length) < 0 ||
            libc.send(fd, payload, 1n, 0) < 0
          ) {
            result(port, "closed", words(errno()));
            libc.close(fd);
            continue;
          }
          flying.push({ port, fd, sentAt: performance.now() });
        }
        if (flying.length === 0) continue;
        const fds = new Uint8Array(8 * flying.length);
        const view = new DataView(fds.buffer);
        flying.forEach((f, i) => {
          view.setInt32(8 * i, f.fd, true);
          view.setInt16(8 * i + 4, POLLIN, true);
        });
        const due = Math.min(...flying.map((f) => f.sentAt)) + opts.waitMs - performance.now();
        const sliceMs = Math.ceil(Math.max(0, Math.min(POLL_SLICE_MS, due)));
        await libc.poll(fds, BigInt(flying.length), sliceMs);
        const now = performance.now();
        flying = flying.filter((f, i) => {
          const revents = view.getInt16(8 * i + 6, true);
          if (revents & POLLERR) result(f.port, "closed", words(socketError(libc, f.fd)));
          else if (revents & POLLIN) {
            if (libc.recv(f.fd, inbox, BigInt(inbox.length), MSG_DONTWAIT) >= 0) {
              result(f.port, "open");
            } else result(f.port, "closed", words(errno()));
          } else if (now - f.sentAt >= opts.waitMs) result(f.port, "open|filtered", "no reply");
          else return true;
          libc.close(f.fd);
          return false;
        });
      }
    } finally {
      for (const f of flying) libc.close(f.fd);
    }
    const elapsed = performance.now() - started;
    return ports.map((port) =>
      results.get(port) ??
        { port, protocol: "udp", state: "open|filtered", reason: "interrupted", ms: elapsed }
    );
  })();
}

/** The pending error of a socket (SO_ERROR), which reading also clears. */
function socketError(libc: Libc, fd: number): number {
  const value = new Uint8Array(4);
  const size = new Uint8Array(4);
  new DataView(size.buffer).setUint32(0, 4, true);
  if (libc.getsockopt(fd, SOL_SOCKET, SO_ERROR, value, size) < 0) return 0;
  return new DataView(value.buffer).getInt32(0, true);
}

function words(errno: number): string {
  return ERRNO_WORDS[errno] ?? `system error ${errno}`;
}

/**
 * A `sockaddr_in` or `sockaddr_in6` for `address` (port set per socket),
 * or `undefined` for what cannot be written here (an IPv6 zone index).
 */
export function socketAddress(
  address: string,
): { family: number; bytes: Uint8Array<ArrayBuffer> } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setUint16(0, AF_INET, true);
    bytes.set(v4.slice(1).map(Number), 4);
    return { family: AF_INET, bytes };
  }
  const groups = ipv6Groups(address);
  if (!groups) return undefined;
  const bytes = new Uint8Array(28);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, AF_INET6, true);
  groups.forEach((g, i) => view.setUint16(8 + 2 * i, g, false));
  return { family: AF_INET6, bytes };
}

/** The eight 16-bit groups of an IPv6 literal (an IPv4 tail allowed), or undefined. */
function ipv6Groups(text: string): number[] | undefined {
  if (!text.includes(":") || text.includes("%")) return undefined;
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  let s = text;
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number);
    s = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === "" ? [] : h.split(":").map((g) => parseInt(g, 16)));
  const left = parse(halves[0]);
  const right = halves.length === 2 ? parse(halves[1]) : [];
  const zeros = halves.length === 2 ? 8 - left.length - right.length : 0;
  const groups = [...left, ...Array(zeros).fill(0), ...right];
  if (groups.length !== 8 || groups.some((g) => !(g >= 0 && g <= 0xffff))) return undefined;
  return groups;
}
