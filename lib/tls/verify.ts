/**
 * socktool's own check of a TLS peer's certificate chain, run after the
 * handshake and before any byte is sent: a server's, and on a listener that
 * requires them (`--ssl-verify`), a client's.
 *
 * Why: in Deno 2.9.6, `node:tls` reports `authorized === true` for a server
 * certificate whose issuer *name* is a trusted CA's subject although that
 * CA's key never signed it (an X.509 v1 certificate is enough), and it lets an
 * intermediate without `keyCertSign` sign. The runtime's verdict is kept as a
 * second gate, but it is not trusted alone.
 *
 * What is checked, from the leaf up to a certificate of the trust set:
 * - each signature, with the issuer's public key (WebCrypto, through
 *   `@peculiar/x509`): a name is only a hint of who the issuer might be;
 * - each certificate's validity dates, the trust anchor's included;
 * - each issuer that is not a trust anchor: basicConstraints CA:TRUE; each
 *   issuer: CA:TRUE when basicConstraints is present, `keyCertSign` when
 *   keyUsage is present, its path length limit, and its DNS and IP name
 *   constraints against the leaf's names;
 * - extendedKeyUsage, when present, allows TLS servers (leaf and intermediates),
 *   or TLS clients for a client's chain;
 * - no certificate carries a critical extension this module does not know;
 * - a server's leaf is valid for the name we connect to (`host_name.ts`).
 *
 * Every name from a certificate in a message is passed through `escapeText`.
 *
 * @module
 */

import {
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  type Name,
  SubjectAlternativeNameExtension,
  X509Certificate,
} from "npm:@peculiar/x509@1.14.3";
import { createHash } from "node:crypto";
import { escapeText } from "../io/escape.ts";
import {
  certificateNameKeys,
  type NameKeys,
  parseNameConstraints,
  pemCertificates,
} from "./der.ts";
import { type CertNames, hostMatches, ipBytes } from "./host_name.ts";

/**
 * A set of trusted certificates, indexed by subject name so that only the
 * few that could have issued a certificate are ever parsed.
 */
export class TrustAnchors {
  readonly #bySubject: Map<string, Uint8Array[]>;

  /**
   * Makes a trust set from certificates, on top of `base` if given.
   *
   * @param ders trusted certificates (DER)
   * @param base a set to start from (copied, not changed)
   */
  constructor(ders: Iterable<Uint8Array> = [], base?: TrustAnchors) {
    this.#bySubject = new Map(
      base ? [...base.#bySubject].map(([k, v]) => [k, [...v]] as const) : [],
    );
    for (const der of ders) this.#add(der);
  }

  /**
   * Builds a set from PEM texts, each holding one or more certificates.
   *
   * @example
   * ```ts
   * const anchors = TrustAnchors.fromPem([await Deno.readTextFile("ca.pem")]);
   * ```
   */
  static fromPem(pems: readonly string[], base?: TrustAnchors): TrustAnchors {
    return new TrustAnchors(pems.flatMap(pemCertificates), base);
  }

  /** The trusted certificates whose subject has this key. */
  withSubject(key: string): readonly Uint8Array[] {
    return this.#bySubject.get(key) ?? [];
  }

  /** Whether `der` itself is trusted. */
  has(der: Uint8Array, subjectKey: string): boolean {
    return this.withSubject(subjectKey).some((a) => sameBytes(a, der));
  }

  #add(der: Uint8Array): void {
    let keys: NameKeys;
    try {
      keys = certificateNameKeys(der);
    } catch {
      return; // an unreadable certificate vouches for nothing
    }
    const list = this.#bySubject.get(keys.subject);
    if (list) list.push(der);
    else this.#bySubject.set(keys.subject, [der]);
  }
}

/** What {@linkcode checkServerChain} is given. */
export interface ChainCheck {
  /** The server's certificate (DER). */
  leaf: Uint8Array;
  /** The other certificates the server presented (DER), in any order; none is trusted. */
  presented: readonly Uint8Array[];
  /** The trust set. */
  anchors: TrustAnchors;
  /** The name the certificate must be valid for (a DNS name or an IP address). */
  serverName: string;
  /** The time to check validity at; default now. */
  now?: Date;
}

/** Longest path tried, in certificates above the leaf. */
const MAX_DEPTH = 8;
/** Signatures checked at most per chain: a peer must not make us work without end. */
const MAX_SIGNATURES = 64;

const OID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

