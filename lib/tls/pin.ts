/**
 * Certificate pins (`--ssl-pin sha256:HEX`, as OpenBSD nc's `-H`): the
 * SHA-256 of the peer's certificate (its DER), which a session must match
 * whatever the chain. Pure and light, so the command line can check pins
 * before the TLS stack loads.
 *
 * @module
 */

/**
 * Reads a pin: `sha256:` (any case, or `sha-256:`, or no prefix) and 64 hex
 * digits, with or without colons between bytes, as `openssl x509
 * -fingerprint -sha256` and socktool's `-v` print them. Returns the hash as
 * 64 lower-case hex digits, or `undefined` when the text is not a pin.
 *
 * @example
 * ```ts
 * parsePin("SHA256:AB:CD:...");  // "abcd..."
 * parsePin("md5:1234");          // undefined
 * ```
 */
export function parsePin(text: string): string | undefined {
  const body = text.replace(/^sha-?256:/i, "");
  const hex = /^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/i.test(body) ? body.replaceAll(":", "") : body;
  return /^[0-9a-f]{64}$/i.test(hex) ? hex.toLowerCase() : undefined;
}

/**
 * Whether a certificate's SHA-256 (any case, colons allowed, as
 * `fingerprintOf` prints it) is one of the pins.
 *
 * @example
 * ```ts
 * pinMatches("AB:CD:...", ["abcd..."]); // true
 * ```
 */
export function pinMatches(fingerprint: string, pins: readonly string[]): boolean {
  const hex = fingerprint.replaceAll(":", "").toLowerCase();
  return pins.includes(hex);
}

/**
 * Why a certificate fails `--ssl-pin`, in words, or `undefined` when its
 * SHA-256 is one of the pins.
 *
 * @param fingerprint the certificate's SHA-256 as `fingerprintOf` prints it
 * @example
 * ```ts
 * pinFailure("AB:CD:...", ["00..."]); // "certificate SHA-256 AB:CD:... is not one of the --ssl-pin hashes"
 * ```
 */
export function pinFailure(fingerprint: string, pins: readonly string[]): string | undefined {
  return pinMatches(fingerprint, pins)
    ? undefined
    : `certificate SHA-256 ${fingerprint} is not one of the --ssl-pin hashes`;
}
