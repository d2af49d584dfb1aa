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
import { subjectOf } from "./info.ts";

const UNKNOWN_ISSUER = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_UNTRUSTED",
]);

/**
 * Says in words why the peer certificate failed verification.
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
    const names = cert?.subjectAltName ?? (cert ? subjectOf(cert) : "");
    return `certificate is not valid for name '${serverName}'${
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
    return `unknown issuer${cert ? ` '${cert.issuer.split("\n").join(", ")}'` : ""}`;
  }
  return code.toLowerCase().replaceAll("_", " ");
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
  const alert = /received fatal alert: (\w+)/i.exec(msg);
  if (alert) return `the peer refused the handshake (alert: ${spaced(alert[1])})`;
  if (/peer is incompatible|NoCipherSuitesInCommon|no shared cipher/i.test(msg)) {
    return "no TLS version or cipher in common with the peer";
  }
  return causeInWords(err);
}

/**
 * Names a failure after the handshake, such as a TLS 1.3 server refusing a
 * client that sent no certificate (the refusal arrives on the first read).
 * Errors without a TLS alert are returned unchanged, so their `code` still
 * names them.
 *
 * @example
 * ```ts
 * sessionError(new Error("received fatal alert: CertificateRequired")).message;
 * // "the peer ended the TLS session: certificate required (give one with --ssl-cert and --ssl-key)"
 * ```
 */
export function sessionError(err: Error): Error {
  const alert = /received fatal alert: (\w+)/i.exec(err.message);
  if (!alert) return err;
  const words = spaced(alert[1]);
  const hint = words === "certificate required" ? " (give one with --ssl-cert and --ssl-key)" : "";
  return new Error(`the peer ended the TLS session: ${words}${hint}`, { cause: err });
}

/** `CertificateRequired` → `certificate required`. */
function spaced(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

function utc(d: Date): string {
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}