/** What a chain is checked for: a TLS server's certificate, or a client's. */
type Purpose = "server" | "client";
const OID_ANY_EKU = "2.5.29.37.0";
const OID_NAME_CONSTRAINTS = "2.5.29.30";
/** Extensions this module checks, or that do not restrict a server certificate's use. */
const KNOWN_EXTENSIONS = new Set([
  "2.5.29.14", // subjectKeyIdentifier
  "2.5.29.15", // keyUsage
  "2.5.29.17", // subjectAltName
  "2.5.29.18", // issuerAltName
  "2.5.29.19", // basicConstraints
  OID_NAME_CONSTRAINTS,
  "2.5.29.31", // cRLDistributionPoints
  "2.5.29.32", // certificatePolicies
  "2.5.29.33", // policyMappings
  "2.5.29.35", // authorityKeyIdentifier
  "2.5.29.36", // policyConstraints
  "2.5.29.37", // extKeyUsage
  "2.5.29.54", // inhibitAnyPolicy
  "1.3.6.1.5.5.7.1.1", // authorityInfoAccess
  "1.3.6.1.4.1.11129.2.4.2", // signed certificate timestamps
]);

/**
 * Checks a server's chain. Resolves with `undefined` when it is good, else
 * with why not, in words, every certificate name already escaped.
 *
 * @example
 * ```ts
 * const why = await checkServerChain({ leaf, presented, anchors, serverName: "localhost" });
 * if (why) throw verifyError(peer, why); // "signature does not match issuer 'CN=Test CA'"
 * ```
 */
export function checkServerChain(check: ChainCheck): Promise<string | undefined> {
  return checkChain(check, "server");
}

/** What {@linkcode checkClientChain} is given: a chain, without a name to match. */
export type ClientChainCheck = Omit<ChainCheck, "serverName">;

/**
 * Checks a TLS client's chain, for a listener that requires client
 * certificates (`-l --ssl --ssl-verify --ssl-trustfile CA`): the same checks
 * as {@linkcode checkServerChain} (signatures up to a trusted certificate,
 * dates, CA constraints, name constraints, critical extensions), with
 * extendedKeyUsage allowing TLS clients instead of servers and no name to
 * match. Resolves with `undefined` when it is good, else with why not.
 *
 * @example
 * ```ts
 * const why = await checkClientChain({ leaf, presented, anchors: TrustAnchors.fromPem([caPem]) });
 * // "unknown issuer 'CN=Someone Else'"
 * ```
 */
export function checkClientChain(check: ClientChainCheck): Promise<string | undefined> {
  return checkChain({ ...check, serverName: "" }, "client");
}

async function checkChain(check: ChainCheck, purpose: Purpose): Promise<string | undefined> {
  const now = check.now ?? new Date();
  let leaf: Cert;
  try {
    leaf = new Cert(check.leaf);
  } catch (err) {
    return `the certificate cannot be read: ${(err as Error).message}`;
  }
  const dates = datesProblem(leaf, now, "certificate");
  if (dates) return dates;
  let names: CertNames;
  try {
    names = namesOf(leaf);
  } catch (err) {
    return `the certificate's names cannot be read: ${(err as Error).message}`;
  }
  const unknown = unknownCriticalExtension(leaf, "certificate");
  if (unknown) return unknown;
  if (!check.anchors.has(leaf.der, leaf.keys.subject)) {
    const pool: Cert[] = [];
    for (const der of check.presented) {
      try {
        pool.push(new Cert(der));
      } catch {
        // An unreadable extra certificate can be the issuer of nothing.
      }
    }
    const search = new PathSearch(check.anchors, pool, now, leaf, names, purpose);
    let failure: Failure | null;
    try {
      failure = await search.from(leaf, 0, new Set([leaf.id]), 0);
    } catch (err) {
      if (!(err instanceof TooMuchWork)) throw err;
      return `the certificate chain is too tangled to check (${err.message})`;
    }
    if (failure) return failure.words;
  }
  const eku = ekuProblem(leaf, "certificate", purpose);
  if (eku) return eku;
  if (purpose === "client") return undefined;
  if (!hostMatches(check.serverName, names)) {
    const listed = sanText(leaf) || leaf.name;
    return `certificate is not valid for name '${escapeText(check.serverName)}'${
      listed ? ` (only for ${listed})` : ""
    }`;
  }
  return undefined;
}

/** A parsed certificate with what the search needs at hand. */
class Cert {
  readonly der: Uint8Array;
  readonly x: X509Certificate;
  readonly keys: NameKeys;
  /** Subject for messages, escaped. */
  readonly name: string;
  /** Issuer for messages, escaped. */
  readonly issuerName: string;
  /** SHA-256 of the DER, hex: identity. */
  readonly id: string;

  constructor(der: Uint8Array) {
    this.der = der;
    this.keys = certificateNameKeys(der);
    this.x = new X509Certificate(der as Uint8Array<ArrayBuffer>);
    this.name = displayName(this.x.subjectName);
    this.issuerName = displayName(this.x.issuerName);
    this.id = createHash("sha256").update(der).digest("hex");
  }

