/**
 * TLS interop with real peers started here on loopback: `openssl s_server`
 * and `s_client`, `ncat --ssl` both ways. The library functions are driven
 * directly; real bytes go through and are compared.
 */

import assert from "node:assert/strict";
import { SocktoolError } from "../lib/errors.ts";
import { connectTls, type TlsConnectOptions } from "../lib/tls/connect.ts";
import { loadTlsFiles } from "../lib/tls/files.ts";
import { acceptTls, createTlsServer } from "../lib/tls/listen.ts";
import {
  freePort,
  randomBytes,
  readConnToEnd,
  type Running,
  sha256,
  spawn,
  writeConnAll,
} from "./_test_utils/harness.ts";
import { makeTestCerts, opensslFingerprint, type TestCerts } from "./_test_utils/tls_certs.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Starts `openssl s_server` on a free loopback port; its stdout goes to stderr to read the port. */
async function sServer(args: string[]): Promise<{ port: number; proc: Running }> {
  const proc = spawn("sh", [
    "-c",
    'exec openssl s_server -accept 127.0.0.1:0 "$@" 1>&2',
    "sh",
    ...args,
  ]);
  const m = await proc.waitForStderr(/ACCEPT 127\.0\.0\.1:(\d+)/);
  return { port: Number(m[1]), proc };
}

async function stop(proc: Running): Promise<void> {
  proc.kill();
  await proc.finish();
}

async function tlsTo(port: number, opts: TlsConnectOptions) {
  const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
  return await connectTls(tcp, opts);
}

/** Expects a SocktoolError with exit 1 whose message matches `re`. */
async function rejectsNetwork(p: Promise<unknown>, re: RegExp): Promise<void> {
  const err = await p.then(() => assert.fail("should fail"), (e) => e);
  assert.ok(err instanceof SocktoolError, String(err));
  assert.equal(err.exitCode, 1);
  assert.match(err.message, re);
}

async function withCerts(fn: (c: TestCerts) => Promise<void>): Promise<void> {
  const certs = await makeTestCerts();
  try {
    await fn(certs);
  } finally {
    await certs.remove();
  }
}

Deno.test("connectTls verifies openssl s_server with a trust file, reports the session and moves bytes both ways", () =>
  withCerts(async (certs) => {
    const { port, proc } = await sServer([
      "-cert",
      certs.serverCert,
      "-key",
      certs.serverKey,
      "-rev",
      "-alpn",
      "h2,http/1.1",
    ]);
    try {
      const material = await loadTlsFiles({ trustFile: certs.caCert });
      const { conn, info } = await tlsTo(port, {
        serverName: "localhost",
        caCerts: material.caCerts,
        alpnProtocols: ["h2", "http/1.1"],
      });
      assert.equal(info.verified, true);
      assert.equal(info.protocol, "TLSv1.3");
      assert.equal(info.alpn, "h2");
      assert.equal(info.peerSubject, "CN=localhost");
      assert.equal(info.peerFingerprint, await opensslFingerprint(certs.serverCert));
      // s_server -rev sends each line back reversed; our half-close ends its loop.
      await writeConnAll(conn, enc.encode("hello\nworld\n"));
      await conn.closeWrite();
      assert.equal(dec.decode(await readConnToEnd(conn)), "olleh\ndlrow\n");
      conn.close();
    } finally {
      await stop(proc);
    }
  }));

Deno.test("connectTls verifies an IP address against the certificate's IP SAN", () =>
  withCerts(async (certs) => {
    const { port, proc } = await sServer([
      "-cert",
      certs.serverCert,
      "-key",
      certs.serverKey,
      "-rev",
    ]);
    try {
      const caCerts = [await Deno.readTextFile(certs.caCert)];
      const { conn, info } = await tlsTo(port, { serverName: "127.0.0.1", caCerts });
      assert.equal(info.verified, true);
      conn.close();
      await assert.rejects(
        tlsTo(port, { serverName: "127.0.0.2", caCerts }),
        /certificate is not valid for name '127\.0\.0\.2' \(only for DNS:localhost, IP Address:127\.0\.0\.1\)/,
      );
    } finally {
      await stop(proc);
    }
  }));

