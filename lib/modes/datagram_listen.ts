/**
 * `socktool -ul [HOST] PORT` and `socktool -luU PATH`: a datagram listener.
 * Without `-k` it answers the peer that sent the first datagram and ignores
 * everyone else; with `-k` every peer that has sent a datagram is heard, and
 * stdin goes to all of them.
 *
 * @module
 */

import { formatAddr, formatHostPort } from "../net/address.ts";
import { networkError } from "../errors.ts";
import type { ListenOptions } from "../cli/options.ts";
import { resolveHost } from "../net/resolve.ts";
import type { SessionContext } from "../session/session.ts";
import { runDatagramSession } from "../session/datagram_session.ts";
import { bindUnixDatagram } from "../net/unix_datagram.ts";
import { removeSocketFile } from "../net/unix_socket_file.ts";
import type { Prepared } from "./prepare.ts";
import { serveDatagrams } from "../serve/datagram_services.ts";

/**
 * Runs datagram listen mode to its end; the socket (and a Unix socket file)
 * is gone when it resolves, also after SIGINT/SIGTERM (`ctx.signal`).
 *
 * @example
 * ```ts
 * const options = parseCommandLine(["-ul", "9999"]) as ListenOptions;
 * await datagramListenMode(options, ctx, await prepare(options, ctx.log));
 * ```
 */
export async function datagramListenMode(
  opts: ListenOptions,
  ctx: SessionContext,
  prepared: Pick<Prepared, "access">,
): Promise<void> {
  const { access } = prepared;
  const refused = new Set<string>();
  const admit = access
    ? (a: Deno.Addr) => {
      // Unix datagram senders have no IP address to match.
      if (a.transport !== "udp" || access.allows((a as Deno.NetAddr).hostname)) return true;
      const who = formatAddr(a);
      if (!refused.has(who)) {
        ctx.log.info(
          `refused datagrams from ${who}: not allowed by --allow/--deny`,
        );
      }
      refused.add(who);
      return false;
    }
    : undefined;
  const path = opts.local.kind === "unix" ? opts.local.path : undefined;
  const conn = opts.local.kind === "unix"
    ? await bindUnixDatagram(opts.local.path)
    : await bindUdp(opts.local.host, opts.local.port, opts.family);
  try {
    ctx.log.info(`listening on ${formatAddr(conn.addr)}`);
    // Named for the listening address: no peer is known yet when it starts.
    const name = formatAddr(conn.addr);
    if (opts.forward?.kind === "udp") {
      const { forwardDatagrams } = await import("../serve/udp_forward.ts");
      await forwardDatagrams(conn as Deno.DatagramConn, {
        host: opts.forward.host,
        port: opts.forward.port,
        family: opts.family,
        keepOpen: opts.keepOpen,
        idleMs: opts.waitMs,
        maxPeers: opts.maxConns,
        admit,
        log: ctx.log,
        signal: ctx.signal,
      });
      return;
    }
    if (opts.serve !== undefined) {
      await serveDatagrams(conn, opts.serve, {
        keepOpen: opts.keepOpen,
        admit,
        log: ctx.log,
        signal: ctx.signal,
      });
      return;
    }
    await runDatagramSession(
      conn,
      { peer: opts.keepOpen ? "every" : "first", name, admit },
      opts,
      ctx,
    );
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
      if (family === 6 || (err as Error).cause instanceof Deno.errors.AddrInUse) throw err;
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
