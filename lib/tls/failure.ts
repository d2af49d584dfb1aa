/**
 * Turns TLS handshake and verification failures into socktool errors that
 * say why in words: expired, self-signed, not valid for the name, unknown
 * issuer, a peer that does not speak TLS.
 *
 * `node:tls` in Deno names some failures poorly (an expired certificate
 * from a known CA comes back as `UNABLE_TO_VERIFY_LEAF_SIGNATURE`), so the
 * certificate's own dates and issuer are checked to name the reason.
 *
 * @module
 */

import { X509Certificate } from "node:crypto";
import { causeInWords, ExitCode, SocktoolError } from "../errors.ts";
import { escapeText } from "../io/escape.ts";
import { subjectOf } from "./info.ts";

const UNKNOWN_ISSUER = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_UNTRUSTED",
]);

/**
 * Says in words why the peer certificate failed verification, by the TLS
 * library's reckoning. Names from the certificate are escaped.
 *
 * @param code `TLSSocket.authorizationError` (an OpenSSL-style code)
 * @param raw the peer certificate (DER), when the peer sent one
 * @param serverName the name it was checked against
 * @example
 * ```ts
 * verifyFailureWords("DEPTH_ZERO_SELF_SIGNED_CERT", raw, "localhost"); // "self-signed certificate"
 * ```
 */
export function verifyFailureWords(
  code: string,
  raw: Uint8Array | undefined,
  serverName: string,
  now: Date = new Date(),
): string {
  const cert = raw ? new X509Certificate(raw) : undefined;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const names = escapeText(cert?.subjectAltName ?? (cert ? subjectOf(cert) : ""));
    return `certificate is not valid for name '${escapeText(serverName)}'${
      names ? ` (only for ${names})` : ""
    }`;
  }
  if (cert && cert.validToDate < now) {
    return `certificate expired on ${utc(cert.validToDate)}`;
  }
  if (cert && cert.validFromDate > now) {
    return `certificate is not valid before ${utc(cert.validFromDate)}`;
  }
  if (code === "CERT_HAS_EXPIRED") return "certificate expired";
  if (code === "CERT_NOT_YET_VALID") return "certificate is not yet valid";
  if (code === "DEPTH_ZERO_SELF_SIGNED_CERT" || (cert && cert.checkIssued(cert))) {
    return "self-signed certificate";
  }
  if (UNKNOWN_ISSUER.has(code)) {
    return `unknown issuer${cert ? ` '${escapeText(cert.issuer.split("\n").join(", "))}'` : ""}`;
  }
  return escapeText(code.toLowerCase().replaceAll("_", " "));
}

/**
 * Wraps a failed certificate check (exit 1).
 *
 * @example
 * ```ts
 * throw verifyError("127.0.0.1:443", "self-signed certificate");
 * // TLS handshake with 127.0.0.1:443: certificate verification failed: self-signed certificate
 * ```
 */
export function verifyError(peer: string, words: string): SocktoolError {
  return new SocktoolError(
    `TLS handshake with ${peer}: certificate verification failed: ${words}`,
    ExitCode.Network,
  );
}

/**
 * Wraps any other handshake failure (exit 1), naming the common ones: a
 * plain TCP peer, a peer that hung up, a TLS alert.
 *
 * @example
 * ```ts
 * throw handshakeError("127.0.0.1:80", err);
 * // TLS handshake with 127.0.0.1:80: the peer does not speak TLS (a plain TCP service?)
 * ```
 */
export function handshakeError(peer: string, err: unknown): SocktoolError {
  if (err instanceof SocktoolError) return err;
  return new SocktoolError(
    `TLS handshake with ${peer}: ${handshakeWords(err)}`,
    ExitCode.Network,
    { cause: err },
  );
}

function handshakeWords(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = String(e?.message ?? err);
  if (
    e?.code === "ERR_SSL_WRONG_VERSION_NUMBER" ||
    /InvalidContentType|wrong version number/i.test(msg)
  ) {
    return "the peer does not speak TLS (a plain TCP service?)";
  }
  if (
    /before secure TLS connection was established|unexpected end of file|UnexpectedEof/i.test(msg)
  ) {
    return "the peer closed the connection during the handshake";
  }
  const alert = alertOf(err);
  if (alert) return `the peer refused the handshake (alert: ${alert})`;
  if (/peer is incompatible|NoCipherSuitesInCommon|no shared cipher/i.test(msg)) {
    return "no TLS version or cipher in common with the peer";
  }
  // The library's own words may quote what the peer sent.
  return escapeText(causeInWords(err));
}

