/**
 * The TLS server side: a configuration made once per listener (the
 * certificate from `--ssl-cert`/`--ssl-key`, or a fresh self-signed one),
 * then a handshake over each accepted connection. Working on accepted
 * connections rather than a TLS listener keeps `--allow`/`--deny`, `-k`,
 * `--broker`, `--forward`, `--exec` and `--serve` the same for TCP and TLS.
 *
 * @module
 */

import { X509Certificate } from "node:crypto";
import { createSecureContext, type SecureContext, TLSSocket } from "node:tls";
import { formatAddr } from "../net/address.ts";
import { generateSelfSigned } from "./self_signed.ts";
import { connToDuplex, ReadGate } from "../net/conn_duplex.ts";
import { sessionErrorFor } from "./failure.ts";
import { handshake, type TlsSession, tlsSession } from "./connect.ts";
import { fingerprintOf, subjectOf, tlsInfoOf } from "./info.ts";
import { SocketConn } from "../net/socket_conn.ts";

/** Options for {@linkcode createTlsServer}. */
export interface TlsServerOptions {
  /** Certificate chain (PEM, leaf first); with none, a self-signed one is made. */
  cert?: string;
  /** Private key (PEM) for `cert`. */
  key?: string;
  /** ALPN protocols the server accepts, in order of preference. */
  alpnProtocols?: readonly string[];
}

/** A listener's TLS configuration, shared by all its clients. */
export interface TlsServer {
  /** The certificate's SHA-256 fingerprint (colon hex): print it for self-signed ones. */
  fingerprint: string;
  /** The certificate's subject, `CN=...`. */
  subject: string;
  /** The certificate was generated, not read from `--ssl-cert`. */
  generated: boolean;
  /** The certificate chain served (PEM). */
  cert: string;
  /** The compiled key and certificate. */
  context: SecureContext;
  /** ALPN protocols accepted. */
  alpnProtocols?: string[];
}

/**
 * Builds the listener's TLS configuration. Give it material checked by
 * `loadTlsFiles`; with no `cert`, a self-signed certificate is generated.
 *
 * @example
 * ```ts
 * import { createTlsServer } from "@socktool/socktool";
 *
 * const server = await createTlsServer(); // no certificate given: a self-signed one
 * if (server.generated) console.error(`self-signed certificate, SHA-256 ${server.fingerprint}`);
 * ```
 */
export async function createTlsServer(opts: TlsServerOptions = {}): Promise<TlsServer> {
  const generated = opts.cert === undefined;
  const { cert, key } = generated
    ? await generateSelfSigned()
    : { cert: opts.cert!, key: opts.key };
  return {
    fingerprint: fingerprintOf(cert),
    subject: subjectOf(new X509Certificate(cert)),
    generated,
    cert,
    context: createSecureContext({ cert, key }),
    alpnProtocols: opts.alpnProtocols?.length ? [...opts.alpnProtocols] : undefined,
  };
}

/** Options for {@linkcode acceptTls}. */
export interface AcceptTlsOptions {
  /** Aborts the handshake. */
  signal?: AbortSignal;
  /** Fails the handshake with "timed out" after this many milliseconds. */
  timeoutMs?: number;
  /** The client's name in messages; default `conn.remoteAddr`. */
  peerName?: string;
}

/**
 * Runs the server handshake over an accepted connection. On failure `conn`
 * is closed and a `SocktoolError` (exit 1) says why; a listener with `-k`
 * reports it and goes on accepting.
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
export async function acceptTls(
  conn: Deno.Conn,
  server: TlsServer,
  opts: AcceptTlsOptions = {},
): Promise<TlsSession> {
  const gate = new ReadGate();
  const socket = new TLSSocket(connToDuplex(conn, gate), {
    isServer: true,
    secureContext: server.context,
    ALPNProtocols: server.alpnProtocols,
    requestCert: false,
  });
  const peer = opts.peerName ?? formatAddr(conn.remoteAddr);
  await handshake(socket, "secure", peer, opts);
  return tlsSession(
    new SocketConn(socket, conn.localAddr, conn.remoteAddr, sessionErrorFor(peer, false), gate),
    // Clients send no certificate unless asked: nothing to verify.
    tlsInfoOf(socket, false),
  );
}
