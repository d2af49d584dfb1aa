import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { generateSelfSigned } from "./self_signed.ts";
import { loadTlsFiles, TlsFileError, type TlsFileOptions } from "./files.ts";

async function withFiles(fn: (path: (name: string) => string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "socktool-tls-files-" });
  try {
    const a = await generateSelfSigned({ commonName: "a" });
    const b = await generateSelfSigned({ commonName: "b" });
    const encrypted = createPrivateKey(a.key).export({
      type: "pkcs8",
      format: "pem",
      cipher: "aes-256-cbc",
      passphrase: "secret",
    }) as string;
    const files: Record<string, string> = {
      "a.pem": a.cert,
      "a.key": a.key,
      "b.key": b.key,
      "both.pem": a.cert + a.key,
      "cas.pem": a.cert + "\n" + b.cert,
      "enc.key": encrypted,
      "text.txt": "not a certificate\n",
      "broken.pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    };
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    await fn((name) => `${dir}/${name}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Expects a TlsFileError matching `re` (prepare.ts makes it exit 2). */
async function rejectsUsage(opts: TlsFileOptions, re: RegExp): Promise<void> {
  const err = await loadTlsFiles(opts).then(() => assert.fail("should fail"), (e) => e);
  assert.ok(err instanceof TlsFileError, String(err));
  assert.match(err.message, re);
}

Deno.test("loadTlsFiles reads a certificate and its key, from two files or one", () =>
  withFiles(async (f) => {
    const two = await loadTlsFiles({ cert: f("a.pem"), key: f("a.key") });
    assert.match(two.cert!, /^-----BEGIN CERTIFICATE-----/);
    assert.match(two.key!, /^-----BEGIN PRIVATE KEY-----/);
    const one = await loadTlsFiles({ cert: f("both.pem") });
    assert.equal(one.key, two.key);
    assert.deepEqual(one.caCerts, []);
  }));

Deno.test("loadTlsFiles reads every certificate of a trust file", () =>
  withFiles(async (f) => {
    const m = await loadTlsFiles({ trustFile: f("cas.pem") });
    assert.equal(m.caCerts.length, 2);
    assert.equal(m.cert, undefined);
  }));

Deno.test("loadTlsFiles says what is wrong with each file, naming it, as a TlsFileError", () =>
  withFiles(async (f) => {
    const cases: [TlsFileOptions, RegExp][] = [
      [
        { cert: f("a.pem"), key: "/nonexistent/x.key" },
        /^cannot read --ssl-key file '\/nonexistent\/x\.key': no such file or directory$/,
      ],
      [{ cert: f("") }, /^cannot read --ssl-cert file '.*\/': is a directory$/],
      [
        { trustFile: f("text.txt") },
        /^--ssl-trustfile file '.*text\.txt' holds no PEM certificate$/,
      ],
      [{ trustFile: f("broken.pem") }, /^--ssl-trustfile file '.*broken\.pem': bad certificate: /],
      [
        { cert: f("text.txt"), key: f("a.key") },
        /^--ssl-cert file '.*text\.txt' holds no PEM certificate$/,
      ],
      [
        { cert: f("a.pem"), key: f("text.txt") },
        /^--ssl-key file '.*text\.txt' holds no PEM private key$/,
      ],
      [
        { cert: f("a.pem"), key: f("b.key") },
        /^--ssl-key file '.*b\.key': private key does not match the certificate in '.*a\.pem'$/,
      ],
      [
        { cert: f("a.pem"), key: f("enc.key") },
        /^--ssl-key file '.*enc\.key': encrypted private keys are not supported$/,
      ],
      [{ cert: f("a.pem") }, /^option --ssl-cert needs --ssl-key: no private key in '.*a\.pem'$/],
      [{ key: f("a.key") }, /^option --ssl-key needs --ssl-cert$/],
    ];
    for (const [opts, re] of cases) await rejectsUsage(opts, re);
  }));
