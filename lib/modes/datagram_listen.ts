/**
 * `socktool -ul [HOST] PORT` and `socktool -luU PATH`: a datagram listener.
 * Without `-k` it answers the peer that sent the first datagram and ignores
 * everyone else; with `-k` every peer that has sent a datagram is heard, and
 * stdin goes to all of them.
 *
 * @module
 */

import { formatAddr } from "../net/address.ts";
import type { ListenOptions } from "../cli/options.ts";
import { bindListener } from "../net/bind_listener.ts";
import type { SessionContext } from "../session/session.ts";
import { runDatagramSession } from "../session/datagram_session.ts";
import { bindUnixDatagram } from "../net/unix_datagram.ts";
import { removeSocketFile } from "../net/unix_socket_file.ts";
import type { Prepared } from "./prepare.ts";
import { serveDatagrams } from "../serve/datagram_services.ts";
import { enlargeReceiveBuffer } from "../net/receive_buffer.ts";
import { load } from "../lazy.ts";

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
  const local = opts.local;
  const path = local.kind === "unix" ? local.path : undefined;
  const conn = local.kind === "unix" ? await bindUnixDatagram(local.path) : await bindListener(
    local.host,
    local.port,
    opts.family,
    (hostname) => Deno.listenDatagram({ transport: "udp", hostname, port: local.port }),
  );
  try {
    ctx.log.info(`listening on ${formatAddr(conn.addr)}`);
    if (conn.addr.transport === "udp") {
      // Room for a burst while stdout is written (net/receive_buffer.ts).
      const size = enlargeReceiveBuffer(conn.addr as Deno.NetAddr);
      if (size !== undefined) ctx.log.debug(`socket receive buffer: ${size} bytes`);
    }
    // Named for the listening address: no peer is known yet when it starts.
    const name = formatAddr(conn.addr);
    if (opts.forward?.kind === "udp") {
      const { forwardDatagrams } = await load("lib/serve/udp_forward.ts");
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
