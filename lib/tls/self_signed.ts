/**
 * Makes a fresh self-signed certificate in memory for a `--ssl` listener
 * given no certificate: ECDSA P-256, valid from an hour ago for 30 days,
 * for `localhost`, `127.0.0.1` and `::1` plus any names asked for.
 *
 * @module
 */

import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  PemConverter,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
} from "npm:@peculiar/x509@1.14.3";
import { isIP } from "node:net";
import { fingerprintOf } from "./info.ts";

/** Options for {@linkcode generateSelfSigned}. */
export interface SelfSignedOptions {
  /** Subject common name; default `socktool`. */
  commonName?: string;
  /** More DNS names or IP addresses for the subject alternative names. */
  altNames?: readonly string[];
  /** Days of validity; default 30. */
  days?: number;
}

/** A certificate and its key, as PEM, with the certificate's fingerprint. */
export interface SelfSigned {
  /** The certificate, PEM. */
  cert: string;
  /** Its private key, PEM (PKCS#8). */
  key: string;
  /** SHA-256, colon-separated upper-case hex. */
  fingerprint: string;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const HOUR = 3600_000;

/**
 * Generates a key pair and a self-signed certificate for it.
 *
 * @example
 * ```ts
 * const { cert, key, fingerprint } = await generateSelfSigned();
 * console.error(`socktool: self-signed certificate SHA-256 ${fingerprint}`);
 * ```
 */
export async function generateSelfSigned(opts: SelfSignedOptions = {}): Promise<SelfSigned> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const names = [...new Set(["localhost", "127.0.0.1", "::1", ...(opts.altNames ?? [])])];
  const now = Date.now();
  // A positive serial of 128 random bits (RFC 5280 allows up to 20 bytes).
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] &= 0x7f;
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: Array.from(serial, (b) => b.toString(16).padStart(2, "0")).join(""),
    name: `CN=${opts.commonName ?? "socktool"}`,
    // An hour back, so peers with a slightly slow clock accept it.
    notBefore: new Date(now - HOUR),
    notAfter: new Date(now + (opts.days ?? 30) * 24 * HOUR),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new SubjectAlternativeNameExtension(
        names.map((value) => ({ type: isIP(value) ? "ip" as const : "dns" as const, value })),
      ),
      new BasicConstraintsExtension(false, undefined, true),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth], false),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    cert: cert.toString("pem"),
    key: PemConverter.encode(pkcs8, "PRIVATE KEY"),
    fingerprint: fingerprintOf(new Uint8Array(cert.rawData)),
  };
}
