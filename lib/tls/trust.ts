/**
 * The CA certificates a TLS client trusts by default: the system's store
 * (`/etc/ssl/certs/ca-certificates.crt` on Debian; `SSL_CERT_FILE` and
 * `SSL_CERT_DIR` override it), or Mozilla's list built into Deno when the
 * system has none.
 *
 * Deno's own `Deno.connectTls` trusts Mozilla's list unless
 * `DENO_TLS_CA_STORE=system` is set; `node:tls` with an explicit `ca` trusts
 * only that list. Reading the system store here and passing it explicitly
 * makes "the system's roots" true without depending on the environment.
 * Both lists need the `sys` permission (`--allow-sys`).
 *
 * socktool checks the server's chain itself too (`verify.ts`), against the
 * very same set: {@linkcode trustAnchors} indexes what {@linkcode trustedCerts}
 * hands to `node:tls`.
 *
 * @module
 */

import { getCACertificates, rootCertificates } from "node:tls";
import { TrustAnchors } from "./verify.ts";

/** A set of trusted CA certificates and where it came from. */
export interface TrustStore {
  /** PEM certificates. */
  certs: readonly string[];
  /** `system`, or `bundled` (Mozilla's list in Deno) when the system has none. */
  source: "system" | "bundled";
}

let cached: TrustStore | undefined;

/**
 * The system's trusted CA certificates, read once per process.
 *
 * @example
 * ```ts
 * const { certs, source } = systemTrustStore(); // source: "system"
 * ```
 */
export function systemTrustStore(): TrustStore {
  if (cached) return cached;
  let certs: string[] = [];
  try {
    certs = getCACertificates("system");
  } catch (err) {
    // Reading either list needs `--allow-sys`: say so rather than trust less.
    if (err instanceof Deno.errors.NotCapable) throw err;
    // An unreadable SSL_CERT_FILE or no store at all: use the bundled list.
  }
  cached = certs.length > 0
    ? { certs, source: "system" }
    : { certs: [...rootCertificates], source: "bundled" };
  return cached;
}

/**
 * The CA list for a client: the system's plus `extra` (`--ssl-trustfile`).
 *
 * @example
 * ```ts
 * tls.connect({ ca: trustedCerts(material.caCerts), ... });
 * ```
 */
export function trustedCerts(extra: readonly string[] = []): string[] {
  return [...systemTrustStore().certs, ...extra];
}

let systemAnchors: TrustAnchors | undefined;

/**
 * The trust set of {@linkcode trustedCerts} (the system's plus `extra`),
 * indexed for socktool's own chain check. The system's part is indexed once
 * per process.
 *
 * @example
 * ```ts
 * const why = await checkServerChain({ leaf, presented, anchors: trustAnchors(material.caCerts), serverName });
 * ```
 */
export function trustAnchors(extra: readonly string[] = []): TrustAnchors {
  systemAnchors ??= TrustAnchors.fromPem(systemTrustStore().certs);
  return extra.length === 0 ? systemAnchors : TrustAnchors.fromPem(extra, systemAnchors);
}
