/**
 * `--allow` / `--deny` / `--allowfile` / `--denyfile`: which client addresses
 * a listener serves. Rules are IP addresses or CIDR ranges, IPv4 or IPv6.
 *
 * Every address is compared as a 128-bit IPv6 number, IPv4 in its mapped form
 * (`::ffff:a.b.c.d`), so an IPv4 rule matches an IPv4 client whether the
 * listener sees it as `127.0.0.1` or as `::ffff:127.0.0.1` (a `[::]` listener
 * does the latter).
 *
 * A client is refused when an allow list exists and no allow rule matches it,
 * or when any deny rule matches it (deny wins, as in ncat).
 *
 * @module
 */

import { ipLiteralVersion } from "../net/ip_literal.ts";
import { causeInWords, usageError } from "../errors.ts";
import { stripBrackets } from "../net/address.ts";

/** One rule: an address range as a 128-bit base and prefix length. */
export interface CidrRange {
  /** The rule as the user wrote it, for messages. */
  text: string;
  /** First address of the range, as a 128-bit number (IPv4 mapped). */
  base: bigint;
  /** Prefix length in 128-bit terms (an IPv4 `/24` is `/120`). */
  prefix: number;
}

const ALL_ONES = (1n << 128n) - 1n;
const MAPPED_V4 = 0xffffn << 32n;

/**
 * Parses an IP address or CIDR range (`10.0.0.0/8`, `::1`, `fd00::/8`).
 * Returns `undefined` when the text is not one, with the reason.
 *
 * @example
 * ```ts
 * parseCidr("192.168.0.0/16"); // { ok: true, range: { base: ..., prefix: 112, ... } }
 * parseCidr("10.0.0.0/33");    // { ok: false, reason: "prefix length must be 0-32" }
 * ```
 */
export function parseCidr(
  text: string,
): { ok: true; range: CidrRange } | { ok: false; reason: string } {
  const slash = text.indexOf("/");
  const addrText = stripBrackets(slash < 0 ? text : text.slice(0, slash));
  const version = ipLiteralVersion(addrText);
  if (version === 0) return { ok: false, reason: "not an IP address or CIDR range" };
  const bits = version === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > bits) {
      return { ok: false, reason: `prefix length must be 0-${bits}` };
    }
    prefix = Number(p);
  }
  const value = addressToBigInt(addrText)!;
  const prefix128 = version === 4 ? prefix + 96 : prefix;
  return { ok: true, range: { text, base: value & mask(prefix128), prefix: prefix128 } };
}

/** The network mask of a 128-bit prefix length. */
function mask(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL_ONES << BigInt(128 - prefix)) & ALL_ONES;
}

/**
 * An IP address as a 128-bit number, IPv4 in mapped form; `undefined` for
 * anything that is not an address.
 *
 * @example
 * ```ts
 * addressToBigInt("127.0.0.1") === addressToBigInt("::ffff:127.0.0.1"); // true
 * ```
 */
