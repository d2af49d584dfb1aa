/**
 * `--allow` / `--deny` / `--allowfile` / `--denyfile`: which client addresses
 * a listener serves. Rules are IP addresses or CIDR ranges, IPv4 or IPv6, or
 * ncat's IPv4 octet ranges (`192.168.0.1-5`, `10.0.*.*`, `192.168.0.2,3,5`,
 * with an optional prefix: `10.0.1-3.0/24`). Several rules may share a value
 * or a file's line, separated by spaces or commas.
 *
 * Every address is compared as a 128-bit IPv6 number, IPv4 in its mapped form
 * (`::ffff:a.b.c.d`), so an IPv4 rule matches an IPv4 client whether the
 * listener sees it as `127.0.0.1` or as `::ffff:127.0.0.1` (a `[::]` listener
 * does the latter).
 *
 * A client is refused when an allow list exists and no allow rule matches it,
 * or when any deny rule matches it (deny wins, as in ncat). Access control
 * never fails open (SPEC §4): an allow list that names nobody (`--allow ''`,
 * an `--allowfile` of comments) admits nobody, and a peer with no IP address
 * (a Unix socket) matches no allow rule.
 *
 * Nothing here decides exit codes: a bad rule is an {@linkcode AccessRuleError}
 * that the caller (`modes/prepare.ts`, `cli/rules.ts`) turns into a usage error.
 *
 * @module
 */

import { ipLiteralVersion } from "../net/ip_literal.ts";
import { stripBrackets } from "../net/address.ts";
import { readTextAtPath } from "../io/fd_path.ts";

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
 * An ncat octet range: each of the four IPv4 octets a set of values, the
 * prefix length (if any) already applied: a client matches when each of its
 * octets is marked in the octet's table.
 */
export interface OctetRange {
  /** The rule as the user wrote it, for messages. */
  text: string;
  /** Four tables of 256 flags, one per octet: 1 where the octet matches. */
  octets: readonly Uint8Array[];
}

/** One access rule. */
export type AccessRule = CidrRange | OctetRange;

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
  if (version === 0) return { ok: false, reason: NOT_A_RULE };
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

/** A rule that is not an address or range; the message names it and where it came from. */
export class AccessRuleError extends Error {
  /**
   * Makes the error for one bad rule.
   *
   * @param rule the rule as written
   * @param where where it came from: `--allow`, `--denyfile f line 3`
   * @param reason what is wrong with it
   */
  constructor(readonly rule: string, readonly where: string, reason: string) {
    super(`bad rule '${rule}' in ${where}: ${reason}`);
    this.name = "AccessRuleError";
  }
}

/** The decision for one client address. */
export class AccessPolicy {
  readonly #allow: AccessRule[] | undefined;
  readonly #deny: AccessRule[];

  /**
   * Makes a policy from parsed rules.
   *
   * @param allow rules of `--allow` and `--allowfile`; `undefined` when no
   *   allow list was given (everyone not denied is admitted), empty when one
   *   was given that names nobody (nobody is admitted)
   * @param deny rules of `--deny` and `--denyfile`
   */
  constructor(allow: AccessRule[] | undefined, deny: AccessRule[]) {
    this.#allow = allow;
    this.#deny = deny;
  }

  /** Whether an allow list was given that names no address: every client is refused. */
  get admitsNobody(): boolean {
    return this.#allow !== undefined && this.#allow.length === 0;
  }

