import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { generateSelfSigned } from "./self_signed.ts";
import {
  alertOf,
  handshakeError,
  sessionErrorFor,
  verifyError,
  verifyFailureWords,
} from "./failure.ts";
import { SocktoolError } from "../errors.ts";

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

Deno.test("sessionErrorFor makes a TLS alert after the handshake an exit-1 error and leaves other errors alone", () => {
  const alert = (code: string) => Object.assign(new Error("received fatal alert: X"), { code });
  const required = alert("ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED");
  const noCert = sessionErrorFor("127.0.0.1:8443", false);
  const withCert = sessionErrorFor("127.0.0.1:8443", true);
  const e = noCert(required);
  assert.ok(e instanceof SocktoolError);
  assert.equal(e.exitCode, 1);
  assert.equal(
    e.message,
    "TLS session with 127.0.0.1:8443: the server requires a client certificate (give one with --ssl-cert and --ssl-key)",
  );
  assert.equal(
    withCert(alert("ERR_SSL_TLSV1_ALERT_UNKNOWN_CA")).message,
    "TLS session with 127.0.0.1:8443: the server refused our client certificate (alert: unknown ca)",
  );
  assert.equal(
    noCert(alert("ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR")).message,
    "TLS session with 127.0.0.1:8443: the peer ended the TLS session (alert: decrypt error)",
  );
  const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
  assert.equal(noCert(reset), reset);
});

Deno.test("alertOf reads the alert from the error code, else from the message", () => {
  const coded = Object.assign(new Error("x"), { code: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" });
  assert.equal(alertOf(coded), "handshake failure");
  assert.equal(alertOf(new Error("received fatal alert: BadRecordMac")), "bad record mac");
  assert.equal(alertOf(Object.assign(new Error("x"), { code: "ECONNRESET" })), undefined);
  assert.equal(alertOf(undefined), undefined);
});

Deno.test("verifyFailureWords and handshakeError escape what came from the peer", async () => {
  const { cert } = await generateSelfSigned({ altNames: ["evil\x1b]0;pwned\x07.example"] });
  const raw = new Uint8Array(new X509Certificate(cert).raw);
  const words = verifyFailureWords("ERR_TLS_CERT_ALTNAME_INVALID", raw, "example.com");
  assert.ok(!words.includes("\x1b") && !words.includes("\x07"), words);
  assert.match(words, /evil\\033\]0;pwned\\007\.example/);
  const e = handshakeError("127.0.0.1:1", new Error("peer said \x1b[2J"));
  assert.equal(e.message, "TLS handshake with 127.0.0.1:1: peer said \\033[2J");
});
