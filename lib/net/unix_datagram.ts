/**
 * Unix datagram sockets (`-uU`): binding a path for a listener, and the
 * client's own bound path that replies come back to.
 *
 * @module
 */

import { ExitCode, networkError, SocktoolError } from "../errors.ts";
import type { DatagramClient } from "./udp_connect.ts";
import { UnixDatagramSocket } from "./unix_datagram_socket.ts";
import {
  claimSocketPath,
  isWrongSocketType,
  ownSocketFile,
  removeSocketFile,
  tempSocketPath,
} from "./unix_socket_file.ts";

/**
 * Binds a Unix datagram socket at `path`, replacing a stale socket file and
 * refusing one in use (exit 1). The caller closes the socket and removes the
 * file ({@linkcode removeSocketFile}).
 *
 * @example
 * ```ts
 * const sock = await bindUnixDatagram("/tmp/log.sock");
 * ```
 */
export async function bindUnixDatagram(
  path: string,
  action = "listen",
): Promise<UnixDatagramSocket> {
  await claimSocketPath(path, action);
  try {
    const sock = new UnixDatagramSocket(Deno.listenDatagram({ transport: "unixpacket", path }));
    ownSocketFile(path);
    return sock;
  } catch (err) {
    throw networkError(`${action} ${path}`, err);
  }
}

/**
 * Opens a Unix datagram client for the socket at `path`. A datagram client
 * must be bound to receive replies: to `sourcePath` (`-s`, as in netcat) or
 * to a fresh temporary path; either file is removed by `close()`.
 *
 * @example
 * ```ts
 * const client = await openUnixDatagramClient("/tmp/log.sock");
 * await client.conn.send(new TextEncoder().encode("hello"), client.peer);
 * await client.close();
 * ```
 */
export async function openUnixDatagramClient(
  path: string,
  opts: { sourcePath?: string } = {},
): Promise<DatagramClient> {
  await checkDatagramPeer(path);
  const own = opts.sourcePath ?? tempSocketPath();
  const conn = await bindUnixDatagram(own, "bind");
  const peer: Deno.UnixAddr = { transport: "unixpacket", path };
  return {
    conn,
    peer,
    name: path,
    close: async () => {
      try {
        conn.close();
      } catch { /* closed by the relay */ }
      await removeSocketFile(own);
    },
  };
}

/**
 * Fails early, with the cause in words, when nothing can receive datagrams
 * at `path`: datagrams sent there would vanish without a word. A stream
 * connect is the probe: a bound datagram socket answers "wrong type".
 */
async function checkDatagramPeer(path: string): Promise<void> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ transport: "unix", path });
  } catch (err) {
    if (isWrongSocketType(err)) return;
    throw networkError(`connect ${path}`, err);
  }
  conn.close();
  throw new SocktoolError(
    `connect ${path}: a stream socket, not a datagram socket (drop -u)`,
    ExitCode.Network,
  );
}