Deno.test("connectTls says why verification fails: expired, self-signed, wrong name, unknown issuer", () =>
  withCerts(async (certs) => {
    const ca = [await Deno.readTextFile(certs.caCert)];
    const good = await sServer(["-cert", certs.serverCert, "-key", certs.serverKey, "-rev"]);
    const expired = await sServer(["-cert", certs.expiredCert, "-key", certs.serverKey, "-rev"]);
    const self = await sServer(["-cert", certs.selfCert, "-key", certs.selfKey, "-rev"]);
    try {
      // Each message names the peer, then says why.
      const cases: [string, number, TlsConnectOptions, RegExp][] = [
        [
          "expired",
          expired.port,
          { serverName: "localhost", caCerts: ca },
          /^TLS handshake with 127\.0\.0\.1:\d+: certificate verification failed: certificate expired on 2020-01-02 00:00:00 UTC$/,
        ],
        [
          "self-signed",
          self.port,
          { serverName: "localhost" },
          /certificate verification failed: self-signed certificate$/,
        ],
        [
          "wrong name",
          good.port,
          { serverName: "example.com", caCerts: ca },
          /certificate verification failed: certificate is not valid for name 'example\.com'/,
        ],
        [
          "unknown issuer",
          good.port,
          { serverName: "localhost" },
          /certificate verification failed: unknown issuer 'CN=socktool test CA'$/,
        ],
      ];
      for (const [, port, opts, re] of cases) {
        await rejectsNetwork(tlsTo(port, opts), re);
      }
    } finally {
      await Promise.all([stop(good.proc), stop(expired.proc), stop(self.proc)]);
    }
  }));

Deno.test("connectTls with insecure accepts a self-signed server and says why it is not verified", () =>
  withCerts(async (certs) => {
    const { port, proc } = await sServer(["-cert", certs.selfCert, "-key", certs.selfKey, "-rev"]);
    try {
      const { conn, info } = await tlsTo(port, { serverName: "localhost", insecure: true });
      assert.equal(info.verified, false);
      assert.equal(info.verifyError, "self-signed certificate");
      await writeConnAll(conn, enc.encode("abc\n"));
      await conn.closeWrite();
      assert.equal(dec.decode(await readConnToEnd(conn)), "cba\n");
      conn.close();
    } finally {
      await stop(proc);
    }
  }));

Deno.test("connectTls presents a client certificate to openssl s_server that requires one", () =>
  withCerts(async (certs) => {
    const { port, proc } = await sServer([
      "-cert",
      certs.serverCert,
      "-key",
      certs.serverKey,
      "-Verify",
      "1",
      "-verify_return_error",
      "-CAfile",
      certs.caCert,
      "-rev",
    ]);
    try {
      const m = await loadTlsFiles({
        cert: certs.clientCert,
        key: certs.clientKey,
        trustFile: certs.caCert,
      });
      const { conn } = await tlsTo(port, {
        serverName: "localhost",
        caCerts: m.caCerts,
        cert: m.cert,
        key: m.key,
      });
      await writeConnAll(conn, enc.encode("with cert\n"));
      await conn.closeWrite();
      assert.equal(dec.decode(await readConnToEnd(conn)), "trec htiw\n");
      conn.close();
      await proc.waitForStderr(/CN\s?=\s?socktool-client/);

      // Without one, TLS 1.3 finishes the client's handshake first: the
      // server's refusal arrives on the first read.
      const bare = await tlsTo(port, { serverName: "localhost", caCerts: m.caCerts });
      await rejectsNetwork(
        readConnToEnd(bare.conn),
        /^TLS session with 127\.0\.0\.1:\d+: the server requires a client certificate \(give one with --ssl-cert and --ssl-key\)$/,
      );
      bare.conn.close();
    } finally {
      await stop(proc);
    }
  }));