export function addressToBigInt(address: string): bigint | undefined {
  let text = stripBrackets(address);
  // A zone index (`fe80::1%eth0`) does not change which rules match.
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  const version = ipLiteralVersion(text);
  if (version === 4) return MAPPED_V4 | ipv4ToBigInt(text);
  if (version !== 6) return undefined;
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) becomes its two hex groups.
  text = text.replace(
    /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
    (_, a, b, c, d) => `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`,
  );
  const [head, rest] = text.includes("::") ? text.split("::") : [text, undefined];
  const groups = (s: string) => s === "" ? [] : s.split(":").map((g) => BigInt(parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const zeros = rest === undefined ? 0 : 8 - left.length - right.length;
  let value = 0n;
  for (const g of [...left, ...Array(zeros).fill(0n), ...right]) value = (value << 16n) | g;
  return value;
}

function ipv4ToBigInt(text: string): bigint {
  return text.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** The decision for one client address. */
export class AccessPolicy {
  readonly #allow: CidrRange[];
  readonly #deny: CidrRange[];

  /**
   * Makes a policy from parsed rules.
   *
   * @param allow rules of `--allow` and `--allowfile`; empty allows everyone
   * @param deny rules of `--deny` and `--denyfile`
   */
  constructor(allow: CidrRange[], deny: CidrRange[]) {
    this.#allow = allow;
    this.#deny = deny;
  }

  /**
   * Whether `address` may connect. A value that is not an IP address (a
   * Unix socket peer) is allowed: the rules speak of IP addresses only.
   *
   * @example
   * ```ts
   * const policy = new AccessPolicy([parseRule("127.0.0.0/8", "--allow")], []);
   * policy.allows("::ffff:127.0.0.1"); // true
   * policy.allows("10.1.2.3");          // false
   * ```
   */
  allows(address: string): boolean {
    const value = addressToBigInt(address);
    if (value === undefined) return true;
    const inRange = (r: CidrRange) => (value & mask(r.prefix)) === r.base;
    if (this.#allow.length > 0 && !this.#allow.some(inRange)) return false;
    return !this.#deny.some(inRange);
  }
}

/**
 * Parses one rule or throws a usage error naming where it came from.
 *
 * @example
 * ```ts
 * parseRule("10.0.0.0/8", "--deny");
 * ```
 */
export function parseRule(text: string, where: string): CidrRange {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw usageError(`bad rule '${text}' in ${where}: ${parsed.reason}`);
  return parsed.range;
}

/**
 * Reads the rules of a file: one address or CIDR range per line; blank lines
 * and `#` comments (whole-line or trailing) are skipped.
 *
 * @example
 * ```ts
 * parseRuleFile("127.0.0.1\n# office\n10.0.0.0/8  # vpn\n", "--allowfile a.txt");
 * ```
 */
export function parseRuleFile(text: string, where: string): CidrRange[] {
  const rules: CidrRange[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const entry = line.replace(/#.*$/, "").trim();
    if (entry !== "") rules.push(parseRule(entry, `${where} line ${i + 1}`));
  });
  return rules;
}

/** The access options of a listener. */
export interface AccessOptions {
  /** `--allow` values (addresses, CIDR ranges, comma lists). */
  allow: string[];
  /** `--deny` values. */
  deny: string[];
  /** `--allowfile`: one rule per line. */
  allowFile?: string;
  /** `--denyfile`: one rule per line. */
  denyFile?: string;
}

/**
 * Builds the policy from the command line, reading the files. Every problem
 * (a malformed rule, an unreadable file) is a usage error, found before the
 * listener opens. Returns `undefined` when no rule was given.
 *
 * `--allow` and `--deny` values may list several rules separated by commas
 * (`--allow 10.0.0.0/8,192.168.1.5`), as ncat's do.
 *
 * @example
 * ```ts
 * const policy = await loadAccessPolicy({ allow: ["127.0.0.1"], deny: [] });
 * ```
 */
export async function loadAccessPolicy(o: AccessOptions): Promise<AccessPolicy | undefined> {
  const fromFlag = (values: string[], flag: string) =>
    values.flatMap((v) => v.split(",")).map((s) => s.trim()).filter((s) => s !== "")
      .map((s) => parseRule(s, flag));
  const fromFile = async (path: string | undefined, flag: string) => {
    if (path === undefined) return [];
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      throw usageError(`${flag} ${path}: ${causeInWords(err)}`);
    }
    return parseRuleFile(text, `${flag} ${path}`);
  };
  const allow = [...fromFlag(o.allow, "--allow"), ...await fromFile(o.allowFile, "--allowfile")];
  const deny = [...fromFlag(o.deny, "--deny"), ...await fromFile(o.denyFile, "--denyfile")];
  const given = o.allow.length + o.deny.length > 0 || o.allowFile !== undefined ||
    o.denyFile !== undefined;
  return given ? new AccessPolicy(allow, deny) : undefined;
}
