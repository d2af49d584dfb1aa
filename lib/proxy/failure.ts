/**
 * The error a proxy handshake throws: a cause in words, and whether it is
 * about the proxy itself (auth refused, not a proxy) or about reaching the
 * target through it (the target refused, unreachable). `connectViaProxy`
 * turns it into the final message.
 *
 * @module
 */

/** A proxy said no, or said something we cannot use. */
export class ProxyFailure extends Error {
  /** `proxy`: the proxy itself; `target`: reaching the target through it. */
  readonly about: "proxy" | "target";

  /**
   * @param words the cause in words, e.g. `connection refused by destination host`
   * @param about whom the failure is about
   */
  constructor(words: string, about: "proxy" | "target") {
    super(words);
    this.name = "ProxyFailure";
    this.about = about;
  }
}
