/**
 * The TLS client: runs a handshake over a connection we already hold (plain
 * TCP, or one through a proxy) and returns a `Deno.Conn` carrying the
 * plaintext, plus the session facts for `-v`.
 *
 * Verification is on unless `insecure`: the chain must lead to a CA of the
 * system's store or of `caCerts`, and the certificate must be valid for
 * `serverName` (a DNS name, or an IP address checked against IP SANs); or,
 * with `pins`, the certificate's SHA-256 must be one of them (and the chain
 * good as well with `verifyChain`).
 * socktool checks the chain itself (`verify.ts`: signatures, dates, CA
 * constraints, name), because the runtime's check alone passes forgeries;
 * nothing is sent before both checks pass.
 *
 * @module
 */

import { isIP } from "node:net";
import { connect, type ConnectionOptions, type TLSSocket } from "node:tls";
import { formatAddr } from "../net/address.ts";
import { ExitCode, SocktoolError } from "../errors.ts";
import { connToDuplex, ReadGate } from "../net/conn_duplex.ts";
import {
  alertOf,
  clientCertRefused,
  clientCertRequired,
  handshakeError,
  isClientCertAlert,
  sessionErrorFor,
  verifyError,
  verifyFailureWords,
} from "./failure.ts";
import { HandshakeWatch, watchedConn } from "./handshake_watch.ts";
import { fingerprintOf, type TlsInfo, tlsInfoOf } from "./info.ts";
import { pinFailure } from "./pin.ts";
import { SocketConn } from "../net/socket_conn.ts";
import { trustAnchors, trustedCerts } from "./trust.ts";
import { checkServerChain } from "./verify.ts";

/** The warning to print on every use of `--ssl-insecure`. */
export const INSECURE_WARNING =
  "warning: --ssl-insecure: the peer certificate is NOT verified; anyone in the path can read and change this session";

/** Options for {@linkcode connectTls}. */
export interface TlsConnectOptions {
  /** The name sent as SNI (unless it is an IP address) and verified. */
  serverName: string;
  /** Extra trusted CA certificates (PEM), added to the system's. */
  caCerts?: readonly string[];
  /** Client certificate chain (PEM), with `key`. */
  cert?: string;
  /** Client private key (PEM). */
  key?: string;
  /** ALPN protocols to offer, in order of preference. */
  alpnProtocols?: readonly string[];
  /** Accept any certificate (`--ssl-insecure`). */
  insecure?: boolean;
  /**
   * `--ssl-pin`: SHA-256 hashes (hex) of the server certificates accepted.
   * A pinned certificate is accepted whatever its chain and names (the pin
   * names the very certificate), unless `verifyChain` asks for both.
   */
  pins?: readonly string[];
  /** With `pins`: check the chain and the name as well (`--ssl-verify`, OpenBSD nc's way). */
  verifyChain?: boolean;
  /** Aborts the handshake. */
  signal?: AbortSignal;
  /** Fails the handshake with "timed out" after this many milliseconds. */
  timeoutMs?: number;
  /** The peer's name in messages; default `conn.remoteAddr`. */
  peerName?: string;
}

/**
 * An established TLS session. It owns the connection it ran over: closing
 * `conn` (or disposing the session) closes both.
 */
export interface TlsSession extends Disposable {
  /** The plaintext side: read/write/closeWrite/close as on any connection. */
  conn: Deno.Conn;
  /** Facts for `-v`. */
  info: TlsInfo;
}

/**
 * The session for `conn`, disposable.
 *
 * @example
 * ```ts
 * using session = tlsSession(plain, info);
 * ```
 */
export function tlsSession(conn: Deno.Conn, info: TlsInfo): TlsSession {
  return { conn, info, [Symbol.dispose]: () => conn.close() };
}

/**
 * Runs a TLS client handshake over `conn`. On failure `conn` is closed and a
 * {@linkcode SocktoolError} (exit 1) says why.
 *
 * @example
 * ```ts
 * import { acceptTls, connectTcp, connectTls, connStreams, createTlsServer } from "@socktool/socktool";
 *
 * const server = await createTlsServer(); // a fresh self-signed certificate for localhost
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const serving = (async () => {
 *   using session = await acceptTls(await listener.accept(), server);
 *   await session.conn.write(new TextEncoder().encode("hello over TLS"));
 *   await session.conn.closeWrite();
 *   await session.conn.read(new Uint8Array(1)); // until the client is done
 * })();
 * const tcp = await connectTcp("127.0.0.1", listener.addr.port);
 * // Verified against the server's certificate, as a CA the client trusts.
 * using session = await connectTls(tcp, { serverName: "localhost", caCerts: [server.cert] });
 * const { readable, writable } = connStreams(session.conn);
 * console.log(session.info.protocol, await new Response(readable).text()); // TLSv1.3 hello over TLS
 * await writable.close();
 * await serving;
 * ```
 */
