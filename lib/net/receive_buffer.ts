/**
 * A larger kernel receive buffer for a bound UDP socket, so that a burst of
 * datagrams that arrives while socktool writes stdout waits in the kernel
 * instead of being dropped.
 *
 * Why: Linux gives a UDP socket `net.core.rmem_default` (208 KiB on most
 * systems), which holds only ~90 datagrams of 1 KiB (each costs its size
 * plus ~1.3 KiB of bookkeeping); a receiver that stalls for 4 ms at
 * 25,000 datagrams/s loses some. Deno cannot set `SO_RCVBUF` (and
 * `node:dgram`'s `recvBufferSize`, which can, loses datagrams in its own
 * receive path), and it does not say which descriptor a socket is. So
 * this module finds the descriptor through libc (`io/libc.ts`): among the
 * process's descriptors, the datagram socket whose
 * `getsockname` is the address Deno reports, and raises its buffer with
 * `setsockopt`, up to `net.core.rmem_max` (the kernel caps it there for an
 * unprivileged process: 4 MiB here, ~1,800 such datagrams). Best effort:
 * without the `ffi` permission, or when no single socket matches, nothing
 * changes.
 *
 * @module
 */

import { AF_INET, AF_INET6, openLibc, SOCK_DGRAM, SOL_SOCKET } from "../io/libc.ts";
import { unmapIPv4 } from "./address.ts";

/** What socktool asks for; the kernel grants at most `net.core.rmem_max`. */
export const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** Descriptors looked at: Deno's sockets have low numbers. */
const SCAN_FDS = 1024;

const SYMBOLS = {
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
} as const;

// Linux values (x86-64 and arm64, the platforms Deno ships for).
const SO_TYPE = 3;
const SO_RCVBUF = 8;

/**
 * Raises the receive buffer of the UDP socket bound at `addr` (a
 * `Deno.DatagramConn`'s `addr`) to `bytes`; returns the size the kernel
 * reports afterwards (it counts bookkeeping too, so twice what was granted),
 * or `undefined` when nothing could be done.
 *
 * @example
 * ```ts
 * const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
 * enlargeReceiveBuffer(sock.addr as Deno.NetAddr); // 8388608 where rmem_max is 4 MiB
 * ```
 */
export function enlargeReceiveBuffer(
  addr: Deno.NetAddr,
  bytes: number = RECEIVE_BUFFER_BYTES,
): number | undefined {
  if (addr.transport !== "udp") return undefined;
  const libc = openLibc(SYMBOLS);
  if (libc === undefined) return undefined;
  try {
    const fd = findDatagramFd(libc.symbols, addr);
    if (fd === undefined) return undefined;
    const value = new Uint8Array(4);
    new DataView(value.buffer).setInt32(0, bytes, true);
    if (libc.symbols.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, value, 4) !== 0) return undefined;
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, 4, true);
    if (libc.symbols.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, value, len) !== 0) return undefined;
    return new DataView(value.buffer).getInt32(0, true);
  } finally {
    libc.close();
  }
}

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** The one datagram socket of this process bound at `addr`, or `undefined`. */
function findDatagramFd(libc: Libc, addr: Deno.NetAddr): number | undefined {
  const want = unmapIPv4(addr.hostname);
  const sockaddr = new Uint8Array(128);
  const len = new Uint8Array(4);
  const lenView = new DataView(len.buffer);
  const intValue = new Uint8Array(4);
  const found: { fd: number; hostname: string }[] = [];
  for (let fd = 3; fd < SCAN_FDS; fd++) {
    // Fails at once for a descriptor that is not open or not a socket.
    lenView.setUint32(0, 4, true);
    if (libc.getsockopt(fd, SOL_SOCKET, SO_TYPE, intValue, len) !== 0) continue;
    if (new DataView(intValue.buffer).getInt32(0, true) !== SOCK_DGRAM) continue;
    lenView.setUint32(0, sockaddr.length, true);
    if (libc.getsockname(fd, sockaddr, len) !== 0) continue;
    const bound = decodeSockaddr(sockaddr);
    if (bound?.port === addr.port) found.push({ fd, hostname: unmapIPv4(bound.hostname) });
  }
  // The port alone tells sockets apart unless two are bound to it (IPv4 and IPv6, say).
  const same = found.length === 1 ? found : found.filter((f) => f.hostname === want);
  return same.length === 1 ? same[0].fd : undefined;
}

/** Host and port of a `sockaddr_in` or `sockaddr_in6`, as Deno spells them. */
function decodeSockaddr(b: Uint8Array): { hostname: string; port: number } | undefined {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const family = view.getUint16(0, true);
  const port = view.getUint16(2, false);
  if (family === AF_INET) return { hostname: [...b.subarray(4, 8)].join("."), port };
  if (family !== AF_INET6) return undefined;
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(view.getUint16(8 + 2 * i, false).toString(16));
  return { hostname: compressIPv6(groups), port };
}

/** `0:0:0:0:0:0:0:1` as `::1`: the longest run of zero groups becomes `::`. */
function compressIPv6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}
