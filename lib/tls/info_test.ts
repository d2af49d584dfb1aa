import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { generateSelfSigned } from "./self_signed.ts";
import { fingerprintOf, formatTlsInfo, subjectOf, type TlsInfo } from "./info.ts";

Deno.test("fingerprintOf gives the colon hex SHA-256 of PEM text and of DER bytes alike", async () => {
  const { cert } = await generateSelfSigned();
  const x = new X509Certificate(cert);
  assert.equal(fingerprintOf(cert), x.fingerprint256);
  assert.equal(fingerprintOf(new Uint8Array(x.raw)), x.fingerprint256);
});

Deno.test("subjectOf joins the subject's parts on one line", async () => {
  const { cert } = await generateSelfSigned({ commonName: "one" });
  assert.equal(subjectOf(new X509Certificate(cert)), "CN=one");
});

Deno.test("formatTlsInfo says version, cipher, ALPN, peer and whether it was verified", () => {
  const info: TlsInfo = {
    protocol: "TLSv1.3",
    cipher: "TLS_AES_128_GCM_SHA256",
    alpn: "h2",
    peerSubject: "CN=localhost",
    peerFingerprint: "AB:CD",
    verified: true,
  };
  assert.deepEqual(formatTlsInfo(info), [
    "TLS TLSv1.3 (TLS_AES_128_GCM_SHA256), ALPN h2",
    "peer certificate CN=localhost, SHA-256 AB:CD, verified",
  ]);
  assert.deepEqual(
    formatTlsInfo({ ...info, alpn: null, verified: false, verifyError: "self-signed certificate" }),
    [
      "TLS TLSv1.3 (TLS_AES_128_GCM_SHA256), ALPN none",
      "peer certificate CN=localhost, SHA-256 AB:CD, NOT verified (self-signed certificate)",
    ],
  );
  assert.equal(
    formatTlsInfo({ ...info, peerSubject: null, peerFingerprint: null, verified: false })[1],
    "peer certificate: none",
  );
});

Deno.test("formatTlsInfo tells a pinned certificate apart, and whether its chain was checked too", () => {
  const info: TlsInfo = {
    protocol: "TLSv1.3",
    cipher: null,
    alpn: null,
    peerSubject: "CN=x",
    peerFingerprint: "AB:CD",
    verified: true,
  };
  assert.equal(
    formatTlsInfo({ ...info, pinned: true, pinOnly: true })[1],
    "peer certificate CN=x, SHA-256 AB:CD, pinned (chain not checked)",
  );
  assert.equal(
    formatTlsInfo({ ...info, pinned: true })[1],
    "peer certificate CN=x, SHA-256 AB:CD, verified, pinned",
  );
});
