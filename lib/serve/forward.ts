/**
 * `--forward HOST:PORT` and `--forward unix:PATH`: relays a client to a
 * target in-process, a port forwarder with no subprocess (socat's
 * `TCP-LISTEN,fork TCP:host:port` and `TCP-LISTEN,fork UNIX-CONNECT:PATH`).
 * Datagram forwarding (`udp:HOST:PORT`) is `udp_forward.ts`.
 *
 * The target plays the part stdin/stdout play in a plain session, so the
 * shared {@linkcode relay} does all the work: backpressure, each side's EOF
 * passed on as a half-close of the other (a request/response protocol that
 * half-closes works through the forwarder), the `-w` idle timeout, and the
 * session's transforms and logs.
 *
 * @module
 */

import { formatAddr } from "../net/address.ts";
import { closeQuietly } from "./accept.ts";
import { relay, type RelayResult } from "../session/relay.ts";
import type { Stage } from "../io/sink.ts";
import { connectTcp } from "../net/tcp_connect.ts";
import { connectUnix } from "../net/unix_connect.ts";

/** A TCP target: host and port. */
export interface ForwardTcpTarget {
  /** Target host. */
  host: string;
  /** Target port. */
  port: number;
}

/** A Unix stream socket target (`--forward unix:PATH`, socat's `UNIX-CONNECT`). */
export interface ForwardUnixTarget {
  /** The socket's path. */
  path: string;
}

/** Where and how to forward: a TCP target or a Unix socket, and the session's settings. */
export type ForwardOptions = (ForwardTcpTarget | ForwardUnixTarget) & ForwardSettings;

/** How to forward, whatever the target. */
export interface ForwardSettings {
  /** `-4` / `-6` for the target. */
  family?: 4 | 6;
  /** `-w`: connect timeout to the target, and idle timeout of the session. */
  waitMs?: number;
  /** Ends the session (SIGINT, SIGTERM, listener stopping). */
  signal?: AbortSignal;
  /** `-vv` events. */
  onEvent?: (message: string) => void;
  /** Transforms and taps: outbound is target → client, inbound client → target. */
  stages?: { outbound: Stage[]; inbound: Stage[] };
}

/**
 * Connects to the target and relays `client` to it until both directions
 * end. Closes the target; `client` is the caller's to close. Rejects (exit 1)
 * when the target cannot be reached or the session goes idle past `-w`.
 *
 * @example
 * ```ts
 * const r = await forwardClient(conn, { host: "127.0.0.1", port: 8080 });
 * await forwardClient(other, { path: "/var/run/docker.sock" });
 * console.error(`${r.sent} bytes to the target, ${r.received} back`);
 * ```
 */
export async function forwardClient(client: Deno.Conn, o: ForwardOptions): Promise<RelayResult> {
  const target = "path" in o
    ? await connectUnix(o.path, { action: `forward to unix:${o.path}` })
    : await connectTcp(o.host, o.port, {
      family: o.family,
      timeoutMs: o.waitMs,
      signal: o.signal,
      action: (address) => `forward to ${address}`,
    });
  const targetName = "path" in o ? `unix:${o.path}` : formatAddr(target.remoteAddr);
  o.onEvent?.(`forwarding to ${targetName}`);
  try {
    return await relay(target, client, {
      idleTimeoutMs: o.waitMs,
      signal: o.signal,
      outbound: o.stages?.outbound,
      inbound: o.stages?.inbound,
      remoteName: `forward to ${targetName}`,
      onEvent: o.onEvent,
    });
  } finally {
    closeQuietly(target);
  }
}
