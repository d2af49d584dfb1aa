/**
 * The error a proxy server's handshake throws when it turned a client away
 * (bad protocol, wrong credentials, a command it does not serve), after it
 * has answered the client with the protocol's refusal. `serve/proxy_server.ts`
 * turns it into the client's `-v` line; the listener goes on.
 *
 * @module
 */

/** A proxy server refused a client's request, and has told the client so. */
export class ProxyRequestRefused extends Error {
  /**
   * @param words why, in words; anything the client sent is already escaped
   */
  constructor(words: string) {
    super(words);
    this.name = "ProxyRequestRefused";
  }
}

/**
 * Compares credentials a client gave with the ones required, in time that
 * does not depend on where they differ (only on their lengths).
 *
 * @example
 * ```ts
 * sameCredentials({ user: "u", pass: "p" }, { user: "u", pass: "p" }); // true
 * ```
 */
export function sameCredentials(
  given: { user: string; pass: string },
  expected: { user: string; pass: string },
): boolean {
  const enc = new TextEncoder();
  // The length prefix keeps "ab" + "c" apart from "a" + "bc".
  const join = (c: { user: string; pass: string }) => {
    const user = enc.encode(c.user);
    const pass = enc.encode(c.pass);
    const out = new Uint8Array(4 + user.length + pass.length);
    new DataView(out.buffer).setUint32(0, user.length);
    out.set(user, 4);
    out.set(pass, 4 + user.length);
    return out;
  };
  const a = join(given);
  const b = join(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i % Math.max(a.length, 1)] ?? 0) ^ b[i];
  return diff === 0;
}
