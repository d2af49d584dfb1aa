import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { generateSelfSigned } from "./self_signed.ts";
import { handshakeError, sessionError, verifyError, verifyFailureWords } from "./failure.ts";

const DAY = 86400_000;

Deno.test("verifyFailureWords names the reason, checking the certificate's own dates and issuer", async () => {
  const { cert } = await generateSelfSigned({ days: 10 });
  const raw = new Uint8Array(new X509Certificate(cert).raw);
  const later = new Date(Date.now() + 20 * DAY);
  const earlier = new Date(Date.now() - 2 * DAY);
  const cases: [string, Uint8Array | undefined, Date | undefined, RegExp][] = [
    // Deno reports an expired certificate from a known CA as this code.
    [
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      raw,
      later,
      /^certificate expired on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    ],
    ["CERT_HAS_EXPIRED", undefined, undefined, /^certificate expired$/],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", raw, earlier, /^certificate is not valid before /],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", raw, undefined, /^self-signed certificate$/],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", raw, undefined, /^self-signed certificate$/],
    ["SELF_SIGNED_CERT_IN_CHAIN", undefined, undefined, /^unknown issuer$/],
    [
      "ERR_TLS_CERT_ALTNAME_INVALID",
      raw,
      undefined,
      /^certificate is not valid for name 'example\.com' \(only for DNS:localhost, IP Address:127\.0\.0\.1, IP Address:::1\)$/,
    ],
    ["CERT_REVOKED", undefined, undefined, /^cert revoked$/],
  ];
  for (const [code, r, now, re] of cases) {
    assert.match(verifyFailureWords(code, r, "example.com", now), re, code);
  }
});

Deno.test("verifyError and handshakeError are network errors naming the peer", () => {
  const v = verifyError("127.0.0.1:443", "self-signed certificate");
  assert.equal(v.exitCode, 1);
  assert.equal(
    v.message,
    "TLS handshake with 127.0.0.1:443: certificate verification failed: self-signed certificate",
  );
  const cases: [unknown, string][] = [
    [
      Object.assign(new Error("wrong version number"), { code: "ERR_SSL_WRONG_VERSION_NUMBER" }),
      "the peer does not speak TLS (a plain TCP service?)",
    ],
    [
      new Error("Client network socket disconnected before secure TLS connection was established"),
      "the peer closed the connection during the handshake",
    ],
    [
      new Error("received fatal alert: CertificateRequired"),
      "the peer refused the handshake (alert: certificate required)",
    ],
    [
      Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
      "connection reset by peer",
    ],
  ];
  for (const [err, words] of cases) {
    const e = handshakeError("[::1]:8443", err);
    assert.equal(e.exitCode, 1);
    assert.equal(e.message, `TLS handshake with [::1]:8443: ${words}`);
  }
});

Deno.test("sessionError words a TLS alert after the handshake and leaves other errors alone", () => {
  const alert = Object.assign(new Error("received fatal alert: CertificateRequired"), {
    code: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
  });
  assert.equal(
    sessionError(alert).message,
    "the peer ended the TLS session: certificate required (give one with --ssl-cert and --ssl-key)",
  );
  assert.equal(
    sessionError(new Error("received fatal alert: DecryptError")).message,
    "the peer ended the TLS session: decrypt error",
  );
  const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
  assert.equal(sessionError(reset), reset);
});
