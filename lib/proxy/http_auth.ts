/**
 * HTTP proxy authentication, both sides: reading `Proxy-Authenticate`
 * challenges (RFC 9110 §11: several per field, several fields, schemes
 * without parameters such as NTLM), choosing one (Digest when offered, as
 * ncat prefers, else Basic), and computing Digest responses (RFC 7616: MD5,
 * SHA-256 and their `-sess` forms, with or without `qop=auth`), which the
 * server side checks with the same arithmetic.
 *
 * @module
 */

import { createHash, randomBytes } from "node:crypto";

/** One challenge: its scheme (as sent) and its parameters (names lower-cased). */
export interface Challenge {
  /** `Basic`, `Digest`, `NTLM`, ... */
  scheme: string;
  /** Parameter values, unquoted. */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

/**
 * Reads every challenge of one or more `Proxy-Authenticate` field values.
 * A parameter it cannot read ends that field's reading; what came before is
 * kept.
 *
 * @example
 * ```ts
 * parseChallenges(['Basic realm="x", Digest realm="x", nonce="n", qop="auth"']);
 * // [{ scheme: "Basic", params: { realm: "x" } }, { scheme: "Digest", params: { realm: "x", nonce: "n", qop: "auth" } }]
 * ```
 */
export function parseChallenges(values: readonly string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const value of values) {
    const p = new Parser(value);
    let current: Challenge | undefined;
    while (!p.done()) {
      p.skip(/[\s,]/);
      if (p.done()) break;
      const token = p.token();
      if (token === "") break; // unreadable: give up on this field
      p.skip(/[ \t]/);
      if (p.peek() === "=" && current && p.peekAfterEquals()) {
        p.next();
        p.skip(/[ \t]/);
        const value = p.peek() === '"' ? p.quoted() : p.token();
        if (value === undefined) break;
        current.params[token.toLowerCase()] = value;
        continue;
      }
      current = { scheme: token, params: {} };
      out.push(current);
      if (p.peek() !== "," && !p.done() && !p.startsParam()) {
        p.skipUntil(","); // a token68 (Negotiate's blob): not a parameter list
      }
    }
  }
  return out;
}

