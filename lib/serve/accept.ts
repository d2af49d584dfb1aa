/**
 * The accept loop of every stream listener: refuses clients that `--allow` /
 * `--deny` or `-m` turn away (closed before a byte is read), and hands each
 * other client to a handler. Without `-k` it serves the first client let in
 * and stops listening; with `-k` it serves clients concurrently, on one event
 * loop, until stopped. A client's failure is that client's: it is told on
 * `-v` and never ends the listener.
 *
 * @module
 */

import { formatAddr } from "../net/address.ts";
import type { AccessPolicy } from "./access.ts";
import { causeInWords } from "../errors.ts";
import type { Logger } from "../io/log.ts";

/** Serves one client; the loop closes `conn` once the returned promise settles. */
export type ClientHandler = (conn: Deno.Conn, name: string, signal: AbortSignal) => Promise<void>;

/** Options for {@linkcode acceptClients}. */
export interface AcceptOptions {
  /** `-k`: keep accepting, serve clients concurrently. */
  keepOpen: boolean;
  /** `-m`: at most this many clients at once; later ones are refused. */
  maxConns?: number;
  /** `--allow` / `--deny`. */
  access?: AccessPolicy;
  /** Where `-v` messages go. */
  log: Logger;
  /** Stops accepting and ends every client (SIGINT, SIGTERM, stdout gone). */
  signal: AbortSignal;
  /**
   * Turns an admitted connection into the one served, e.g. a TLS handshake
   * (`acceptTls`). Runs per client after the access checks, so a refused
   * client never gets that far and a slow handshake holds up nobody else.
   */
  prepare?: (conn: Deno.Conn, name: string, signal: AbortSignal) => Promise<Deno.Conn>;
}

/**
 * Accepts clients until the listener is done: after the first client's
 * session without `-k`, when `signal` aborts with `-k`. Closes the listener.
 * Without `-k` the handler's error is the caller's; with `-k` it is logged.
 *
 * @example
 * ```ts
 * await acceptClients(listener, (conn, name) => serveEcho(conn), { keepOpen: true, log, signal });
 * ```
 */
export async function acceptClients(
  listener: Deno.Listener,
  handle: ClientHandler,
  o: AcceptOptions,
): Promise<void> {
  const active = new Map<Deno.Conn, Promise<void>>();
  let accepted = 0;
  const onAbort = () => closeQuietly(listener);
  o.signal.addEventListener("abort", onAbort, { once: true });
  try {
    while (!o.signal.aborted) {
      const conn = await acceptNext(listener, o);
      if (conn === null) break;
      const name = clientName(conn.remoteAddr, ++accepted);
      if (!admit(conn, name, active.size, o)) continue;
      o.log.info(`connection from ${name}`);
      const serve = async () => {
        let served = conn;
        try {
          if (o.prepare) served = await o.prepare(conn, name, o.signal);
          await handle(served, name, o.signal);
        } finally {
          closeQuietly(served);
          closeQuietly(conn);
        }
      };
      if (!o.keepOpen) {
        closeQuietly(listener);
        return await serve();
      }
      const served = serve()
        .catch((err) => o.log.info(`${name}: ${causeInWords(err)}`))
        .finally(() => active.delete(conn));
      active.set(conn, served);
    }
  } finally {
    o.signal.removeEventListener("abort", onAbort);
    closeQuietly(listener);
    // Handlers watch the signal; closing their connections unblocks any
    // read or write still pending so every one of them settles.
    for (const conn of active.keys()) closeQuietly(conn);
    await Promise.allSettled(active.values());
  }
}

/**
 * How messages name a client: its address, or for a Unix socket client that
 * has none (the usual case) its number on this listener, `(client 3)`, so
 * `-v` lines of concurrent clients can be told apart.
 *
 * @example
 * ```ts
 * clientName({ transport: "unix", path: "" }, 3); // "(client 3)"
 * ```
 */
export function clientName(addr: Deno.Addr, n: number): string {
  const unnamed = (addr.transport === "unix" || addr.transport === "unixpacket") &&
    !(addr as Deno.UnixAddr).path;
  return unnamed ? `(client ${n})` : formatAddr(addr);
}

/** Next client, or `null` once the listener is closed. Transient accept errors are retried. */
async function acceptNext(listener: Deno.Listener, o: AcceptOptions): Promise<Deno.Conn | null> {
  for (;;) {
    try {
      return await listener.accept();
    } catch (err) {
      if (o.signal.aborted || isClosed(err)) return null;
      if (isClientGone(err)) {
        // A client that reset or vanished before accept is its own business:
        // the next one is taken at once, never slowed down.
        o.log.debug(`accept on ${formatAddr(listener.addr)}: ${causeInWords(err)}`);
        continue;
      }
      // A full file table (EMFILE, ENFILE) or another resource shortage: it
      // does not end the listener; a short pause lets sessions give fds back.
      o.log.info(`accept on ${formatAddr(listener.addr)}: ${causeInWords(err)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The accept failed because of that one client (it reset or went away first). */
function isClientGone(err: unknown): boolean {
  const e = err as { name?: string; code?: string };
  // Deno takes the peer's address right after accept(2): for a client that
  // already reset, that fails with ENOTCONN.
  return ["ConnectionAborted", "ConnectionReset", "NotConnected"].includes(e?.name ?? "") ||
    ["ECONNABORTED", "ECONNRESET", "ENOTCONN", "EPROTO"].includes(e?.code ?? "");
}

function isClosed(err: unknown): boolean {
  const name = (err as Error)?.name;
  return name === "BadResource" || name === "Interrupted";
}

/** Applies `--allow`/`--deny` and `-m`; a refused client is closed unread. */
function admit(conn: Deno.Conn, name: string, activeCount: number, o: AcceptOptions): boolean {
  const addr = conn.remoteAddr;
  const host = addr.transport === "tcp" || addr.transport === "udp"
    ? (addr as Deno.NetAddr).hostname
    : undefined;
  if (host !== undefined && o.access && !o.access.allows(host)) {
    o.log.info(`refused connection from ${name}: not allowed by --allow/--deny`);
    closeQuietly(conn);
    return false;
  }
  if (o.keepOpen && o.maxConns !== undefined && activeCount >= o.maxConns) {
    o.log.info(`refused connection from ${name}: too many connections (-m ${o.maxConns})`);
    refuseWithMessage(conn, `socktool: too many connections (at most ${o.maxConns}), try later\n`);
    return false;
  }
  return true;
}

/** Tells a refused client why, then closes it, without holding up the loop. */
function refuseWithMessage(conn: Deno.Conn, message: string): void {
  const bytes = new TextEncoder().encode(message);
  // A fresh socket's send buffer takes a short message at once; the timer
  // only guards against a peer that is already gone.
  const timer = setTimeout(() => closeQuietly(conn), 1000);
  conn.write(bytes)
    .then(() => conn.closeWrite())
    .catch(() => {})
    .finally(() => {
      clearTimeout(timer);
      closeQuietly(conn);
    });
}

/**
 * Closes a connection or listener, ignoring "already closed".
 *
 * @example
 * ```ts
 * closeQuietly(conn);
 * ```
 */
export function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch { /* already closed */ }
}