  get selfIssued(): boolean {
    return this.keys.issuer === this.keys.subject;
  }
}

/** The search gave up: the peer presented too many candidates. */
class TooMuchWork extends Error {}

/** Why a path failed, and how far up it got (the farthest failure is the most telling). */
interface Failure {
  depth: number;
  words: string;
}

class PathSearch {
  #signatures = 0;

  constructor(
    readonly anchors: TrustAnchors,
    readonly pool: readonly Cert[],
    readonly now: Date,
    readonly leaf: Cert,
    readonly leafNames: CertNames,
    readonly purpose: Purpose,
  ) {}

  /**
   * Finds a trusted issuer for `child`, depth-first. `below` counts the
   * non-self-issued intermediates from `child` down to the leaf (exclusive),
   * for path length limits. Resolves with `null` once a path is found.
   */
  async from(
    child: Cert,
    depth: number,
    path: Set<string>,
    below: number,
  ): Promise<Failure | null> {
    const candidates = this.#candidates(child, path);
    if (candidates.length === 0) {
      const words = !child.selfIssued
        ? `unknown issuer '${child.issuerName}'`
        : depth === 0
        ? "self-signed certificate"
        : `self-signed certificate '${child.name}' in the chain is not trusted`;
      return { depth, words };
    }
    let best: Failure | null = null;
    const keep = (f: Failure) => {
      if (!best || f.depth > best.depth) best = f;
    };
    for (const { cert, anchor } of candidates) {
      const signature = await this.#signatureProblem(child, cert, depth);
      if (signature) {
        keep({ depth, words: signature });
        continue;
      }
      const issuer = this.#issuerProblem(cert, anchor, below);
      if (issuer) {
        keep({ depth: depth + 1, words: issuer });
        continue;
      }
      if (anchor) return null;
      if (depth + 1 >= MAX_DEPTH) {
        keep({ depth: depth + 1, words: `the chain is longer than ${MAX_DEPTH} certificates` });
        continue;
      }
      const above = await this.from(
        cert,
        depth + 1,
        new Set([...path, cert.id]),
        below + (cert.selfIssued ? 0 : 1),
      );
      if (!above) return null;
      keep(above);
    }
    return best;
  }

  /** Trusted certificates named as `child`'s issuer first, then presented ones. */
  #candidates(child: Cert, path: Set<string>): { cert: Cert; anchor: boolean }[] {
    const out: { cert: Cert; anchor: boolean }[] = [];
    const seen = new Set(path);
    for (const der of this.anchors.withSubject(child.keys.issuer)) {
      let cert: Cert;
      try {
        cert = new Cert(der);
      } catch {
        continue;
      }
      if (seen.has(cert.id)) continue;
      seen.add(cert.id);
      out.push({ cert, anchor: true });
    }
    for (const cert of this.pool) {
      if (cert.keys.subject !== child.keys.issuer || seen.has(cert.id)) continue;
      seen.add(cert.id);
      out.push({ cert, anchor: false });
    }
    return out;
  }

  async #signatureProblem(child: Cert, issuer: Cert, depth: number): Promise<string | undefined> {
    if (++this.#signatures > MAX_SIGNATURES) {
      throw new TooMuchWork(`more than ${MAX_SIGNATURES} signatures to check`);
    }
    const who = depth === 0 ? "" : `chain certificate '${child.name}': `;
    let ok: boolean;
    try {
      ok = await child.x.verify({ publicKey: issuer.x.publicKey, signatureOnly: true });
    } catch {
      return `${who}cannot check a signature of algorithm ${algorithmName(child)}`;
    }
    return ok ? undefined : `${who}signature does not match issuer '${issuer.name}'`;
  }

  #issuerProblem(issuer: Cert, anchor: boolean, below: number): string | undefined {
    const label = `issuer '${issuer.name}'`;
    const dates = datesProblem(issuer, this.now, label);
    if (dates) return dates;
    const unknown = unknownCriticalExtension(issuer, label);
    if (unknown) return unknown;
    const bc = issuer.x.getExtension(BasicConstraintsExtension);
    if (bc && !bc.ca) return `${label} is not a CA (basicConstraints CA:FALSE)`;
    // A trust anchor without extensions (X.509 v1 root) is a CA because it is trusted.
    if (!bc && !anchor) return `${label} is not a CA (no basicConstraints)`;
    if (bc?.pathLength !== undefined && below > bc.pathLength) {
      return `${label} allows ${bc.pathLength} intermediate certificate(s) below it, the chain has ${below}`;
    }
    const ku = issuer.x.getExtension(KeyUsagesExtension);
    if (ku && !(ku.usages & KeyUsageFlags.keyCertSign)) {
      return `${label} may not sign certificates (keyUsage without keyCertSign)`;
    }
    if (!anchor) {
      const eku = ekuProblem(issuer, label, this.purpose);
      if (eku) return eku;
    }
    return this.#nameConstraintsProblem(issuer, label);
  }

  #nameConstraintsProblem(issuer: Cert, label: string): string | undefined {
    const ext = issuer.x.extensions.find((e) => e.type === OID_NAME_CONSTRAINTS);
    if (!ext) return undefined;
    let nc;
    try {
      nc = parseNameConstraints(new Uint8Array(ext.value));
    } catch {
      return `${label} has name constraints that cannot be read`;
    }
    const { dns, ips, commonNames } = this.leafNames;
    const hostNames = dns.length > 0 ? dns : commonNames;
    for (const name of hostNames) {
      const n = name.toLowerCase().replace(/\.$/, "");
      const inside = (base: string) =>
        base === "" || n === base.replace(/^\./, "") ||
        n.endsWith(base.startsWith(".") ? base : `.${base}`);
      if (
        nc.excluded.dns.some(inside) ||
        (nc.permitted.dns.length > 0 && !nc.permitted.dns.some(inside))
      ) {
        return `${label} may not vouch for '${escapeText(name)}' (name constraints)`;
      }
    }
    for (const text of ips) {
      const ip = ipBytes(text);
      if (!ip) continue;
      const inside = (range: Uint8Array) =>
        range.length === 2 * ip.length &&
        ip.every((b, i) => (b & range[ip.length + i]) === (range[i] & range[ip.length + i]));
      if (
        nc.excluded.ips.some(inside) ||
        (nc.permitted.ips.length > 0 && !nc.permitted.ips.some(inside))
      ) {
        return `${label} may not vouch for '${escapeText(text)}' (name constraints)`;
      }
    }
    return undefined;
  }
}

