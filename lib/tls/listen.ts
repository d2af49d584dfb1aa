/**
 * The TLS server side: a configuration made once per listener (the
 * certificate from `--ssl-cert`/`--ssl-key`, or a fresh self-signed one),
 * then a handshake over each accepted connection. Working on accepted
 * connections rather than a TLS listener keeps `--allow`/`--deny`, `-k`,
 * `--broker`, `--forward`, `--exec` and `--serve` the same for TCP and TLS.
 *
 * A listener may require client certificates (`--ssl-verify` with
 * `--ssl-trustfile`, or `--ssl-pin`): socktool checks them itself, after the
 * handshake and before the session reads a byte, because the runtime's
 * server side accepts any certificate a client presents.
 *
 * @module
 */

import { X509Certificate } from "node:crypto";
import { createSecureContext, type SecureContext, TLSSocket } from "node:tls";
import { formatAddr } from "../net/address.ts";
import { generateSelfSigned } from "./self_signed.ts";
import { connToDuplex, ReadGate } from "../net/conn_duplex.ts";
import { sessionErrorFor } from "./failure.ts";
import { handshake, peerChain, type TlsSession, tlsSession } from "./connect.ts";
import { checkClientChain, TrustAnchors } from "./verify.ts";
import { pinFailure } from "./pin.ts";
import { ExitCode, SocktoolError } from "../errors.ts";
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
  /** Require client certificates, and check them so. */
  clientAuth?: ClientAuthOptions;
}

/**
 * What a client certificate must be: signed by one of `caCerts` (checked by
 * socktool, `verify.ts`, for TLS client use), and/or one of `pins`. At
 * least one of the two is given; with both, both must hold.
 */
export interface ClientAuthOptions {
  /** The CAs (PEM) client certificates must come from (`--ssl-trustfile`); only these. */
  caCerts?: readonly string[];
  /** SHA-256 hashes (hex) of the client certificates accepted (`--ssl-pin`). */
  pins?: readonly string[];
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
  /** Client certificates required, and what they must be. */
  clientAuth?: { anchors?: TrustAnchors; pins?: readonly string[] };
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
    // The CAs are named in the certificate request, so a client can pick its certificate.
    context: createSecureContext({
      cert,
      key,
      ca: opts.clientAuth?.caCerts?.length ? [...opts.clientAuth.caCerts] : undefined,
    }),
    alpnProtocols: opts.alpnProtocols?.length ? [...opts.alpnProtocols] : undefined,
    clientAuth: opts.clientAuth && {
      // Only the given CAs: the system's would vouch for anyone a public CA knows.
      anchors: opts.clientAuth.caCerts?.length
        ? TrustAnchors.fromPem(opts.clientAuth.caCerts)
        : undefined,
      pins: opts.clientAuth.pins?.length ? opts.clientAuth.pins : undefined,
    },
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
 * reports it and goes on accepting. With `clientAuth`, a client certificate
 * is asked for and checked before anything the client sent is read: a
 * client without one, or with one that fails, is closed and the error names
 * why.
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
    requestCert: server.clientAuth !== undefined,
    // Checked below by socktool: the runtime lets any certificate through.
    rejectUnauthorized: false,
  });
  const peer = opts.peerName ?? formatAddr(conn.remoteAddr);
  await handshake(socket, "secure", peer, opts);
  const plain = new SocketConn(
    socket,
    conn.localAddr,
    conn.remoteAddr,
    sessionErrorFor(peer, false),
    gate,
  );
  if (server.clientAuth === undefined) {
    // Clients send no certificate unless asked: nothing to verify.
    return tlsSession(plain, tlsInfoOf(socket, false));
  }
  let verdict: { failure?: string; pinOnly: boolean };
  try {
    verdict = await checkClient(socket, server.clientAuth);
  } catch (err) {
    plain.close();
    throw err;
  }
  if (verdict.failure !== undefined) {
    plain.close();
    throw new SocktoolError(
      `TLS handshake with ${peer}: client certificate refused: ${verdict.failure}`,
      ExitCode.Network,
    );
  }
  const info = tlsInfoOf(socket, true);
  const pinned = server.clientAuth.pins !== undefined;
  return tlsSession(plain, { ...info, pinned, pinOnly: verdict.pinOnly });
}

/** Checks a client's certificate: its pin, then its chain; why it fails, in words. */
async function checkClient(
  socket: TLSSocket,
  auth: NonNullable<TlsServer["clientAuth"]>,
): Promise<{ failure?: string; pinOnly: boolean }> {
  const pinOnly = auth.anchors === undefined;
  const [leaf, ...presented] = peerChain(socket);
  if (leaf === undefined) return { failure: "the client sent no certificate", pinOnly };
  if (auth.pins) {
    const failure = pinFailure(fingerprintOf(leaf), auth.pins);
    if (failure !== undefined) return { failure, pinOnly };
  }
  if (auth.anchors) {
    const failure = await checkClientChain({ leaf, presented, anchors: auth.anchors });
    if (failure !== undefined) return { failure, pinOnly };
  }
  return { pinOnly };
}
