/**
 * Just enough DER to index certificates by name without parsing them whole:
 * the issuer and subject of a certificate, each as a canonical key (the way
 * OpenSSL compares names: string values lower-cased with runs of white space
 * folded), so that a trust store of a hundred and more roots is indexed in a
 * few milliseconds and only the candidates for an issuer are parsed fully.
 *
 * A key only chooses which certificates to try as an issuer; whether one
 * really is the issuer is decided by its signature, in `verify.ts`.
 *
 * @module
 */

import { Buffer } from "node:buffer";

/** One DER element: its tag and where its contents lie in the buffer. */
interface Tlv {
  tag: number;
  /** First byte of the contents. */
  start: number;
  /** One past the last byte of the contents. */
  end: number;
}

/** Reads the element at `pos`; throws on a truncated or indefinite-length encoding. */
function readTlv(b: Uint8Array, pos: number, limit = b.length): Tlv {
  if (pos + 2 > limit) throw new Error("truncated DER");
  const tag = b[pos];
  let len = b[pos + 1];
  let start = pos + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new Error("bad DER length");
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + b[start + i];
    start += count;
  }
  const end = start + len;
  if (end > limit) throw new Error("truncated DER");
  return { tag, start, end };
}

/** The elements inside a constructed element. */
function children(b: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.start; pos < parent.end;) {
    const t = readTlv(b, pos, parent.end);
    out.push(t);
    pos = t.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const SET = 0x31;
const OID = 0x06;
const VERSION = 0xa0;

const utf8 = new TextDecoder();
const utf16 = new TextDecoder("utf-16be");
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** String types whose values compare case-insensitively, and how to decode them. */
const STRING_DECODERS: Record<number, (bytes: Uint8Array) => string> = {
  0x0c: (v) => utf8.decode(v), // UTF8String
  0x13: latin1, // PrintableString
  0x14: latin1, // TeletexString
  0x16: latin1, // IA5String
  0x1a: latin1, // VisibleString
  0x1e: (v) => utf16.decode(v), // BMPString
  0x1c: (v) =>
    // UniversalString (UTF-32BE)
    String.fromCodePoint(
      ...Array.from(
        { length: v.length >> 2 },
        (_, i) =>
          ((v[4 * i] << 24) | (v[4 * i + 1] << 16) | (v[4 * i + 2] << 8) | v[4 * i + 3]) >>> 0,
      ).filter((c) => c <= 0x10ffff),
    ),
};

function latin1(v: Uint8Array): string {
  return String.fromCharCode(...v);
}

function hex(b: Uint8Array): string {
  let out = "";
  for (const x of b) out += HEX[x];
  return out;
}

/**
 * The canonical key of a DER `Name`: each attribute as `OID=value`, string
 * values lower-cased, trimmed and with white space folded; attributes of one
 * RDN sorted; RDNs in order.
 */
function nameKey(b: Uint8Array, name: Tlv): string {
  const rdns: string[] = [];
  for (const rdn of children(b, name)) {
    if (rdn.tag !== SET) throw new Error("bad Name");
    const atvs: string[] = [];
    for (const atv of children(b, rdn)) {
      const [type, value] = children(b, atv);
      if (!type || type.tag !== OID || !value) throw new Error("bad Name");
      const decode = STRING_DECODERS[value.tag];
      const text = decode
        ? decode(b.subarray(value.start, value.end)).trim().replace(/\s+/g, " ").toLowerCase()
        : `#${value.tag.toString(16)}:${hex(b.subarray(value.start, value.end))}`;
      atvs.push(`${hex(b.subarray(type.start, type.end))}=${JSON.stringify(text)}`);
    }
    rdns.push(atvs.sort().join("+"));
  }
  return rdns.join("/");
}

/** The canonical name keys of a certificate. */
export interface NameKeys {
  /** Key of the issuer name. */
  issuer: string;
  /** Key of the subject name. */
  subject: string;
}

/**
 * Reads the issuer and subject of a DER certificate as canonical keys: two
 * names that OpenSSL would call equal get the same key.
 *
 * @throws {Error} when `der` is not a certificate
 * @example
 * ```ts
 * const { issuer, subject } = certificateNameKeys(der);
 * const selfIssued = issuer === subject;
 * ```
 */
export function certificateNameKeys(der: Uint8Array): NameKeys {
  const cert = readTlv(der, 0);
  if (cert.tag !== SEQUENCE) throw new Error("not a certificate");
  const [tbs] = children(der, cert);
  if (!tbs || tbs.tag !== SEQUENCE) throw new Error("not a certificate");
  const fields = children(der, tbs);
  // [0] version is absent in a version 1 certificate.
  const at = fields[0]?.tag === VERSION ? 1 : 0;
  // serialNumber, signature, issuer, validity, subject
  const issuer = fields[at + 2];
  const subject = fields[at + 4];
  if (issuer?.tag !== SEQUENCE || subject?.tag !== SEQUENCE) throw new Error("not a certificate");
  return { issuer: nameKey(der, issuer), subject: nameKey(der, subject) };
}

/**
 * The DER bytes of each `CERTIFICATE` block in PEM text.
 *
 * @example
 * ```ts
 * const ders = pemCertificates(await Deno.readTextFile("ca.pem"));
 * ```
 */
export function pemCertificates(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    // Native base64 decoding: the system's store holds well over a hundred.
    const der = Buffer.from(m[1].replace(/\s+/g, ""), "base64");
    out.push(new Uint8Array(der)); // a copy of its own, not a view of Buffer's shared pool
  }
  return out;
}

/** The subtrees of one side (permitted or excluded) of a name constraints extension. */
export interface Subtrees {
  /** `dNSName` bases, lower-cased. */
  dns: string[];
  /** `iPAddress` bases: address then mask (8 bytes for IPv4, 32 for IPv6). */
  ips: Uint8Array[];
}

/** A certificate's name constraints, the forms a TLS server name can take. */
export interface NameConstraints {
  /** Names must fall in one of these (per form, when the form is listed). */
  permitted: Subtrees;
  /** Names must fall in none of these. */
  excluded: Subtrees;
}

/**
 * Reads the DNS and IP forms of a name constraints extension's value (RFC
 * 5280 §4.2.1.10); other forms (directory names, e-mail, URIs) say nothing
 * about a server's host name and are left out.
 *
 * @throws {Error} when the value is not a valid encoding
 * @example
 * ```ts
 * const { permitted, excluded } = parseNameConstraints(new Uint8Array(ext.value));
 * ```
 */
export function parseNameConstraints(value: Uint8Array): NameConstraints {
  const top = readTlv(value, 0);
  if (top.tag !== SEQUENCE) throw new Error("bad name constraints");
  const out: NameConstraints = { permitted: { dns: [], ips: [] }, excluded: { dns: [], ips: [] } };
  for (const side of children(value, top)) {
    const into = side.tag === 0xa0 ? out.permitted : side.tag === 0xa1 ? out.excluded : undefined;
    if (!into) throw new Error("bad name constraints");
    for (const subtree of children(value, side)) {
      const [base] = children(value, subtree);
      if (!base) throw new Error("bad name constraints");
      const bytes = value.slice(base.start, base.end);
      if (base.tag === 0x82) into.dns.push(latin1(bytes).toLowerCase());
      else if (base.tag === 0x87) {
        if (bytes.length !== 8 && bytes.length !== 32) throw new Error("bad name constraints");
        into.ips.push(bytes);
      }
    }
  }
  return out;
}