  /**
   * Whether `address` may connect. A value that is not an IP address (a
   * Unix socket peer) matches no rule: it is refused by any allow list.
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
    const inRange = (r: AccessRule) => value !== undefined && inRule(r, value);
    if (this.#allow !== undefined && !this.#allow.some(inRange)) return false;
    return !this.#deny.some(inRange);
  }
}

/**
 * Parses one rule.
 *
 * @throws {AccessRuleError} naming the rule and where it came from
 * @example
 * ```ts
 * parseRule("10.0.0.0/8", "--deny");
 * ```
 */
export function parseRule(text: string, where: string): AccessRule {
  const parsed = parseAccessRule(text);
  if (!parsed.ok) throw new AccessRuleError(text, where, parsed.reason);
  return parsed.rule;
}

/** IPv4-like text with ncat's octet syntax: digits, `*`, `-`, `,` between dots, maybe a prefix. */
const OCTET_LIKE = /^[\d*,-]*(\.[\d*,-]*)*(\/.*)?$/;

/**
 * Parses one rule: an address or CIDR range ({@linkcode parseCidr}), or an
 * ncat octet range (`192.168.0.1-5`, `10.0.*.*`, `192.168.0.2,3,5`,
 * `1-5.0.0.0/8`). In an octet, `*` and `-` are 0-255, `-5` is 0-5, `250-`
 * is 250-255.
 *
 * @example
 * ```ts
 * parseAccessRule("10.0.*.*");      // { ok: true, rule: { text: "10.0.*.*", octets: [...] } }
 * parseAccessRule("10.0.0.10-5");   // { ok: false, reason: "octet range '10-5' runs backwards" }
 * ```
 */
export function parseAccessRule(
  text: string,
): { ok: true; rule: AccessRule } | { ok: false; reason: string } {
  const cidr = parseCidr(text);
  if (cidr.ok) return { ok: true, rule: cidr.range };
  // Not IPv4-like with a range in it: parseCidr's reason stands.
  if (!OCTET_LIKE.test(text) || !/[*,-]/.test(text)) return cidr;
  const slash = text.indexOf("/");
  const parts = (slash < 0 ? text : text.slice(0, slash)).split(".");
  if (parts.length !== 4) return { ok: false, reason: "an octet range has four octets" };
  let prefix = 32;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,2}$/.test(p) || Number(p) > 32) {
      return { ok: false, reason: "prefix length must be 0-32" };
    }
    prefix = Number(p);
  }
  const octets: Uint8Array[] = [];
  for (const [i, part] of parts.entries()) {
    const values = octetValues(part);
    if (typeof values === "string") return { ok: false, reason: values };
    // The prefix keeps this octet's top `bits` bits: any value sharing them matches.
    const bits = Math.max(0, Math.min(8, prefix - 8 * i));
    const mask = (0xff << (8 - bits)) & 0xff;
    const kept = new Set([...values].map((v) => v & mask));
    octets.push(Uint8Array.from({ length: 256 }, (_, a) => kept.has(a & mask) ? 1 : 0));
  }
  return { ok: true, rule: { text, octets } };
}

const NOT_A_RULE = "not an IP address or address range";

/** The values of one octet (`*`, `5`, `1-5`, `-5`, `250-`, `2,3,7`), or why it is wrong. */
function octetValues(part: string): Set<number> | string {
  if (part === "*") return new Set(Array.from({ length: 256 }, (_, i) => i));
  const values = new Set<number>();
  for (const item of part.split(",")) {
    const m = /^(\d*)(-?)(\d*)$/.exec(item);
    if (!m || item === "" || (m[2] === "" && m[1] === "")) {
      return `bad octet '${part}': expected N, N-M, * or a comma list of them`;
    }
    const lo = m[1] === "" ? 0 : Number(m[1]);
    const hi = m[2] === "" ? lo : m[3] === "" ? 255 : Number(m[3]);
    if (lo > 255 || hi > 255) return `octet '${item}' is above 255`;
    if (lo > hi) return `octet range '${item}' runs backwards`;
    for (let v = lo; v <= hi; v++) values.add(v);
  }
  return values;
}

/** Whether `value` (an address as {@linkcode addressToBigInt} gives it) is in `rule`. */
function inRule(rule: AccessRule, value: bigint): boolean {
  if ("octets" in rule) {
    // Octet ranges are IPv4: the client must be IPv4 (plain or mapped).
    if (value >> 32n !== 0xffffn) return false;
    const v4 = Number(value & 0xffffffffn);
    return rule.octets.every((table, i) => table[(v4 >>> (24 - 8 * i)) & 0xff] === 1);
  }
  return (value & mask(rule.prefix)) === rule.base;
}

/**
 * The rules of `--allow`/`--deny` values: each value may list several,
 * separated by spaces or commas (`--allow 10.0.0.0/8,192.168.1.5`); empty
 * items are skipped. A comma inside an ncat octet range stays in it
 * (`192.168.0.2,3,5` is one rule: the last octet 2, 3 or 5), as ncat reads it.
 *
 * @example
 * ```ts
 * splitRuleList(["10.0.0.0/8, ::1", ""]);         // ["10.0.0.0/8", "::1"]
 * splitRuleList(["192.168.0.2,3 10.0.0.1,::1"]);  // ["192.168.0.2,3", "10.0.0.1", "::1"]
 * ```
 */