function datesProblem(cert: Cert, now: Date, label: string): string | undefined {
  if (cert.x.notAfter < now) return `${label} expired on ${utc(cert.x.notAfter)}`;
  if (cert.x.notBefore > now) return `${label} is not valid before ${utc(cert.x.notBefore)}`;
  return undefined;
}

function ekuProblem(cert: Cert, label: string, purpose: Purpose): string | undefined {
  const eku = cert.x.getExtension(ExtendedKeyUsageExtension);
  if (!eku) return undefined;
  const usages = eku.usages.map(String);
  const wanted = purpose === "server" ? OID_SERVER_AUTH : OID_CLIENT_AUTH;
  if (usages.includes(wanted) || usages.includes(OID_ANY_EKU)) return undefined;
  return purpose === "server"
    ? `${label} is not for TLS servers (extendedKeyUsage without serverAuth)`
    : `${label} is not for TLS clients (extendedKeyUsage without clientAuth)`;
}

function unknownCriticalExtension(cert: Cert, label: string): string | undefined {
  const ext = cert.x.extensions.find((e) => e.critical && !KNOWN_EXTENSIONS.has(e.type));
  return ext ? `${label} has a critical extension socktool does not know (${ext.type})` : undefined;
}

/** The names the leaf claims, read from its DER. */
function namesOf(cert: Cert): CertNames {
  const san = cert.x.getExtension(SubjectAlternativeNameExtension);
  const items = san?.names.items ?? [];
  const commonNames = cert.x.subjectName.getField("CN");
  return {
    dns: items.filter((n) => n.type === "dns").map((n) => n.value),
    ips: items.filter((n) => n.type === "ip").map((n) => n.value),
    commonNames,
  };
}

/** `DNS:localhost, IP Address:127.0.0.1`, as Node prints a SAN, escaped. */
function sanText(cert: Cert): string {
  const san = cert.x.getExtension(SubjectAlternativeNameExtension);
  const label: Record<string, string> = {
    dns: "DNS",
    ip: "IP Address",
    email: "email",
    url: "URI",
  };
  const parts = (san?.names.items ?? [])
    .filter((n) => label[n.type])
    .map((n) => `${label[n.type]}:${n.value}`);
  return escapeText(parts.join(", "));
}

/** `CN=x, O=y` in the certificate's order, as Node prints it, escaped. */
function displayName(name: Name): string {
  const rdns = name.toJSON().map((rdn) =>
    Object.entries(rdn).flatMap(([type, values]) => values.map((v) => `${type}=${v}`)).join("+")
  );
  return escapeText(rdns.join(", "));
}

function algorithmName(cert: Cert): string {
  const alg = cert.x.signatureAlgorithm as { name?: string; hash?: { name?: string } };
  return escapeText([alg.name, alg.hash?.name].filter(Boolean).join(" with ") || "unknown");
}

function utc(d: Date): string {
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
