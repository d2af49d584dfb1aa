/**
 * socktool's own check of the server's certificate (issue 11), through the
 * CLI as users run it, against `openssl s_server` presenting forged chains:
 * nothing may be sent, the exit is 1 with one line naming the reason, and
 * `-v` says `verified` only for a chain that passed. Also: peer text on
 * stderr is escaped, and a server that wants a client certificate we lack
 * is an exit 1 in TLS 1.2 and 1.3.
 */
import assert from "node:assert/strict";
import { freePort, type Running, spawn, spawnSocktool } from "./_test_utils/harness.ts";
import { type ForgedCerts, makeForgedCerts } from "./_test_utils/forged_certs.ts";

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

let certs: Promise<ForgedCerts> | undefined;
/** The certificates, made once for this file and removed when it ends. */
function forged(): Promise<ForgedCerts> {
  return certs ??= makeForgedCerts().then((c) => {
    globalThis.addEventListener("unload", () => Deno.removeSync(c.dir, { recursive: true }));
    return c;
  });
}

/** Waits until something listens on `port`, without using up s_server's single accept. */
async function waitForListen(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const out = await new Deno.Command("ss", {
      args: ["-ltnH", `sport = :${port}`],
      stdout: "piped",
    })
      .output();
    if (dec(out.stdout).includes(`:${port}`)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nothing listens on ${port}`);
}

/**
 * An `openssl s_server` for one client, presenting `cert` (and `chain`), that
 * prints on stdout every byte it receives.
 */
async function sServer(
  cert: string,
  chain: string[],
  extra: string[] = [],
): Promise<{ srv: Running; port: number }> {
  const f = await forged();
  const port = freePort();
  const chainArgs = chain.length ? ["-cert_chain", await bundle(chain)] : [];
  const srv = spawn("openssl", [
    "s_server",
    "-quiet",
    "-naccept",
    "1",
    "-accept",
    `127.0.0.1:${port}`,
    "-cert",
    cert,
    "-key",
    f.leafKey,
    ...chainArgs,
    ...extra,
  ]);
  await waitForListen(port);
  return { srv, port };
}

/** One PEM file holding `files`, in order. */
async function bundle(files: string[]): Promise<string> {
  const path = await Deno.makeTempFile({ dir: (await forged()).dir, suffix: ".pem" });
  await Deno.writeTextFile(
    path,
    (await Promise.all(files.map((p) => Deno.readTextFile(p)))).join(""),
  );
  return path;
}

/** Runs socktool as a TLS client sending `hello`, and the server to its end. */
async function clientAgainst(
  server: { srv: Running; port: number },
  args: string[],
  env?: Record<string, string>,
) {
  const client = spawnSocktool([...args, "localhost", String(server.port)], { env });
  await client.write("hello from socktool\n");
  await client.closeStdin();
  const r = await client.finish();
  const s = await server.srv.finish();
  return { ...r, received: dec(s.stdout) };
}

/** Asserts exit 1, exactly one stderr line matching `re`, and not one byte sent. */
function assertRefused(
  r: { code: number; stderr: string; received: string },
  port: number,
  words: string,
) {
  assert.equal(r.code, 1, r.stderr);
  const line =
    `socktool: TLS handshake with 127.0.0.1:${port}: certificate verification failed: ${words}\n`;
  assert.equal(r.stderr, line);
  assert.equal(r.received, "", "the server received data");
}

Deno.test("a forged X.509 v1 leaf with the trusted CA's name is refused, nothing sent", async () => {
  const f = await forged();
  const server = await sServer(f.forgedV1, []);
  const r = await clientAgainst(server, ["--ssl", "--ssl-trustfile", f.caCert]);
  assertRefused(r, server.port, "signature does not match issuer 'CN=socktool test CA'");
});

Deno.test("a forged X.509 v3 leaf with the trusted CA's name is refused, nothing sent", async () => {
  const f = await forged();
  const server = await sServer(f.forgedV3, []);
  const r = await clientAgainst(server, ["--ssl", "--ssl-trustfile", f.caCert]);
  assertRefused(r, server.port, "signature does not match issuer 'CN=socktool test CA'");
});

Deno.test("a leaf signed by a same-name CA with another key is refused, even with -v", async () => {
  const f = await forged();
  const server = await sServer(f.forgedV3, [f.sameNameCa]);
  const r = await clientAgainst(server, ["-v", "--ssl", "--ssl-trustfile", f.caCert]);
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\bverified\b/);
  assert.match(
    r.stderr,
    /^socktool: TLS handshake with 127\.0\.0\.1:\d+: certificate verification failed: chain certificate 'CN=socktool test CA': signature does not match issuer 'CN=socktool test CA'$/m,
  );
  assert.equal(r.received, "");
});

Deno.test("an expired intermediate is refused, naming it", async () => {
  const f = await forged();
  const server = await sServer(f.leafCert, [f.intExpired]);
  const r = await clientAgainst(server, ["--ssl", "--ssl-trustfile", f.caCert]);
  assertRefused(
    r,
    server.port,
    "issuer 'CN=socktool test int' expired on 2020-01-02 00:00:00 UTC",
  );
});

Deno.test("an intermediate without keyCertSign, or with CA:FALSE, is refused", async () => {
  const f = await forged();
  const noSign = await sServer(f.leafCert, [f.intNoCertSign]);
  assertRefused(
    await clientAgainst(noSign, ["--ssl", "--ssl-trustfile", f.caCert]),
    noSign.port,
    "issuer 'CN=socktool test int' may not sign certificates (keyUsage without keyCertSign)",
  );
  const notCa = await sServer(f.leafCert, [f.intNotCa]);
  assertRefused(
    await clientAgainst(notCa, ["--ssl", "--ssl-trustfile", f.caCert]),
    notCa.port,
    "issuer 'CN=socktool test int' is not a CA (basicConstraints CA:FALSE)",
  );
});

Deno.test("the legitimate chain (leaf + intermediate + root) works, and -v says verified", async () => {
  const f = await forged();
  const server = await sServer(f.leafCert, [f.intCert, f.caCert]);
  const r = await clientAgainst(server, ["-v", "--ssl", "--ssl-trustfile", f.caCert]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /peer certificate CN=localhost, SHA-256 [0-9A-F:]+, verified$/m);
  assert.equal(r.received, "hello from socktool\n");
});

Deno.test("the system trust store gets the same check: forged refused, legitimate accepted", async () => {
  const f = await forged();
  // SSL_CERT_FILE stands in for the system's store (lib/tls/trust.ts reads it).
  const env = { SSL_CERT_FILE: f.caCert };
  const bad = await sServer(f.forgedV1, []);
  assertRefused(
    await clientAgainst(bad, ["--ssl"], env),
    bad.port,
    "signature does not match issuer 'CN=socktool test CA'",
  );
  const good = await sServer(f.leafCert, [f.intCert]);
  const r = await clientAgainst(good, ["-v", "--ssl"], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /, verified$/m);
  assert.equal(r.received, "hello from socktool\n");
});

Deno.test("certificate names with terminal escapes reach stderr escaped, with and without -v", async () => {
  const f = await forged();
  const shown = "evil\\033]0;pwned\\007";
  const noRaw = (stderr: string) =>
    assert.ok(!stderr.includes("\x1b") && !stderr.includes("\x07"), JSON.stringify(stderr));

  // Unknown issuer: the issuer's name, without -v.
  const a = await sServer(f.escapeLeaf, []);
  const ra = await clientAgainst(a, ["--ssl", "--ssl-trustfile", f.caCert]);
  noRaw(ra.stderr);
  assertRefused(ra, a.port, `unknown issuer 'CN=${shown} CA'`);

  // Wrong name: the SAN, without -v.
  const b = await sServer(f.escapeLeaf, []);
  const rb = await clientAgainst(b, ["--ssl", "--ssl-trustfile", f.escapeCa]);
  noRaw(rb.stderr);
  assertRefused(
    rb,
    b.port,
    `certificate is not valid for name 'localhost' (only for DNS:${shown}.test)`,
  );

  // -v with --ssl-insecure: the peer line.
  const c = await sServer(f.escapeLeaf, []);
  const rc = await clientAgainst(c, ["-v", "--ssl", "--ssl-insecure"]);
  noRaw(rc.stderr);
  assert.equal(rc.code, 0, rc.stderr);
  assert.ok(rc.stderr.includes(`peer certificate CN=${shown}, SHA-256 `), rc.stderr);
  assert.match(rc.stderr, /NOT verified \(unknown issuer 'CN=evil\\033\]0;pwned\\007 CA'\)$/m);
});

for (const version of ["tls1_2", "tls1_3"]) {
  Deno.test(`a server that requires a client certificate (${version}) is exit 1 with one line`, async () => {
    const f = await forged();
    const server = await sServer(f.leafCert, [f.intCert], [
      `-${version}`,
      "-Verify",
      "1",
      "-CAfile",
      f.caCert,
    ]);
    const r = await clientAgainst(server, ["--ssl", "--ssl-trustfile", f.caCert]);
    assert.equal(r.code, 1, r.stderr);
    // TLS 1.2 refuses during the handshake; TLS 1.3 after our side has finished it.
    const stage = version === "tls1_2" ? "handshake" : "session";
    assert.equal(
      r.stderr,
      `socktool: TLS ${stage} with 127.0.0.1:${server.port}: the server requires a client certificate (give one with --ssl-cert and --ssl-key)\n`,
    );
    assert.equal(r.received, "");
  });
}

for (const version of ["tls1_2", "tls1_3"]) {
  Deno.test(`a server that refuses our client certificate (${version}) is exit 1 with one line`, async () => {
    const f = await forged();
    const server = await sServer(f.leafCert, [f.intCert], [
      `-${version}`,
      "-Verify",
      "1",
      "-verify_return_error",
      "-CAfile",
      f.caCert,
    ]);
    const r = await clientAgainst(server, [
      "--ssl",
      "--ssl-trustfile",
      f.caCert,
      "--ssl-cert",
      f.strangerClient,
      "--ssl-key",
      f.leafKey,
    ]);
    assert.equal(r.code, 1, r.stderr);
    const stage = version === "tls1_2" ? "handshake" : "session";
    assert.equal(
      r.stderr,
      `socktool: TLS ${stage} with 127.0.0.1:${server.port}: the server refused our client certificate (alert: unknown ca)\n`,
    );
    assert.equal(r.received, "");
  });
}

Deno.test("--ssl-servername '' is a usage error (it used to verify against localhost)", async () => {
  const r = await spawnSocktool(["--ssl", "--ssl-servername", "", "127.0.0.1", "9"]).finish();
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "socktool: option --ssl-servername needs a name: '' is empty (see 'socktool --help')\n",
  );
});
