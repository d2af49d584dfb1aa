import assert from "node:assert/strict";
import { X509CertificateGenerator } from "npm:@peculiar/x509@1.14.3";
import { certificateNameKeys, parseNameConstraints, pemCertificates } from "./der.ts";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

async function cert(subject: string, issuer: string): Promise<Uint8Array> {
  const keys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]) as CryptoKeyPair;
  const c = await X509CertificateGenerator.create({
    serialNumber: "01",
    subject,
    issuer,
    notBefore: new Date(),
    notAfter: new Date(Date.now() + 86400_000),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
  });
  return new Uint8Array(c.rawData);
}

Deno.test("certificateNameKeys gives names that OpenSSL calls equal the same key", async () => {
  const a = certificateNameKeys(await cert("CN=Test  CA, O=Example", "CN=Root"));
  const b = certificateNameKeys(await cert("CN=test ca, O=EXAMPLE ", "CN=Root"));
  const c = certificateNameKeys(await cert("CN=Test CA2, O=Example", "CN=Root"));
  assert.equal(a.subject, b.subject);
  assert.notEqual(a.subject, c.subject);
  assert.equal(a.issuer, c.issuer);
  assert.notEqual(a.issuer, a.subject);
});

Deno.test("certificateNameKeys reads an X.509 v1 certificate (no version field) made by openssl", async () => {
  const dir = await Deno.makeTempDir({ prefix: "socktool-der-" });
  const openssl = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "piped" }).output();
    assert.ok(out.success, `openssl ${args.join(" ")}`);
    return new TextDecoder().decode(out.stdout);
  };
  try {
    await openssl(
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-out",
      "k.pem",
    );
    await openssl("req", "-new", "-key", "k.pem", "-subj", "/CN=v1", "-out", "r.csr");
    // Signed from a request with no extensions: a version 1 certificate.
    await openssl("x509", "-req", "-in", "r.csr", "-key", "k.pem", "-days", "1", "-out", "v1.pem");
    assert.match(await openssl("x509", "-in", "v1.pem", "-noout", "-text"), /Version: 1 \(0x0\)/);
    const [v1] = pemCertificates(await Deno.readTextFile(`${dir}/v1.pem`));
    const keys = certificateNameKeys(v1);
    assert.equal(keys.subject, keys.issuer);
    assert.equal(keys.subject, certificateNameKeys(await cert("CN=v1", "CN=x")).subject);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("certificateNameKeys refuses what is not a certificate", () => {
  assert.throws(() => certificateNameKeys(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])));
  assert.throws(() => certificateNameKeys(new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff])));
  assert.throws(() => certificateNameKeys(new Uint8Array([])));
});

Deno.test("parseNameConstraints reads DNS and IP subtrees and skips other forms", () => {
  const enc = new TextEncoder();
  const tlv = (tag: number, ...parts: number[][]) => {
    const body = parts.flat();
    return [tag, body.length, ...body];
  };
  const value = tlv(
    0x30,
    tlv(0xa0, tlv(0x30, tlv(0x82, [...enc.encode("Example.COM")])), tlv(0x30, tlv(0x81, [0x61]))),
    tlv(0xa1, tlv(0x30, tlv(0x87, [10, 0, 0, 0, 255, 0, 0, 0]))),
  );
  const nc = parseNameConstraints(new Uint8Array(value));
  assert.deepEqual(nc.permitted.dns, ["example.com"]);
  assert.deepEqual(nc.permitted.ips, []);
  assert.deepEqual(nc.excluded.ips.map((b) => Array.from(b)), [[10, 0, 0, 0, 255, 0, 0, 0]]);
  assert.throws(() => parseNameConstraints(new Uint8Array(tlv(0x30, tlv(0xa2, [])))));
  assert.throws(() =>
    parseNameConstraints(new Uint8Array(tlv(0x30, tlv(0xa0, tlv(0x30, tlv(0x87, [1, 2, 3]))))))
  );
});
