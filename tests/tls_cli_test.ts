/**
 * TLS and proxies through the CLI (issue 6): the options as a user types
 * them, against openssl, ncat and microsocks started here on loopback.
 */
import assert from "node:assert/strict";
import {
  freePort,
  randomBytes,
  sha256,
  spawn,
  spawnSocktool,
  waitForPort,
} from "./_test_utils/harness.ts";
import { makeTestCerts, type TestCerts } from "./_test_utils/tls_certs.ts";

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function withCerts(fn: (c: TestCerts) => Promise<void>) {
  const certs = await makeTestCerts();
  try {
    await fn(certs);
  } finally {
    await certs.remove();
  }
}

/** An `openssl s_server` that prints what it receives and sends `reply`. */
async function sServer(cert: string, key: string, reply = "") {
  const port = freePort();
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
    key,
  ]);
  if (reply) await srv.write(reply);
  return { srv, port };
}

/** Waits until `openssl s_server` accepts TCP, without using up its single accept. */
async function waitForListen(port: number) {
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

Deno.test("--ssl client verifies against --ssl-trustfile and talks to openssl s_server both ways", async () => {
  await withCerts(async (c) => {
    const { srv, port } = await sServer(c.serverCert, c.serverKey, "from s_server\n");
    await waitForListen(port);
    const client = spawnSocktool([
      "-v",
      "--ssl",
      "--ssl-trustfile",
      c.caCert,
      "localhost",
      String(port),
    ]);
    await client.write("from socktool\n");
    // Our half-close (TLS close_notify) ends s_server's single session; it
    // must not be cut short from its side, so its stdin stays open until then.
    await client.closeStdin();
    const s = await srv.finish();
    const r = await client.finish();
    await srv.closeStdin();
    assert.equal(r.code, 0, r.stderr);
    assert.match(dec(r.stdout), /from s_server/);
    assert.match(dec(s.stdout), /from socktool/);
    assert.match(r.stderr, /TLS TLSv1\.[23]/);
    assert.match(r.stderr, /peer certificate .*SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}, verified/);
  });
});

for (
  const [what, pick, extra, re] of [
    ["a self-signed certificate", (c: TestCerts) => [c.selfCert, c.selfKey], [], /self-signed/],
    [
      "an expired certificate",
      (c: TestCerts) => [c.expiredCert, c.serverKey],
      ["trust"],
      /expired/,
    ],
    [
      "a certificate for another name",
      (c: TestCerts) => [c.serverCert, c.serverKey],
      ["trust", "--ssl-servername", "other.test"],
      /not valid for name 'other\.test'/,
    ],
  ] as const
) {
  Deno.test(`--ssl refuses ${what}: one line, exit 1`, async () => {
    await withCerts(async (c) => {
      const [cert, key] = pick(c);
      const { srv, port } = await sServer(cert, key);
      await waitForListen(port);
      const args = extra.flatMap((e) => e === "trust" ? ["--ssl-trustfile", c.caCert] : [e]);
      const r = await spawnSocktool(["--ssl", ...args, "127.0.0.1", String(port)], {
        stdin: "null",
      })
        .finish();
      srv.kill();
      await srv.finish();
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assert.match(
        r.stderr,
        /^socktool: TLS handshake with 127\.0\.0\.1:\d+: certificate verification failed: /,
      );
      assert.match(r.stderr, re);
    });
  });
}

Deno.test("--ssl-insecure connects to a self-signed server and warns every time", async () => {
  await withCerts(async (c) => {
    const { srv, port } = await sServer(c.selfCert, c.selfKey, "insecure but here\n");
    await waitForListen(port);
    const client = spawnSocktool(["--ssl", "--ssl-insecure", "127.0.0.1", String(port)]);
    await client.waitForStderr(/NOT verified/);
    await srv.closeStdin();
    await client.closeStdin();
    const r = await client.finish();
    await srv.finish();
    assert.equal(r.code, 0, r.stderr);
    assert.match(dec(r.stdout), /insecure but here/);
    assert.match(r.stderr, /^socktool: warning: --ssl-insecure/m);
  });
});

Deno.test("an --ssl listener with no certificate prints its fingerprint and serves ncat --ssl", async () => {
  const srv = spawnSocktool(["-lv", "--ssl", "127.0.0.1", "0"], { stdin: "null" });
  const port = await srv.listeningPort();
  const fp =
    (await srv.waitForStderr(/self-signed certificate SHA-256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/))[
      1
    ];
  const client = spawn("ncat", ["--ssl", "127.0.0.1", String(port)]);
  await client.write("over tls\n");
  await client.closeStdin();
  const [s] = await Promise.all([srv.finish(), client.finish()]);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(dec(s.stdout), "over tls\n");
  assert.ok(fp.length === 95);
});

