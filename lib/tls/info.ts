/**
 * What `-v` says about a TLS session: protocol version, cipher, ALPN
 * protocol, and the peer certificate's subject and SHA-256 fingerprint.
 *
 * @module
 */

import { createHash, X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { escapeText } from "../io/escape.ts";

/** Facts about an established TLS session. */
export interface TlsInfo {
  /** `TLSv1.3`, `TLSv1.2`, or `null` if unknown. */
  protocol: string | null;
  /** Cipher suite name, e.g. `TLS_AES_256_GCM_SHA384`. */
  cipher: string | null;
  /** The ALPN protocol agreed, or `null` when none was. */
  alpn: string | null;
  /** Peer certificate subject as `CN=..., O=...`; `null` when the peer sent none. */
  peerSubject: string | null;
  /** SHA-256 of the peer certificate, colon-separated upper-case hex. */
  peerFingerprint: string | null;
  /** The peer certificate passed socktool's own check and the library's (chain and name). */
  verified: boolean;
  /** Why verification failed, in words, when `--ssl-insecure` let it pass. */
  verifyError?: string;
  /** The certificate's SHA-256 is one of the `--ssl-pin` hashes. */
  pinned?: boolean;
  /** The pin alone vouched for it: its chain was not checked. */
  pinOnly?: boolean;
}

/**
 * Reads the session facts from a connected `TLSSocket`.
 *
 * @example
 * ```ts
 * const info = tlsInfoOf(socket, socket.authorized);
 * ```
 */
export function tlsInfoOf(socket: TLSSocket, verified: boolean, verifyError?: string): TlsInfo {
  const peer = socket.getPeerCertificate();
  const raw = peer && "raw" in peer ? peer.raw as Uint8Array | undefined : undefined;
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.name ?? null,
    alpn: typeof socket.alpnProtocol === "string" ? socket.alpnProtocol : null,
    peerSubject: raw ? subjectOf(new X509Certificate(raw)) : null,
    peerFingerprint: raw ? fingerprintOf(raw) : null,
    verified,
    verifyError,
  };
}

/**
 * The `-v` lines for a session, without the `socktool: ` prefix. What the
 * peer chose or sent (ALPN protocol, certificate subject, the reason its
 * certificate failed) is escaped: it cannot drive the terminal.
 *
 * @example
 * ```ts
 * formatTlsInfo(info);
 * // ["TLS TLSv1.3 (TLS_AES_256_GCM_SHA384), ALPN h2",
 * //  "peer certificate CN=localhost, SHA-256 22:02:...:B0, verified"]
 * ```
 */
export function formatTlsInfo(info: TlsInfo): string[] {
  const cipher = info.cipher ? ` (${escapeText(info.cipher)})` : "";
  const alpn = info.alpn === null ? "none" : escapeText(info.alpn);
  const lines = [`TLS ${escapeText(info.protocol ?? "version unknown")}${cipher}, ALPN ${alpn}`];
  if (info.peerSubject === null) {
    lines.push("peer certificate: none");
  } else {
    const trust = info.verified
      ? info.pinOnly ? "pinned (chain not checked)" : info.pinned ? "verified, pinned" : "verified"
      : `NOT verified${info.verifyError ? ` (${escapeText(info.verifyError)})` : ""}`;
    lines.push(
      `peer certificate ${escapeText(info.peerSubject)}, SHA-256 ${info.peerFingerprint}, ${trust}`,
    );
  }
  return lines;
}

/**
 * SHA-256 fingerprint of a certificate (DER bytes or PEM text), in the
 * colon-separated upper-case hex that `openssl x509 -fingerprint -sha256`
 * prints.
 *
 * @example
 * ```ts
 * fingerprintOf(pem); // "22:02:11:...:B0"
 * ```
 */
export function fingerprintOf(cert: Uint8Array | string): string {
  const der = typeof cert === "string" ? new X509Certificate(cert).raw : cert;
  const hex = createHash("sha256").update(der).digest("hex").toUpperCase();
  return hex.match(/../g)!.join(":");
}

/** `CN=localhost\nO=Example` → `CN=localhost, O=Example`. */
export function subjectOf(cert: X509Certificate): string {
  return cert.subject.split("\n").filter((s) => s !== "").join(", ");
}
