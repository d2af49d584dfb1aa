/**
 * `socktool -u HOST PORT` and `socktool -uU PATH`: a datagram client. stdin
 * goes out as datagrams, every datagram from the peer is written out whole,
 * and replies keep coming after stdin ends, until `-q` or `-w` ends it.
 *
 * @module
 */

import { formatAddr } from "../net/address.ts";
import type { ConnectOptions } from "../cli/options.ts";
import type { SessionContext } from "../session/session.ts";
import { type DatagramClient, openUdpClient } from "../net/udp_connect.ts";
import { runDatagramSession } from "../session/datagram_session.ts";
import { openUnixDatagramClient } from "../net/unix_datagram.ts";

/**
 * Runs a datagram client session to its end; the socket (and a Unix
 * client's own socket file) is gone when it resolves.
 *
 * @example
 * ```ts
 * await datagramConnectMode(parseCommandLine(["-u", "127.0.0.1", "7"]) as ConnectOptions, ctx);
 * ```
 */
export async function datagramConnectMode(
  opts: ConnectOptions,
  ctx: SessionContext,
): Promise<void> {
  const client: DatagramClient = opts.target.kind === "unix"
    ? await openUnixDatagramClient(opts.target.path, { sourcePath: opts.sourceAddr })
    : await openUdpClient(opts.target.host, opts.target.port, {
      family: opts.family,
      sourceAddr: opts.sourceAddr,
      sourcePort: opts.sourcePort,
    });
  try {
    ctx.log.info(`sending datagrams to ${client.name} from ${formatAddr(client.conn.addr)}`);
    await runDatagramSession(client.conn, { peer: client.peer, name: client.name }, opts, ctx);
  } finally {
    await client.close();
  }
}