export function splitRuleList(values: readonly string[]): string[] {
  const rules: string[] = [];
  for (const word of values.flatMap((v) => v.split(/\s+/))) {
    let rule = "";
    for (const item of word.split(",")) {
      if (continuesOctetList(rule, item)) {
        rule += `,${item}`;
        continue;
      }
      if (rule !== "") rules.push(rule);
      rule = item;
    }
    if (rule !== "") rules.push(rule);
  }
  return rules;
}

/**
 * Whether `item`, after a comma, belongs to the octet list `rule` ends with:
 * the rule is IPv4-like and still short of four octets, or `item` is a bare
 * octet value (`3`, `3-5`, maybe with the prefix: `191/30`).
 */
function continuesOctetList(rule: string, item: string): boolean {
  if (rule === "" || item === "" || !/^[\d*,.-]+$/.test(rule)) return false;
  return rule.split(".").length < 4 || /^[\d*-]+(\/\d+)?$/.test(item);
}

/**
 * Reads the rules of a file: one or more per line, separated by spaces or
 * commas as in {@linkcode splitRuleList}; blank lines and `#` comments
 * (whole-line or trailing) are skipped.
 *
 * @throws {AccessRuleError} naming the line
 * @example
 * ```ts
 * parseRuleFile("127.0.0.1 ::1\n# office\n10.0.*.*  # vpn\n", "--allowfile a.txt");
 * ```
 */
export function parseRuleFile(text: string, where: string): AccessRule[] {
  const rules: AccessRule[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    for (const entry of splitRuleList([line.replace(/#.*$/, "")])) {
      rules.push(parseRule(entry, `${where} line ${i + 1}`));
    }
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

/** The text of the `--allowfile` and `--denyfile` files, already read. */
export interface AccessFileTexts {
  /** The `--allowfile`'s text. */
  allow?: string;
  /** The `--denyfile`'s text. */
  deny?: string;
}

/**
 * Builds the policy from the options and the files' text. Returns
 * `undefined` when no rule option was given at all. An allow option given
 * with no rule in it makes a policy that admits nobody.
 *
 * @throws {AccessRuleError} for a malformed rule
 * @example
 * ```ts
 * accessPolicy({ allow: ["127.0.0.1"], deny: [] }); // admits 127.0.0.1 only
 * accessPolicy({ allow: [""], deny: [] })!.admitsNobody; // true
 * ```
 */
export function accessPolicy(
  o: AccessOptions,
  files: AccessFileTexts = {},
): AccessPolicy | undefined {
  const fromFlag = (values: string[], flag: string) =>
    splitRuleList(values).map((s) => parseRule(s, flag));
  const fromFile = (text: string | undefined, path: string | undefined, flag: string) =>
    text === undefined || path === undefined ? [] : parseRuleFile(text, `${flag} ${path}`);
  const allowGiven = o.allow.length > 0 || o.allowFile !== undefined;
  const denyGiven = o.deny.length > 0 || o.denyFile !== undefined;
  if (!allowGiven && !denyGiven) return undefined;
  const allow = [
    ...fromFlag(o.allow, "--allow"),
    ...fromFile(files.allow, o.allowFile, "--allowfile"),
  ];
  const deny = [...fromFlag(o.deny, "--deny"), ...fromFile(files.deny, o.denyFile, "--denyfile")];
  return new AccessPolicy(allowGiven ? allow : undefined, deny);
}

/**
 * Reads the rule files and builds the policy ({@linkcode accessPolicy}).
 * socktool itself reads the files in `modes/prepare.ts`, where a problem is a
 * usage error; this is the same for a library user.
 *
 * @throws {AccessRuleError} for a malformed rule; the file system's error
 *   for a file that cannot be read
 * @example
 * ```ts
 * const policy = await loadAccessPolicy({ allow: ["127.0.0.1"], deny: [] });
 * ```
 */
export async function loadAccessPolicy(o: AccessOptions): Promise<AccessPolicy | undefined> {
  const read = (path: string | undefined) => path === undefined ? undefined : readTextAtPath(path);
  return accessPolicy(o, { allow: await read(o.allowFile), deny: await read(o.denyFile) });
}
