/**
 * Is a certificate valid for the name we connect to? The rules of Node's
 * `tls.checkServerIdentity` (RFC 6125), applied to the names read from the
 * certificate's DER rather than to a formatted string:
 *
 * - an IP address matches an IP address SAN, byte for byte;
 * - a DNS name matches a DNS SAN, case-insensitively, with one `*` allowed in
 *   the leftmost label only, never in `*.tld`, never in a punycode label;
 * - only a certificate with no DNS SAN falls back to its subject's common names;
 * - names with blanks, control characters or non-ASCII never match.
 *
 * @module
 */

import { isIP } from "node:net";

/** The names a certificate claims. */
export interface CertNames {
  /** `dNSName` SANs. */
  dns: readonly string[];
  /** `iPAddress` SANs, as text. */
  ips: readonly string[];
  /** The subject's common names (used only when there is no DNS SAN). */
  commonNames: readonly string[];
}

/**
 * True when a certificate naming `names` is valid for `host`.
 *
 * @example
 * ```ts
 * hostMatches("www.example.com", { dns: ["*.example.com"], ips: [], commonNames: [] }); // true
 * hostMatches("127.0.0.1", { dns: ["localhost"], ips: ["127.0.0.1"], commonNames: [] }); // true
 * ```
 */
export function hostMatches(host: string, names: CertNames): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  const ip = ipBytes(bare);
  if (ip) return names.ips.some((a) => sameBytes(ipBytes(a), ip));
  const hostParts = splitHost(bare);
  if (names.dns.length > 0) return names.dns.some((p) => patternMatches(hostParts, p));
  return names.commonNames.some((p) => patternMatches(hostParts, p));
}

function splitHost(name: string): string[] {
  return name.replace(/\.$/, "").toLowerCase().split(".");
}

function patternMatches(hostParts: string[], pattern: string): boolean {
  if (!pattern) return false;
  const parts = splitHost(pattern);
  if (parts.length !== hostParts.length || parts.includes("")) return false;
  if (parts.some((s) => /[^\u0021-\u007F]/u.test(s))) return false;
  for (let i = parts.length - 1; i > 0; i--) {
    if (parts[i] !== hostParts[i]) return false;
  }
  const [first] = parts;
  const pieces = first.split("*");
  if (pieces.length === 1 || first.includes("xn--")) return first === hostParts[0];
  if (pieces.length > 2 || parts.length <= 2) return false;
  const [prefix, suffix] = pieces;
  const label = hostParts[0];
  return prefix.length + suffix.length <= label.length && label.startsWith(prefix) &&
    label.endsWith(suffix);
}

/** The 4 or 16 bytes of an IP address in text, or `undefined` when it is none. */
export function ipBytes(text: string): Uint8Array | undefined {
  const version = isIP(text);
  if (version === 4) return Uint8Array.from(text.split("."), Number);
  if (version !== 6) return undefined;
  let s = text.replace(/%.*$/, "");
  const tail: number[] = [];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    s = s.slice(0, v4.index);
    if (s.endsWith(":") && !s.endsWith("::")) s = s.slice(0, -1);
  }
  const groups = (half: string) => half === "" ? [] : half.split(":").map((g) => parseInt(g, 16));
  const [head, rest] = s.includes("::") ? s.split("::") : [s, ""];
  const h = groups(head);
  const r = groups(rest);
  const words = [...h, ...new Array(8 - tail.length - h.length - r.length).fill(0), ...r, ...tail];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}