Deno.test("socktool --ssl to socktool --ssl -l with a given certificate carries 8 MiB byte-exact", async () => {
  await withCerts(async (c) => {
    const data = randomBytes(8 * 1024 * 1024, 5);
    const srv = spawnSocktool(
      ["-lv", "--ssl", "--ssl-cert", c.serverCert, "--ssl-key", c.serverKey, "127.0.0.1", "0"],
      { stdin: "null" },
    );
    const port = await srv.listeningPort();
    const client = spawnSocktool(["--ssl", "--ssl-trustfile", c.caCert, "localhost", String(port)]);
    await client.write(data);
    await client.closeStdin();
    const [s, r] = await Promise.all([srv.finish(), client.finish()]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(await sha256(s.stdout), await sha256(data));
  });
});

Deno.test("--ssl with -k --serve echo serves two TLS clients at once", async () => {
  const srv = spawnSocktool(["-lkv", "--ssl", "--serve", "echo", "127.0.0.1", "0"], {
    stdin: "null",
  });
  try {
    const port = await srv.listeningPort();
    const clients = ["one", "two"].map((w) => {
      const c = spawnSocktool(["--ssl", "--ssl-insecure", "127.0.0.1", String(port)]);
      return { w, c };
    });
    for (const { w, c } of clients) {
      await c.write(`${w}\n`);
      await c.closeStdin();
    }
    for (const { w, c } of clients) {
      const r = await c.finish();
      assert.equal(dec(r.stdout), `${w}\n`, r.stderr);
    }
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("TLS file problems are usage errors found before connecting (exit 2)", async () => {
  await withCerts(async (c) => {
    const port = String(freePort()); // nothing listens: a connect attempt would say "refused"
    const cases: [string[], RegExp][] = [
      [
        ["--ssl-cert", c.serverCert, "--ssl-key", `${c.dir}/missing.pem`],
        /missing\.pem.*no such file/,
      ],
      [["--ssl-cert", c.serverCert, "--ssl-key", c.strayKey], /does not match|not match/],
    ];
    for (const [args, re] of cases) {
      const r = await spawnSocktool(["--ssl", ...args, "127.0.0.1", port], { stdin: "null" })
        .finish();
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1);
    }
  });
});

Deno.test("--proxy through microsocks with a password reaches the target; a wrong password is exit 1", async () => {
  const proxyPort = freePort();
  const proxy = spawn("microsocks", [
    "-i",
    "127.0.0.1",
    "-p",
    String(proxyPort),
    "-u",
    "bob",
    "-P",
    "pw",
  ], {
    stdin: "null",
  });
  try {
    await waitForPort(proxyPort);
    using target = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const served = (async () => {
      const conn = await target.accept();
      await conn.write(new TextEncoder().encode("via socks5\n"));
      conn.close();
    })();
    // microsocks tears the tunnel down at the first half-close, so a download
    // through it is spelled --recv-only (no stdin, no half-close).
    const ok = await spawnSocktool([
      "--recv-only",
      "--proxy",
      `127.0.0.1:${proxyPort}`,
      "--proxy-auth",
      "bob:pw",
      "localhost",
      String(target.addr.port),
    ], { stdin: "null" }).finish();
    await served;
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(dec(ok.stdout), "via socks5\n");
    const bad = await spawnSocktool([
      "--proxy",
      `127.0.0.1:${proxyPort}`,
      "--proxy-auth",
      "bob:nope",
      "localhost",
      String(target.addr.port),
    ], { stdin: "null" }).finish();
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^socktool: socks5 proxy 127\.0\.0\.1:\d+: authentication refused/);
  } finally {
    proxy.kill();
    await proxy.finish();
  }
});

Deno.test("--proxy-type http through ncat's CONNECT proxy, and a proxy that is down", async () => {
  const proxyPort = freePort();
  const proxy = spawn("ncat", [
    "-4",
    "-l",
    "127.0.0.1",
    String(proxyPort),
    "--proxy-type",
    "http",
    "--allow",
    "127.0.0.1",
  ], {
    stdin: "null",
  });
  try {
    await waitForPort(proxyPort);
    using target = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const served = (async () => {
      const conn = await target.accept();
      await conn.write(new TextEncoder().encode("via http connect\n"));
      conn.close();
    })();
    const r = await spawnSocktool([
      "--recv-only", // ncat's proxy also ends the tunnel at the first half-close
      "--proxy",
      `127.0.0.1:${proxyPort}`,
      "--proxy-type",
      "http",
      "127.0.0.1",
      String(target.addr.port),
    ], { stdin: "null" }).finish();
    await served;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(dec(r.stdout), "via http connect\n");
  } finally {
    proxy.kill();
    await proxy.finish();
  }
  const down = await spawnSocktool(["--proxy", `127.0.0.1:${freePort()}`, "127.0.0.1", "80"], {
    stdin: "null",
  })
    .finish();
  assert.equal(down.code, 1);
  assert.match(
    down.stderr,
    /^socktool: connect to socks5 proxy 127\.0\.0\.1:\d+: connection refused\n$/,
  );
});
