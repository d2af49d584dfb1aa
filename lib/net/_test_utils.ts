/**
 * A one-connection loopback server for unit tests: it accepts one client and
 * runs a scripted handler over it, so a test can play a proxy or a TLS peer
 * byte by byte.
 *
 * @module
 */

/** A running scripted peer. */
export interface ScriptedPeer {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** Resolves when the handler has finished and everything is closed; rejects with its error. */
  done: Promise<void>;
}

/**
 * Listens on 127.0.0.1:0, accepts one client, runs `handler`, then closes
 * the connection and the listener.
 *
 * @example
 * ```ts
 * const peer = scriptedPeer(async (conn) => { await conn.write(new Uint8Array([5, 0])); });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: peer.port });
 * ```
 */
export function scriptedPeer(handler: (conn: Deno.Conn) => Promise<void>): ScriptedPeer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = (async () => {
    const conn = await listener.accept();
    listener.close();
    try {
      await handler(conn);
    } finally {
      try {
        conn.close();
      } catch {
        // The handler closed it already.
      }
    }
  })();
  return { port: (listener.addr as Deno.NetAddr).port, done };
}

/**
 * Connects to a scripted peer.
 *
 * @example
 * ```ts
 * const conn = await connectToPeer(peer);
 * ```
 */
export function connectToPeer(peer: ScriptedPeer): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port: peer.port });
}
