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
import { loadAccessPolicy } from "../serve/access.ts";
import { isServeName } from "../serve/responders.ts";
import { serveDatagrams } from "../serve/datagram_services.ts";

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
  // Checked before binding, like the stream listener: a bad rule is exit 2.
  const access = await loadAccessPolicy(opts);
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
    // Named for the listening address: no peer is known yet when it starts.
    const name = formatAddr(conn.addr);
    if (opts.serve !== undefined && isServeName(opts.serve)) {
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
