import assert from "node:assert/strict";
import { systemTrustStore, trustedCerts } from "./trust.ts";
import { generateSelfSigned } from "./self_signed.ts";

Deno.test("systemTrustStore reads the system's store, and trustedCerts adds to it", () => {
  const store = systemTrustStore();
  assert.ok(store.certs.length > 0);
  assert.deepEqual(trustedCerts(["EXTRA"]), [...store.certs, "EXTRA"]);
});

Deno.test("systemTrustStore follows SSL_CERT_FILE, and falls back to the bundled list without a store", async () => {
  const dir = await Deno.makeTempDir({ prefix: "socktool-trust-" });
  try {
    const { cert } = await generateSelfSigned();
    await Deno.writeTextFile(`${dir}/one.pem`, cert);
    const url = new URL("./trust.ts", import.meta.url).href;
    const script = `import { systemTrustStore } from "${url}";
      const s = systemTrustStore(); console.log(s.source, s.certs.length);`;
    const run = async (env: Record<string, string>) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["eval", "-q", script],
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      return new TextDecoder().decode(out.stdout).trim();
    };
    assert.equal(await run({ SSL_CERT_FILE: `${dir}/one.pem` }), "system 1");
    assert.match(
      await run({ SSL_CERT_FILE: `${dir}/missing.pem`, SSL_CERT_DIR: `${dir}/none` }),
      /^bundled \d{3}$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
