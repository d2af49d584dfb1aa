/**
 * Opens a TCP listener and accepts clients: all interfaces (IPv4 and IPv6)
 * when no address is given.
 *
 * @module
 */

import { formatAddr } from "./address.ts";
import { networkError } from "../errors.ts";
import { bindListener } from "./bind_listener.ts";

/** Options for {@linkcode listenTcp}. */
export interface ListenTcpOptions {
  /** `-4` / `-6`: with no host, all interfaces of that family only. */
  family?: 4 | 6;
}

/**
 * Listens on `host:port` (port 0: a free port the system picks). With no
 * host, listens on `[::]`, which on Linux also accepts IPv4 clients; falls
 * back to `0.0.0.0` where IPv6 is missing.
 *
 * @example
 * ```ts
 * import { connectTcp, listenTcp } from "@socktool/socktool";
 *
 * using listener = await listenTcp(undefined, 0); // all interfaces, a free port
 * using client = await connectTcp("127.0.0.1", listener.addr.port);
 * using conn = await listener.accept();
 * await client.write(new TextEncoder().encode("hi"));
 * const buf = new Uint8Array(2);
 * await conn.read(buf);
 * ```
 */
export function listenTcp(
  host: string | undefined,
  port: number,
  opts: ListenTcpOptions = {},
): Promise<Deno.TcpListener> {
  return bindListener(
    host,
    port,
    opts.family,
    (hostname) => Deno.listen({ hostname, port, transport: "tcp" }),
  );
}

/**
 * Accepts one client, or resolves `null` when `signal` aborts first.
 *
 * @example
 * ```ts
 * const conn = await acceptOne(listener, signal);
 * ```
 */
export async function acceptOne<C extends Deno.Conn>(
  listener: Deno.Listener<C>,
  signal?: AbortSignal,
): Promise<C | null> {
  if (signal?.aborted) return null;
  const onAbort = () => listener.close();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await listener.accept();
  } catch (err) {
    if (signal?.aborted) return null;
    throw networkError(`accept on ${formatAddr(listener.addr)}`, err);
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