/** A cursor over one field value. */
class Parser {
  #i = 0;
  constructor(readonly text: string) {}
  done(): boolean {
    return this.#i >= this.text.length;
  }
  peek(): string {
    return this.text[this.#i] ?? "";
  }
  next(): string {
    return this.text[this.#i++] ?? "";
  }
  skip(re: RegExp): void {
    while (!this.done() && re.test(this.peek())) this.#i++;
  }
  skipUntil(c: string): void {
    while (!this.done() && this.peek() !== c) this.#i++;
  }
  token(): string {
    const start = this.#i;
    while (!this.done() && TOKEN.test(this.peek())) this.#i++;
    return this.text.slice(start, this.#i);
  }
  /** A quoted-string with its backslash escapes undone; `undefined` if it never ends. */
  quoted(): string | undefined {
    this.#i++;
    let out = "";
    while (!this.done()) {
      const c = this.next();
      if (c === '"') return out;
      out += c === "\\" ? this.next() : c;
    }
    return undefined;
  }
  /** After an `=`: not another `=` (token68 padding such as `abc==`). */
  peekAfterEquals(): boolean {
    return this.text[this.#i + 1] !== "=";
  }
  /** Whether what follows is `token =` (a parameter) rather than a token68. */
  startsParam(): boolean {
    const rest = this.text.slice(this.#i);
    return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*=(?!=)/.test(rest);
  }
}

/** The Digest algorithms socktool computes, by their RFC 7616 names (upper case). */
const HASHES: Readonly<Record<string, string>> = {
  "MD5": "md5",
  "MD5-SESS": "md5",
  "SHA-256": "sha256",
  "SHA-256-SESS": "sha256",
};

/**
 * Whether socktool can answer a Digest challenge: a nonce, a known
 * algorithm, and `qop` absent or offering `auth`.
 */
function usableDigest(c: Challenge): boolean {
  if (c.scheme.toLowerCase() !== "digest" || c.params.nonce === undefined) return false;
  if (!HASHES[(c.params.algorithm ?? "MD5").toUpperCase()]) return false;
  return c.params.qop === undefined || qopList(c.params.qop).includes("auth");
}

function qopList(qop: string): string[] {
  return qop.split(",").map((q) => q.trim().toLowerCase());
}

/**
 * The challenge to answer: Digest when offered (SHA-256 before MD5), else
 * Basic; `undefined` when none can be answered.
 *
 * @example
 * ```ts
 * chooseChallenge(parseChallenges(['Basic realm="x"', 'Digest realm="x", nonce="n"'])); // the Digest one
 * ```
 */
export function chooseChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  const digests = challenges.filter(usableDigest);
  const sha = digests.find((c) => (c.params.algorithm ?? "").toUpperCase().startsWith("SHA-256"));
  return sha ?? digests[0] ?? challenges.find((c) => c.scheme.toLowerCase() === "basic");
}

/**
 * The `Proxy-Authorization` value answering `challenge` (Basic or Digest).
 *
 * @param request `method` and `uri` as sent (for CONNECT, `host:port`)
 * @param cnonce the client nonce (random unless given, for tests)
 * @example
 * ```ts
 * credentialsFor(challenge, { user: "u", pass: "p" }, { method: "CONNECT", uri: "example.com:443" });
 * // 'Digest username="u", realm="x", nonce="n", uri="example.com:443", response="...", ...'
 * ```
 */
export function credentialsFor(
  challenge: Challenge,
  auth: { user: string; pass: string },
  request: { method: string; uri: string },
  cnonce: string = randomBytes(12).toString("hex"),
): string {
  if (challenge.scheme.toLowerCase() === "basic") {
    return `Basic ${basicToken(auth.user, auth.pass)}`;
  }
  const p = challenge.params;
  const algorithm = p.algorithm;
  const qop = p.qop === undefined ? undefined : "auth";
  const nc = "00000001";
  const response = digestResponse({
    algorithm: algorithm ?? "MD5",
    user: auth.user,
    pass: auth.pass,
    realm: p.realm ?? "",
    nonce: p.nonce,
    method: request.method,
    uri: request.uri,
    qop,
    nc,
    cnonce,
  });
  const fields = [
    `username=${quote(auth.user)}`,
    `realm=${quote(p.realm ?? "")}`,
    `nonce=${quote(p.nonce)}`,
    `uri=${quote(request.uri)}`,
    `response=${quote(response)}`,
    ...(algorithm !== undefined ? [`algorithm=${algorithm}`] : []),
    ...(qop !== undefined ? [`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`] : []),
    ...(p.opaque !== undefined ? [`opaque=${quote(p.opaque)}`] : []),
  ];
  return `Digest ${fields.join(", ")}`;
}

/** What a Digest response is computed from (RFC 7616 §3.4.1). */
export interface DigestInput {
  /** `MD5`, `MD5-sess`, `SHA-256`, `SHA-256-sess` (any case). */
  algorithm: string;
  user: string;
  pass: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  /** `auth`, or `undefined` for RFC 2069's form without nc and cnonce. */
  qop?: string;
  nc?: string;
  cnonce?: string;
}

/**
 * The `response` value of a Digest exchange, in lower-case hex.
 *
 * @throws {RangeError} for an algorithm socktool does not know
 * @example
 * ```ts
 * digestResponse({ algorithm: "MD5", user: "Mufasa", pass: "Circle Of Life", realm: "testrealm@host.com",
 *   nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", method: "GET", uri: "/dir/index.html",
 *   qop: "auth", nc: "00000001", cnonce: "0a4f113b" }); // "6629fae49393a05397450978507c4ef1"
 * ```
 */
export function digestResponse(d: DigestInput): string {
  const name = d.algorithm.toUpperCase();
  const hash = HASHES[name];
  if (!hash) throw new RangeError(`unknown Digest algorithm '${d.algorithm}'`);
  const H = (s: string) => createHash(hash).update(s, "utf8").digest("hex");
  let ha1 = H(`${d.user}:${d.realm}:${d.pass}`);
  if (name.endsWith("-SESS")) ha1 = H(`${ha1}:${d.nonce}:${d.cnonce ?? ""}`);
  const ha2 = H(`${d.method}:${d.uri}`);
  return d.qop === undefined
    ? H(`${ha1}:${d.nonce}:${ha2}`)
    : H(`${ha1}:${d.nonce}:${d.nc ?? ""}:${d.cnonce ?? ""}:${d.qop}:${ha2}`);
}

/**
 * The Basic credentials token: base64 of the UTF-8 `user:pass`.
 *
 * @example
 * ```ts
 * basicToken("Aladdin", "open sesame"); // "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
 * ```
 */
export function basicToken(user: string, pass: string): string {
  const bytes = new TextEncoder().encode(`${user}:${pass}`);
  return btoa(String.fromCharCode(...bytes));
}

/** A quoted-string. */
function quote(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
