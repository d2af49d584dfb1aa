/**
 * `socktool -ul [HOST] PORT` and `socktool -luU PATH`: a datagram listener.
 * Without `-k` it answers the peer that sent the first datagram and ignores
 * everyone else; with `-k` every peer that has sent a datagram is heard, and
 * stdin goes to all of them.
 *
 * @module
 */

import { formatAddr, formatHostPort } from "./address.ts";
import { networkError } from "./errors.ts";
import type { ListenOptions } from "./cli/options.ts";
import { resolveHost } from "./resolve.ts";
import type { SessionContext } from "./session.ts";
import { runDatagramSession } from "./udp_session.ts";
import { bindUnixDatagram } from "./unix_datagram.ts";
import { removeSocketFile } from "./unix_socket_file.ts";

/**
 * Runs datagram listen mode to its end; the socket (and a Unix socket file)
 * is gone when it resolves, also after SIGINT/SIGTERM (`ctx.signal`).
 *
 * @example
 * ```ts
 * await datagramListenMode(parseCommandLine(["-ul", "9999"]) as ListenOptions, ctx);
 * ```
 */
export async function datagramListenMode(opts: ListenOptions, ctx: SessionContext): Promise<void> {
  const path = opts.local.kind === "unix" ? opts.local.path : undefined;
  const conn = opts.local.kind === "unix"
    ? await bindUnixDatagram(opts.local.path)
    : await bindUdp(opts.local.host, opts.local.port, opts.family);
  try {
    ctx.log.info(`listening on ${formatAddr(conn.addr)}`);
    // Named for the listening address: no peer is known yet when it starts.
    const name = formatAddr(conn.addr);
    await runDatagramSession(conn, { peer: opts.keepOpen ? "every" : "first", name }, opts, ctx);
  } finally {
    try {
      conn.close();
    } catch { /* closed by the relay */ }
    if (path !== undefined) await removeSocketFile(path);
  }
}

/**
 * Binds a UDP socket like a TCP listener binds: no host means all
 * interfaces, IPv6 and IPv4 (`[::]`), or `0.0.0.0` where IPv6 is missing.
 */
async function bindUdp(
  host: string | undefined,
  port: number,
  family: 4 | 6 | undefined,
): Promise<Deno.DatagramConn> {
  if (host === undefined) {
    if (family === 4) return bindOn("0.0.0.0", port);
    try {
      return bindOn("::", port);
    } catch (err) {
      if (family === 6 || /already in use/.test((err as Error).message)) throw err;
      return bindOn("0.0.0.0", port);
    }
  }
  const [first] = await resolveHost(host, { family });
  return bindOn(first.address, port);
}

function bindOn(hostname: string, port: number): Deno.DatagramConn {
  try {
    return Deno.listenDatagram({ transport: "udp", hostname, port });
  } catch (err) {
    throw networkError(`listen ${formatHostPort(hostname, port)}`, err);
  }
}