export async function connectTls(conn: Deno.Conn, opts: TlsConnectOptions): Promise<TlsSession> {
  const peer = opts.peerName ?? formatAddr(conn.remoteAddr);
  const gate = new ReadGate();
  const watch = new HandshakeWatch();
  const options: ConnectionOptions & { allowHalfOpen: boolean } = {
    socket: connToDuplex(watchedConn(conn, watch), gate),
    // `host` is what the certificate is checked against; SNI must not be an IP.
    host: opts.serverName,
    servername: isIP(opts.serverName) ? undefined : opts.serverName,
    ca: trustedCerts(opts.caCerts),
    cert: opts.cert,
    key: opts.key,
    ALPNProtocols: opts.alpnProtocols?.length ? [...opts.alpnProtocols] : undefined,
    // Checked below instead, where the certificate is at hand to name the reason.
    rejectUnauthorized: false,
    // The peer's end of data must not end our sending: half-close works both ways.
    allowHalfOpen: true,
  };
  const socket = connect(options);
  try {
    await handshake(socket, "secureConnect", peer, opts);
  } catch (err) {
    // TLS 1.2: the server asked for a certificate in the clear, then refused with an alert.
    const alert = err instanceof SocktoolError ? alertOf(err.cause) : undefined;
    if (watch.certificateRequested && alert !== undefined) {
      const cause = (err as SocktoolError).cause;
      if (opts.cert === undefined) throw clientCertRequired(peer, "handshake", cause);
      if (isClientCertAlert(alert)) throw clientCertRefused(peer, "handshake", alert, cause);
    }
    throw err;
  }
  // Listening for errors from here on: nothing the peer sends while we check is left unheard.
  const plain = new SocketConn(
    socket,
    conn.localAddr,
    conn.remoteAddr,
    sessionErrorFor(peer, opts.cert !== undefined),
    gate,
  );
  let verdict: Verdict;
  try {
    verdict = await verifyPeer(socket, opts);
  } catch (err) {
    plain.close();
    throw err;
  }
  if (verdict.failure !== undefined && !opts.insecure) {
    plain.close();
    throw verifyError(peer, verdict.failure);
  }
  const info = tlsInfoOf(socket, verdict.failure === undefined, verdict.failure);
  return tlsSession(plain, { ...info, pinned: verdict.pinned, pinOnly: verdict.pinOnly });
}

/** What checking the server's certificate found. */
interface Verdict {
  /** Why it fails, in words; `undefined` when it passes. */
  failure?: string;
  /** It matched a `--ssl-pin`. */
  pinned?: boolean;
  /** The pin alone was checked. */
  pinOnly?: boolean;
}

/**
 * Checks the server's certificate: its `--ssl-pin` first, if any (alone
 * unless `verifyChain`); then socktool's own check of the chain
 * (`verify.ts`) against the same trust set `node:tls` was given, then the
 * library's verdict as a second gate.
 */
async function verifyPeer(socket: TLSSocket, opts: TlsConnectOptions): Promise<Verdict> {
  const chain = peerChain(socket);
  if (chain.length === 0) return { failure: "the server sent no certificate" };
  const [leaf, ...presented] = chain;
  const pinned = opts.pins !== undefined && opts.pins.length > 0;
  if (pinned) {
    const failure = pinFailure(fingerprintOf(leaf), opts.pins!);
    if (failure !== undefined || !opts.verifyChain) {
      return { failure, pinned: failure === undefined, pinOnly: true };
    }
  }
  const failure = await chainFailure(socket, leaf, presented, opts);
  return { failure, pinned: pinned && failure === undefined };
}

/** The chain and name check of a server certificate: why it fails, or `undefined`. */
async function chainFailure(
  socket: TLSSocket,
  leaf: Uint8Array,
  presented: Uint8Array[],
  opts: TlsConnectOptions,
): Promise<string | undefined> {
  const ours = await checkServerChain({
    leaf,
    presented,
    anchors: trustAnchors(opts.caCerts),
    serverName: opts.serverName,
  });
  if (ours !== undefined) return ours;
  if (!socket.authorized) {
    return verifyFailureWords(String(socket.authorizationError), leaf, opts.serverName);
  }
  return undefined;
}

/**
 * The certificates the peer's chain holds (DER), leaf first, as the library
 * reports them; empty when the peer sent none.
 *
 * @example
 * ```ts
 * const [leaf, ...presented] = peerChain(socket);
 * ```
 */
export function peerChain(socket: TLSSocket): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<unknown>();
  let cert = socket.getPeerCertificate(true) as
    | { raw?: Uint8Array; issuerCertificate?: unknown }
    | undefined;
  // The chain ends where a certificate is its own issuer; bounded against loops.
  while (cert?.raw && !seen.has(cert) && out.length < 16) {
    seen.add(cert);
    out.push(new Uint8Array(cert.raw));
    cert = cert.issuerCertificate as typeof cert;
  }
  return out;
}

/**
 * Waits for the handshake to finish (`event`), fail, time out or be
 * aborted; on anything but success the socket and its connection are closed.
 * Shared with the server side.
 */
export function handshake(
  socket: TLSSocket,
  event: "secureConnect" | "secure",
  peer: string,
  opts: { signal?: AbortSignal; timeoutMs?: number },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => fail(timedOut(peer)), opts.timeoutMs);
    const onAbort = () => fail(opts.signal?.reason ?? new DOMException("aborted", "AbortError"));
    const onError = (err: Error) => fail(handshakeError(peer, err));
    const onClose = () => fail(handshakeError(peer, new Error("unexpected end of file")));
    const cleanup = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      socket.off(event, onDone);
      socket.off("error", onError);
      socket.off("close", onClose);
      socket.off("end", onClose);
    };
    const onDone = () => {
      cleanup();
      resolve();
    };
    const fail = (err: unknown) => {
      cleanup();
      // Later errors (from the destroy) have no one left to hear them.
      socket.on("error", () => {});
      socket.destroy();
      reject(err);
    };
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    socket.once(event, onDone);
    socket.once("error", onError);
    // Which of these comes when the peer hangs up first differs by side.
    socket.once("close", onClose);
    socket.once("end", onClose);
  });
}

function timedOut(peer: string): SocktoolError {
  return new SocktoolError(`TLS handshake with ${peer}: timed out`, ExitCode.Network);
}
