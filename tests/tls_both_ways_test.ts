/**
 * End-to-end tests of TLS both ways: a listener that requires client
 * certificates (`-l --ssl --ssl-verify --ssl-trustfile CA`, or `--ssl-pin`)
 * and certificate pinning on the client (`--ssl-pin sha256:HEX`), with
 * openssl s_client and s_server, curl `--cert`, and socktool against itself.
 */

import assert from "node:assert/strict";
import { type Running, spawn, spawnSocktool } from "./_test_utils/harness.ts";
import { dec } from "./_test_utils/client.ts";
import { makeTestCerts, opensslFingerprint, type TestCerts } from "./_test_utils/tls_certs.ts";

async function stop(proc: Running): Promise<{ stdout: string; stderr: string }> {
  proc.kill();
  const r = await proc.finish();
  return { stdout: dec(r.stdout), stderr: r.stderr };
}

/** A `-k` TLS listener that requires client certificates; its port. */
async function clientCertListener(
  certs: TestCerts,
  extra: string[],
): Promise<{ proc: Running; port: number }> {
  const proc = spawnSocktool([
    "-lkv",
    "--ssl",
    "--ssl-cert",
    certs.serverCert,
    "--ssl-key",
    certs.serverKey,
    ...extra,
    "127.0.0.1",
    "0",
  ], { stdin: "null" });
  return { proc, port: await proc.listeningPort() };
}

/** openssl s_client sending `data` then ending; its exit code and stderr. */
async function sClient(port: number, data: string, cert?: [string, string]) {
  const args = ["s_client", "-quiet", "-no_ign_eof", "-connect", `127.0.0.1:${port}`];
  if (cert) args.push("-cert", cert[0], "-key", cert[1]);
  const c = spawn("openssl", args);
  await c.write(data);
  await c.closeStdin();
  return await c.finish(10_000);
}

Deno.test("-l --ssl --ssl-verify --ssl-trustfile: a client certificate from the CA gets in; none, a self-signed one and a server-only one are refused unread, -v says why", async () => {
  const certs = await makeTestCerts();
  const { proc, port } = await clientCertListener(certs, [
    "--ssl-verify",
    "--ssl-trustfile",
    certs.caCert,
  ]);
  try {
    await proc.waitForStderr(
      /client certificates required: signed by the --ssl-trustfile CAs \(1\)/,
    );
    await sClient(port, "secret from nobody\n");
    await proc.waitForStderr(/client certificate refused: the client sent no certificate/);
    await sClient(port, "secret from self\n", [certs.selfCert, certs.selfKey]);
    await proc.waitForStderr(/client certificate refused: self-signed certificate\n/);
    await sClient(port, "secret from a server\n", [certs.serverCert, certs.serverKey]);
    await proc.waitForStderr(
      /client certificate refused: certificate is not for TLS clients \(extendedKeyUsage without clientAuth\)/,
    );
    const good = await sClient(port, "hello from the client\n", [
      certs.clientCert,
      certs.clientKey,
    ]);
    assert.equal(good.code, 0, good.stderr);
    await proc.waitForStderr(/peer certificate CN=socktool-client, SHA-256 [0-9A-F:]+, verified/);
    await proc.waitForStderr(/sent 0 bytes, received 22 bytes/);
    const { stdout } = await stop(proc);
    assert.equal(stdout, "hello from the client\n", "nothing a refused client sent was read");
  } finally {
    proc.kill();
    await proc.finish();
    await certs.remove();
  }
});

Deno.test("curl --cert reaches a socktool listener that requires client certificates; curl without one does not", async () => {
  const certs = await makeTestCerts();
  const { proc, port } = await clientCertListener(certs, [
    "--ssl-verify",
    "--ssl-trustfile",
    certs.caCert,
    "-c",
    "printf 'HTTP/1.0 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\nhello\\n'",
  ]);
  const curl = (...extra: string[]) =>
    spawn("curl", [
      "-sS",
      "--max-time",
      "10",
      "--cacert",
      certs.caCert,
      ...extra,
      `https://localhost:${port}/`,
    ], { stdin: "null" }).finish();
  try {
    const good = await curl("--cert", certs.clientCert, "--key", certs.clientKey);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(dec(good.stdout), "hello\n");
    const none = await curl();
    assert.notEqual(none.code, 0);
    assert.equal(dec(none.stdout), "");
    await proc.waitForStderr(/client certificate refused: the client sent no certificate/);
  } finally {
    await stop(proc);
    await certs.remove();
  }
});

