import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { generateSelfSigned } from "./self_signed.ts";

Deno.test("generateSelfSigned makes a fresh P-256 certificate for loopback names, with its key and fingerprint", async () => {
  const a = await generateSelfSigned();
  const b = await generateSelfSigned();
  const cert = new X509Certificate(a.cert);
  assert.equal(cert.subject, "CN=socktool");
  assert.equal(
    cert.subjectAltName,
    "DNS:localhost, IP Address:127.0.0.1, IP Address:::1",
  );
  assert.equal(cert.ca, false);
  assert.ok(cert.checkIssued(cert), "self-signed");
  assert.ok(cert.checkPrivateKey(createPrivateKey(a.key)), "key matches");
  assert.equal(a.fingerprint, cert.fingerprint256);
  assert.match(a.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.notEqual(a.fingerprint, b.fingerprint, "each certificate is new");
  const now = Date.now();
  assert.ok(
    cert.validFromDate.getTime() < now && cert.validToDate.getTime() > now + 29 * 86400_000,
  );
});

Deno.test("generateSelfSigned takes a name and more alternative names", async () => {
  const { cert } = await generateSelfSigned({
    commonName: "box",
    altNames: ["box.example", "192.0.2.9"],
    days: 1,
  });
  const x = new X509Certificate(cert);
  assert.equal(x.subject, "CN=box");
  assert.match(x.subjectAltName!, /DNS:box\.example, IP Address:192\.0\.2\.9$/);
  assert.ok(x.validToDate.getTime() < Date.now() + 2 * 86400_000);
});
