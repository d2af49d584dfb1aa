/**
 * Turns the `--ssl*` options into what a mode needs: for a client, a wrapper
 * that makes a connection TLS; for a listener, a per-client `prepare` hook.
 * The files were read and checked by `prepare.ts` before any socket opened,
 * so a bad key or certificate was a usage error (exit 2) already.
 *
 * @module
 */

import type { TlsOptions } from "../cli/options.ts";
import type { Logger } from "../io/log.ts";
import type { TlsMaterial } from "../tls/files.ts";
import { connectTls, INSECURE_WARNING } from "../tls/connect.ts";
import { acceptTls, createTlsServer } from "../tls/listen.ts";
import { formatTlsInfo } from "../tls/info.ts";

/** Makes a connection TLS as a client. */
export type TlsClientWrap = (
  conn: Deno.Conn,
  peerName: string,
  signal: AbortSignal,
) => Promise<Deno.Conn>;

/**
 * Prepares the client side of `--ssl`: warns about `--ssl-insecure` (every
 * time), and returns the wrapper.
 *
 * @param material the checked TLS files (`prepare.ts`)
 * @param serverName the name to send as SNI and to verify: `--ssl-servername`,
 *   else the host the user typed
 * @example
 * ```ts
 * const wrap = tlsClient(opts.tls, prepared.tls!, "example.test", log, 5000);
 * const tlsConn = await wrap(tcpConn, "203.0.113.5:443", signal);
 * ```
 */
export function tlsClient(
  tls: TlsOptions,
  material: TlsMaterial,
  serverName: string,
  log: Logger,
  timeoutMs?: number,
): TlsClientWrap {
  if (tls.insecure) log.warn(INSECURE_WARNING);
  return async (conn, peerName, signal) => {
    const session = await connectTls(conn, {
      serverName: tls.serverName ?? serverName,
      caCerts: material.caCerts,
      cert: material.cert,
      key: material.key,
      alpnProtocols: tls.alpn,
      insecure: tls.insecure,
      pins: tls.pins,
      verifyChain: tls.verify,
      signal,
      timeoutMs,
      peerName,
    });
    for (const line of formatTlsInfo(session.info)) log.info(`${peerName}: ${line}`);
    return session.conn;
  };
}

/**
 * Prepares the server side of `--ssl`: the given certificate and key
 * (`material`, checked by `prepare.ts`), client certificates required with
 * `--ssl-verify` (from the `--ssl-trustfile` CAs) or `--ssl-pin`, or a
 * fresh self-signed certificate whose fingerprint is printed on stderr (always,
 * since a client needs it to check what it talks to). Returns the per-client
 * hook for the accept loop.
 *
 * @example
 * ```ts
 * const handshake = await tlsServer(opts.tls, prepared.tls!, log, opts.waitMs);
 * await acceptClients(listener, handler, { ...options, prepare: handshake });
 * ```
 */
export async function tlsServer(
  tls: TlsOptions,
  material: TlsMaterial,
  log: Logger,
  timeoutMs?: number,
): Promise<(conn: Deno.Conn, name: string, signal: AbortSignal) => Promise<Deno.Conn>> {
  const pins = tls.pins?.length ? tls.pins : undefined;
  const requireClients = tls.verify || pins !== undefined;
  const server = await createTlsServer({
    cert: material.cert,
    key: material.key,
    alpnProtocols: tls.alpn,
    clientAuth: requireClients
      ? { caCerts: tls.verify ? material.caCerts : undefined, pins }
      : undefined,
  });
  if (server.generated) {
    log.warn(`self-signed certificate SHA-256 ${server.fingerprint}`);
  } else {
    log.info(`certificate ${server.subject} SHA-256 ${server.fingerprint}`);
  }
  if (requireClients) {
    const what = [
      tls.verify ? `signed by the --ssl-trustfile CAs (${material.caCerts.length})` : "",
      pins ? `pinned by --ssl-pin (${pins.length})` : "",
    ].filter((w) => w !== "");
    log.info(`client certificates required: ${what.join(" and ")}`);
  }
  return async (conn, name, signal) => {
    const session = await acceptTls(conn, server, { signal, timeoutMs, peerName: name });
    // Who a client is matters once certificates are required: -v says it.
    const say = requireClients ? log.info : log.debug;
    for (const line of formatTlsInfo(session.info)) say(`${name}: ${line}`);
    return session.conn;
  };
}