Deno.test("socktool against itself: the listener pins the client's certificate, the client pins the listener's self-signed one", async () => {
  const certs = await makeTestCerts();
  const clientPin = `sha256:${await opensslFingerprint(certs.clientCert)}`;
  const srv = spawnSocktool(
    ["-lkv", "--ssl", "--ssl-pin", clientPin, "127.0.0.1", "0"],
    { stdin: "null" },
  );
  try {
    const port = await srv.listeningPort();
    const serverPin = (await srv.waitForStderr(/self-signed certificate SHA-256 ([0-9A-F:]+)/))[1];
    const client = (args: string[]) => {
      const c = spawnSocktool(["-v", "--ssl", ...args, "127.0.0.1", String(port)]);
      return c.write("pinned both ways\n").then(() => c.closeStdin()).then(() => c.finish(10_000));
    };
    const ok = await client([
      "--ssl-pin",
      "sha256:" + "00".repeat(32),
      "--ssl-pin",
      serverPin,
      "--ssl-cert",
      certs.clientCert,
      "--ssl-key",
      certs.clientKey,
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stderr,
      /peer certificate CN=[^,]*, SHA-256 [0-9A-F:]+, pinned \(chain not checked\)/,
    );
    await srv.waitForStderr(/peer certificate CN=socktool-client, SHA-256 [0-9A-F:]+, pinned/);

    const wrongPin = await client(["--ssl-pin", "ab".repeat(32)]);
    assert.equal(wrongPin.code, 1);
    assert.match(
      wrongPin.stderr,
      /^socktool: TLS handshake with 127\.0\.0\.1:\d+: certificate verification failed: certificate SHA-256 [0-9A-F:]+ is not one of the --ssl-pin hashes$/m,
    );
    // A client certificate from the right CA is not enough: the listener wants that one certificate.
    const otherCert = await client([
      "--ssl-pin",
      serverPin,
      "--ssl-cert",
      certs.serverCert,
      "--ssl-key",
      certs.serverKey,
    ]);
    assert.equal(dec(otherCert.stdout), "");
    await srv.waitForStderr(
      /client certificate refused: certificate SHA-256 [0-9A-F:]+ is not one of the --ssl-pin hashes/,
    );
    const { stdout } = await stop(srv);
    assert.equal(stdout, "pinned both ways\n", "only the pinned client was read");
  } finally {
    srv.kill();
    await srv.finish();
    await certs.remove();
  }
});

Deno.test("--ssl-pin against openssl s_server: a pinned self-signed certificate passes without a trust file; --ssl-verify adds the chain check", async () => {
  const certs = await makeTestCerts();
  const pin = await opensslFingerprint(certs.selfCert);
  // s_server prints where it listens on stdout: sent to stderr to be read.
  const server = spawn("sh", [
    "-c",
    'exec openssl s_server -accept 127.0.0.1:0 "$@" 1>&2',
    "sh",
    "-cert",
    certs.selfCert,
    "-key",
    certs.selfKey,
  ]);
  try {
    const port = Number((await server.waitForStderr(/ACCEPT 127\.0\.0\.1:(\d+)/))[1]);
    const client = (args: string[]) =>
      spawnSocktool(["--ssl", ...args, "-q", "0", "localhost", String(port)], { stdin: "null" })
        .finish(10_000);
    const pinned = await client(["--ssl-pin", `SHA256:${pin.replaceAll(":", "")}`]);
    assert.equal(pinned.code, 0, pinned.stderr);
    const unpinned = await client([]);
    assert.equal(unpinned.code, 1);
    assert.match(unpinned.stderr, /certificate verification failed: self-signed certificate/);
    const both = await client(["--ssl-verify", "--ssl-pin", pin]);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /certificate verification failed: self-signed certificate/);
    const bothTrusted = await client([
      "--ssl-verify",
      "--ssl-pin",
      pin,
      "--ssl-trustfile",
      certs.selfCert,
    ]);
    assert.equal(bothTrusted.code, 0, bothTrusted.stderr);
  } finally {
    await stop(server);
    await certs.remove();
  }
});
