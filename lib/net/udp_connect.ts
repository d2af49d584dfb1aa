/**
 * Opens the socket of a UDP client (`socktool -u HOST PORT`): resolves the
 * target, binds the local side (`-s`, `-p`, or any), and names the peer.
 * UDP has no handshake, so the first address the name resolves to is the
 * one used, as in netcat.
 *
 * @module
 */

import { formatAddr, formatHostPort } from "./address.ts";
import { networkError } from "../errors.ts";
import { resolveHost } from "./resolve.ts";
import { localAddress, sourceFamily } from "./source_address.ts";
import type { DatagramSocket } from "./udp_duplex.ts";
import { enlargeReceiveBuffer } from "./receive_buffer.ts";

/** A bound datagram socket and the one peer a client session talks to. */
export interface DatagramClient {
  /** The bound socket; the caller closes it. */
  conn: DatagramSocket;
  /** Where datagrams go, and the only source whose datagrams are taken. */
  peer: Deno.Addr;
  /** The peer in messages, e.g. `127.0.0.1:9999`. */
  name: string;
  /** Closes the socket and removes any file it was bound to. */
  close(): Promise<void>;
}

/** Options for {@linkcode openUdpClient}. */
export interface UdpClientOptions {
  /** `-4` / `-6`. */
  family?: 4 | 6;
  /** `-s`: the local address to bind. */
  sourceAddr?: string;
  /** `-p`: the local port to bind. */
  sourcePort?: number;
}

/**
 * Binds a UDP socket for talking to `host:port`.
 *
 * @example
 * ```ts
 * const client = await openUdpClient("127.0.0.1", 7, { sourcePort: 5000 });
 * await client.conn.send(new TextEncoder().encode("ping"), client.peer);
 * await client.close();
 * ```
 */
export async function openUdpClient(
  host: string,
  port: number,
  opts: UdpClientOptions = {},
): Promise<DatagramClient> {
  const forced = sourceFamily(opts.sourceAddr, host);
  const [target] = await resolveHost(host, { family: opts.family ?? (forced || undefined) });
  const local = await localAddress(opts.sourceAddr, target.family);
  const localPort = opts.sourcePort ?? 0;
  let conn: Deno.DatagramConn;
  try {
    conn = Deno.listenDatagram({ transport: "udp", hostname: local, port: localPort });
  } catch (err) {
    throw networkError(`bind ${formatHostPort(local, localPort)}`, err);
  }
  // Room for a burst of replies while stdout is written (receive_buffer.ts).
  enlargeReceiveBuffer(conn.addr as Deno.NetAddr);
  const peer: Deno.NetAddr = { transport: "udp", hostname: target.address, port };
  return {
    conn,
    peer,
    name: formatAddr(peer),
    close: () => {
      try {
        conn.close();
      } catch { /* closed by the relay */ }
      return Promise.resolve();
    },
  };
}