/**
 * The name of the fatal TLS alert the peer sent, from the error's code
 * (`ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED` → `certificate required`), or
 * `undefined` when the error is no received alert.
 *
 * @example
 * ```ts
 * alertOf(err); // "handshake failure"
 * ```
 */
export function alertOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const byCode = typeof e?.code === "string"
    ? /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z0-9_]+)$/.exec(e.code)
    : null;
  if (byCode) return byCode[1].toLowerCase().replaceAll("_", " ");
  // Without a code (another runtime), the message names it.
  const byMessage = /received fatal alert: (\w+)/i.exec(String(e?.message ?? ""));
  return byMessage ? spaced(byMessage[1]) : undefined;
}

/** Alerts a server sends when it does not accept the client certificate it got. */
const CLIENT_CERT_REFUSED = new Set([
  "bad certificate",
  "unsupported certificate",
  "certificate revoked",
  "certificate expired",
  "certificate unknown",
  "unknown ca",
  "access denied",
]);

/**
 * A server that asked for a client certificate and got none refused the
 * session (exit 1). `stage` says whether the handshake was still going (TLS
 * 1.2) or had finished on our side (TLS 1.3: the refusal arrives on the
 * first read or write).
 *
 * @example
 * ```ts
 * throw clientCertRequired("127.0.0.1:8443", "handshake");
 * // TLS handshake with 127.0.0.1:8443: the server requires a client certificate (give one with --ssl-cert and --ssl-key)
 * ```
 */
export function clientCertRequired(
  peer: string,
  stage: "handshake" | "session",
  cause?: unknown,
): SocktoolError {
  return new SocktoolError(
    `TLS ${stage} with ${peer}: the server requires a client certificate (give one with --ssl-cert and --ssl-key)`,
    ExitCode.Network,
    { cause },
  );
}

/**
 * A server refused the client certificate we presented (exit 1), naming its
 * alert.
 *
 * @example
 * ```ts
 * throw clientCertRefused("127.0.0.1:8443", "session", "unknown ca");
 * // TLS session with 127.0.0.1:8443: the server refused our client certificate (alert: unknown ca)
 * ```
 */
export function clientCertRefused(
  peer: string,
  stage: "handshake" | "session",
  alert: string,
  cause?: unknown,
): SocktoolError {
  return new SocktoolError(
    `TLS ${stage} with ${peer}: the server refused our client certificate (alert: ${alert})`,
    ExitCode.Network,
    { cause },
  );
}

/**
 * Whether `alert` is one a server sends about the client certificate it got.
 *
 * @example
 * ```ts
 * isClientCertAlert("unknown ca"); // true
 * ```
 */
export function isClientCertAlert(alert: string): boolean {
  return CLIENT_CERT_REFUSED.has(alert);
}

/**
 * Makes the error mapper for a TLS session's reads and writes: a fatal alert
 * from the peer after the handshake (in TLS 1.3, a server's refusal of a
 * missing or unwanted client certificate comes this way) becomes a
 * `SocktoolError` (exit 1) saying why; any other error is returned
 * unchanged, so its `code` still names it.
 *
 * @param peer the peer's name in messages
 * @param sentClientCert whether we presented a client certificate
 * @example
 * ```ts
 * const describe = sessionErrorFor("127.0.0.1:8443", false);
 * describe(alert).message;
 * // "TLS session with 127.0.0.1:8443: the server requires a client certificate (give one with --ssl-cert and --ssl-key)"
 * ```
 */
export function sessionErrorFor(peer: string, sentClientCert: boolean): (err: Error) => Error {
  return (err) => {
    const alert = alertOf(err);
    if (alert === undefined) return err;
    if (alert === "certificate required" && !sentClientCert) {
      return clientCertRequired(peer, "session", err);
    }
    if (sentClientCert && isClientCertAlert(alert)) {
      return clientCertRefused(peer, "session", alert, err);
    }
    return new SocktoolError(
      `TLS session with ${peer}: the peer ended the TLS session (alert: ${alert})`,
      ExitCode.Network,
      { cause: err },
    );
  };
}

/** `CertificateRequired` → `certificate required`. */
function spaced(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

function utc(d: Date): string {
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}