Deno.test("connectTls gives one clear message for a plain TCP peer and for a peer that hangs up", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const serving = (async () => {
    const banner = await listener.accept();
    await writeConnAll(banner, enc.encode("SSH-2.0-OpenSSH_9.2\r\n"));
    const hangup = await listener.accept();
    hangup.close();
    // The banner peer stays until the client gives up on it.
    await banner.read(new Uint8Array(1024)).catch(() => null);
    banner.close();
  })();
  await rejectsNetwork(
    tlsTo(port, { serverName: "localhost" }),
    new RegExp(`^TLS handshake with 127\\.0\\.0\\.1:${port}: the peer does not speak TLS`),
  );
  await rejectsNetwork(
    tlsTo(port, { serverName: "localhost" }),
    /: the peer closed the connection during the handshake$/,
  );
  await serving;
  listener.close();
});

Deno.test("connectTls verifies ncat --ssl's certificate and moves bytes both ways", () =>
  withCerts(async (certs) => {
    const port = freePort();
    const ncat = spawn("ncat", [
      "-v",
      "-l",
      "--ssl",
      "--ssl-cert",
      certs.serverCert,
      "--ssl-key",
      certs.serverKey,
      "127.0.0.1",
      String(port),
    ]);
    try {
      await ncat.waitForStderr(/Listening on 127\.0\.0\.1/);
      await ncat.write("from ncat\n");
      await ncat.closeStdin();
      const payload = randomBytes(200_000, 7);
      const { conn, info } = await tlsTo(port, {
        serverName: "localhost",
        caCerts: [await Deno.readTextFile(certs.caCert)],
      });
      assert.equal(info.verified, true);
      await writeConnAll(conn, payload);
      await conn.closeWrite();
      assert.equal(dec.decode(await readConnToEnd(conn)), "from ncat\n");
      conn.close();
      const done = await ncat.finish();
      assert.equal(done.code, 0, done.stderr);
      assert.equal(await sha256(done.stdout), await sha256(payload));
    } finally {
      ncat.kill();
      await ncat.finish().catch(() => {});
    }
  }));

Deno.test("ncat --ssl --ssl-verify trusts the generated self-signed certificate of acceptTls", async () => {
  const server = await createTlsServer({});
  const dir = await Deno.makeTempDir({ prefix: "socktool-tls-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  try {
    await Deno.writeTextFile(`${dir}/cert.pem`, server.cert);
    // ncat checks DNS names only, not IP SANs: connect by name.
    const ncat = spawn("ncat", [
      "--ssl",
      "--ssl-verify",
      "--ssl-trustfile",
      `${dir}/cert.pem`,
      "-4",
      "localhost",
      String(port),
    ]);
    const payload = randomBytes(100_000, 3);
    const sent = (async () => {
      await ncat.write(payload);
      await ncat.closeStdin();
    })();
    const { conn } = await acceptTls(await listener.accept(), server);
    await writeConnAll(conn, enc.encode("from socktool\n"));
    assert.equal(await sha256(await readConnToEnd(conn)), await sha256(payload));
    await conn.closeWrite();
    conn.close();
    await sent;
    const done = await ncat.finish();
    assert.equal(done.code, 0, done.stderr);
    assert.equal(dec.decode(done.stdout), "from socktool\n");
  } finally {
    listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openssl s_client verifies the generated certificate of acceptTls and agrees on ALPN", async () => {
  const server = await createTlsServer({ alpnProtocols: ["h2", "x-socktool"] });
  const dir = await Deno.makeTempDir({ prefix: "socktool-tls-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  try {
    await Deno.writeTextFile(`${dir}/cert.pem`, server.cert);
    const client = spawn("openssl", [
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-CAfile",
      `${dir}/cert.pem`,
      "-verify_return_error",
      "-verify_hostname",
      "localhost",
      "-alpn",
      "x-socktool",
      "-quiet",
    ]);
    await client.write("from openssl\n");
    const { conn, info } = await acceptTls(await listener.accept(), server);
    assert.equal(info.alpn, "x-socktool");
    assert.equal(info.protocol, "TLSv1.3");
    const buf = new Uint8Array(64);
    const n = await conn.read(buf);
    assert.equal(dec.decode(buf.subarray(0, n ?? 0)), "from openssl\n");
    await writeConnAll(conn, enc.encode("from socktool\n"));
    await conn.closeWrite();
    conn.close();
    const done = await client.finish();
    assert.equal(dec.decode(done.stdout), "from socktool\n");
    assert.match(done.stderr, /verify return:1/);
  } finally {
    listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});
