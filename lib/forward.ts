/**
 * `--forward HOST:PORT`: relays a client to a target in-process, a port
 * forwarder with no subprocess (socat's `TCP-LISTEN,fork TCP:host:port`).
 *
 * Both directions are independent copies with the shared {@linkcode pump}:
 * each awaits its write before the next read (backpressure), and each side's
 * EOF is passed on as a half-close of the other, so a request/response
 * protocol that half-closes works through the forwarder. The session ends
 * when both directions have ended; a reset on either side ends both.
 *
 * @module
 */

import { formatAddr } from "./address.ts";
import { ExitCode, SocktoolError } from "./errors.ts";
import { closeQuietly, watchIdle } from "./keep_open.ts";
import { DEFAULT_BUFFER_SIZE, duplexSink, pump, type RelayResult } from "./relay.ts";
import { connectTcp } from "./tcp_connect.ts";

/** Where and how to forward. */
export interface ForwardOptions {
  host: string;
  port: number;
  /** `-4` / `-6` for the target. */
  family?: 4 | 6;
  /** `-w`: connect timeout to the target, and idle timeout of the session. */
  waitMs?: number;
  signal?: AbortSignal;
  /** `-vv` events. */
  onEvent?: (message: string) => void;
}

/**
 * Connects to the target and relays `client` to it until both directions
 * end. Closes the target; `client` is the caller's to close. Rejects (exit 1)
 * when the target cannot be reached or the session goes idle past `-w`.
 *
 * @example
 * ```ts
 * const r = await forwardClient(conn, { host: "127.0.0.1", port: 8080 });
 * console.error(`${r.sent} bytes to the target, ${r.received} back`);
 * ```
 */
export async function forwardClient(client: Deno.Conn, o: ForwardOptions): Promise<RelayResult> {
  const started = performance.now();
  let target: Deno.TcpConn;
  try {
    target = await connectTcp(o.host, o.port, {
      family: o.family,
      timeoutMs: o.waitMs,
      signal: o.signal,
    });
  } catch (err) {
    // "connect 127.0.0.1:9: connection refused" → "forward to 127.0.0.1:9: ..."
    const msg = err instanceof SocktoolError ? err.message : String(err);
    throw new SocktoolError(msg.replace(/^connect /, "forward to "), ExitCode.Network, {
      cause: err,
    });
  }
  const targetName = formatAddr(target.remoteAddr);
  o.onEvent?.(`forwarding to ${targetName}`);
  let sent = 0;
  let received = 0;
  let idleFailure: SocktoolError | undefined;
  const closeBoth = () => {
    closeQuietly(target);
    closeQuietly(client);
  };
  const idle = watchIdle(o.waitMs, () => {
    idleFailure = new SocktoolError(
      `forward to ${targetName}: idle for ${o.waitMs! / 1000} s: timed out`,
      ExitCode.Network,
    );
    closeBoth();
  });
  const onAbort = () => closeBoth();
  o.signal?.addEventListener("abort", onAbort, { once: true });
  const touch = () => idle.touch();
  const direction = (
    from: Deno.Conn,
    to: Deno.Conn,
    count: (n: number) => void,
    label: string,
  ) =>
    pump(from, duplexSink(to, true, count), DEFAULT_BUFFER_SIZE, touch).then(
      () => o.onEvent?.(`${label}: ended, half-closed`),
      (failure) => {
        // A reset on one side ends the other too: nothing more can be relayed.
        o.onEvent?.(`${label}: ${(failure?.error as Error)?.message ?? failure}`);
        closeBoth();
      },
    );
  try {
    await Promise.all([
      direction(client, target, (n) => sent += n, "client to target"),
      direction(target, client, (n) => received += n, "target to client"),
    ]);
  } finally {
    idle.stop();
    o.signal?.removeEventListener("abort", onAbort);
    closeQuietly(target);
  }
  if (idleFailure) throw idleFailure;
  return { sent, received, elapsedMs: performance.now() - started, end: "done" };
}
