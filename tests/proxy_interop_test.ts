/**
 * Proxy interop with real proxies started here on loopback: `microsocks`
 * (SOCKS5, with and without a password) and `ncat --proxy-type http` (HTTP
 * CONNECT, with and without Basic auth), plus TLS through each. The target is
 * a small server in this file that greets first, so a handshake that reads
 * past the proxy's reply would lose the greeting.
 */

import { concatBytes } from "../lib/io/bytes.ts";
import assert from "node:assert/strict";
import { SocktoolError } from "../lib/errors.ts";
import { connectViaProxy, type ProxySpec } from "../lib/proxy/connect.ts";
import { connectTls } from "../lib/tls/connect.ts";
import {
  freePort,
  randomBytes,
  type Running,
  sha256,
  spawn,
  waitForPort,
  writeConnAll,
} from "./_test_utils/harness.ts";
import { makeTestCerts } from "./_test_utils/tls_certs.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const GREETING = enc.encode("HELLO from target\n");

/** A target that sends GREETING at once, then echoes until EOF. */
function startTarget(): { port: number; stop(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const sessions: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      sessions.push((async () => {
        try {
          await writeConnAll(conn, GREETING);
          const buf = new Uint8Array(65536);
          for (let n; (n = await conn.read(buf)) !== null;) {
            await writeConnAll(conn, buf.subarray(0, n));
          }
          await conn.closeWrite();
        } catch {
          // A client that fails its test may hang up at any point.
        } finally {
          conn.close();
        }
      })());
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async stop() {
      listener.close();
      await accepting.catch(() => {});
      await Promise.all(sessions);
    },
  };
}

async function startMicrosocks(auth?: { user: string; pass: string }) {
  const port = freePort();
  const args = ["-i", "127.0.0.1", "-p", String(port)];
  if (auth) args.push("-u", auth.user, "-P", auth.pass);
  const proc = spawn("microsocks", args, { stdin: "null" });
  // microsocks prints nothing; it serves any number of clients, so a probe is harmless.
  await waitForPort(port);
  return { port, proc };
}

async function startHttpProxy(auth?: string) {
  const port = freePort();
  // ncat 7.93's HTTP proxy binds every interface whatever address it is
  // given (nmap/nmap#2614): --allow makes it drop any client but loopback.
  const args = ["-v", "-4", "-l", "-k", "--proxy-type", "http", "--allow", "127.0.0.1"];
  args.push("127.0.0.1", String(port));
  if (auth) args.push("--proxy-auth", auth);
  const proc = spawn("ncat", args, { stdin: "null" });
  await proc.waitForStderr(/Listening on /);
  return { port, proc };
}

async function stop(proc: Running): Promise<void> {
  proc.kill();
  await proc.finish();
}

/**
 * Sends `payload` and reads back `expected` bytes, then closes. No
 * half-close: microsocks and ncat's proxy both tear the whole tunnel down on
 * the first EOF from either side.
 */
async function exchange(
  conn: Deno.Conn,
  payload: Uint8Array,
  expected: number,
): Promise<Uint8Array> {
  const back = new Uint8Array(expected);
  const reading = (async () => {
    for (let off = 0; off < expected;) {
      const n = await conn.read(back.subarray(off));
      if (n === null) throw new Error(`EOF after ${off} of ${expected} bytes`);
      off += n;
    }
  })();
  try {
    await Promise.all([writeConnAll(conn, payload), reading]);
  } finally {
    conn.close();
  }
  return back;
}

/** Expects a SocktoolError with exit 1 whose message matches `re`. */
async function rejectsNetwork(p: Promise<unknown>, re: RegExp): Promise<void> {
  const err = await p.then(() => assert.fail("should fail"), (e) => e);
  assert.ok(err instanceof SocktoolError, String(err));
  assert.equal(err.exitCode, 1);
  assert.match(err.message, re);
}

Deno.test("socks5 through microsocks: names and addresses reach the target, every byte both ways", async () => {
  const target = startTarget();
  const socks = await startMicrosocks();
  try {
    const proxy: ProxySpec = { host: "127.0.0.1", port: socks.port, type: "socks5" };
    for (const host of ["127.0.0.1", "localhost"]) {
      const payload = randomBytes(1_000_000, host.length);
      const conn = await connectViaProxy({ proxy, target: { host, port: target.port } });
      const expected = concatBytes([GREETING, payload]);
      const back = await exchange(conn, payload, expected.length);
      assert.equal(await sha256(back), await sha256(expected), host);
    }
  } finally {
    await stop(socks.proc);
    await target.stop();
  }
});

Deno.test("socks5 through microsocks with a password: accepted, refused, and asked for", async () => {
  const target = startTarget();
  const socks = await startMicrosocks({ user: "alice", pass: "s3cret" });
  try {
    const proxy = (auth?: { user: string; pass: string }): ProxySpec => ({
      host: "127.0.0.1",
      port: socks.port,
      type: "socks5",
      auth,
    });
    const to = { host: "127.0.0.1", port: target.port };
    const conn = await connectViaProxy({
      proxy: proxy({ user: "alice", pass: "s3cret" }),
      target: to,
    });
    assert.deepEqual(
      dec.decode(await exchange(conn, enc.encode("ok\n"), GREETING.length + 3)),
      dec.decode(GREETING) + "ok\n",
    );
    await rejectsNetwork(
      connectViaProxy({ proxy: proxy({ user: "alice", pass: "wrong" }), target: to }),
      new RegExp(`^socks5 proxy 127\\.0\\.0\\.1:${socks.port}: authentication refused`),
    );
    await rejectsNetwork(
      connectViaProxy({ proxy: proxy(), target: to }),
      /^socks5 proxy 127\.0\.0\.1:\d+: requires authentication \(use --proxy-auth USER:PASS\)$/,
    );
  } finally {
    await stop(socks.proc);
    await target.stop();
  }
});

Deno.test("socks5 through microsocks: a refused target is named with the reply in words", async () => {
  const socks = await startMicrosocks();
  try {
    const closed = freePort();
    await rejectsNetwork(
      connectViaProxy({
        proxy: { host: "127.0.0.1", port: socks.port, type: "socks5" },
        target: { host: "127.0.0.1", port: closed },
      }),
      new RegExp(
        `^connect 127\\.0\\.0\\.1:${closed} via socks5 proxy 127\\.0\\.0\\.1:${socks.port}: connection refused by destination host$`,
      ),
    );
  } finally {
    await stop(socks.proc);
  }
});

Deno.test("a proxy that is down is named as the proxy", async () => {
  const down = freePort();
  for (const type of ["socks5", "socks4", "http"] as const) {
    await rejectsNetwork(
      connectViaProxy({
        proxy: { host: "127.0.0.1", port: down, type },
        target: { host: "example.com", port: 80 },
      }),
      new RegExp(`^connect to ${type} proxy 127\\.0\\.0\\.1:${down}: connection refused$`),
    );
  }
});

Deno.test("HTTP CONNECT through ncat: names and addresses reach the target, every byte both ways", async () => {
  const target = startTarget();
  const http = await startHttpProxy();
  try {
    const proxy: ProxySpec = { host: "127.0.0.1", port: http.port, type: "http" };
    for (const host of ["127.0.0.1", "localhost"]) {
      const payload = randomBytes(500_000, 11);
      const conn = await connectViaProxy({ proxy, target: { host, port: target.port } });
      const expected = concatBytes([GREETING, payload]);
      const back = await exchange(conn, payload, expected.length);
      assert.equal(await sha256(back), await sha256(expected), host);
    }
    const closed = freePort();
    await rejectsNetwork(
      connectViaProxy({ proxy, target: { host: "127.0.0.1", port: closed } }),
      new RegExp(
        `^connect 127\\.0\\.0\\.1:${closed} via http proxy 127\\.0\\.0\\.1:${http.port}: the proxy answered 5\\d\\d `,
      ),
    );
  } finally {
    await stop(http.proc);
    await target.stop();
  }
});

Deno.test("HTTP CONNECT through ncat with Basic auth: accepted, refused, and asked for", async () => {
  const target = startTarget();
  const http = await startHttpProxy("bob:pa55");
  try {
    const proxy = (auth?: { user: string; pass: string }): ProxySpec => ({
      host: "127.0.0.1",
      port: http.port,
      type: "http",
      auth,
    });
    const to = { host: "127.0.0.1", port: target.port };
    const conn = await connectViaProxy({ proxy: proxy({ user: "bob", pass: "pa55" }), target: to });
    assert.deepEqual(
      dec.decode(await exchange(conn, enc.encode("hi\n"), GREETING.length + 3)),
      dec.decode(GREETING) + "hi\n",
    );
    await rejectsNetwork(
      connectViaProxy({ proxy: proxy({ user: "bob", pass: "nope" }), target: to }),
      /^http proxy 127\.0\.0\.1:\d+: authentication refused \(407 /,
    );
    await rejectsNetwork(
      connectViaProxy({ proxy: proxy(), target: to }),
      /^http proxy 127\.0\.0\.1:\d+: requires authentication \(407 .*; use --proxy-auth USER:PASS\)$/,
    );
  } finally {
    await stop(http.proc);
    await target.stop();
  }
});

Deno.test("TLS through socks5 and HTTP proxies reaches openssl s_server verified", async () => {
  const certs = await makeTestCerts();
  const server = spawn("sh", [
    "-c",
    'exec openssl s_server -accept 127.0.0.1:0 "$@" 1>&2',
    "sh",
    "-cert",
    certs.serverCert,
    "-key",
    certs.serverKey,
    "-rev",
  ]);
  const socks = await startMicrosocks();
  const http = await startHttpProxy();
  try {
    const port = Number((await server.waitForStderr(/ACCEPT 127\.0\.0\.1:(\d+)/))[1]);
    const caCerts = [await Deno.readTextFile(certs.caCert)];
    for (
      const proxy of [
        { host: "127.0.0.1", port: socks.port, type: "socks5" },
        { host: "127.0.0.1", port: http.port, type: "http" },
      ] as const
    ) {
      const tunnel = await connectViaProxy({ proxy, target: { host: "localhost", port } });
      const { conn, info } = await connectTls(tunnel, {
        serverName: "localhost",
        caCerts,
        peerName: `localhost:${port}`,
      });
      assert.equal(info.verified, true, proxy.type);
      assert.equal(dec.decode(await exchange(conn, enc.encode("tunnel\n"), 7)), "lennut\n");
    }
  } finally {
    await Promise.all([stop(server), stop(socks.proc), stop(http.proc)]);
    await certs.remove();
  }
});

/** A target that answers a request only after reading it, a moment later (an HTTP server). */
function startSlowReplier(): { port: number; stop(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const sessions: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      sessions.push((async () => {
        try {
          const buf = new Uint8Array(1024);
          let got = "";
          while (!got.includes("\r\n\r\n")) {
            const n = await conn.read(buf);
            if (n === null) break;
            got += dec.decode(buf.subarray(0, n));
          }
          await new Promise((r) => setTimeout(r, 200));
          await writeConnAll(conn, enc.encode("HTTP/1.0 200 OK\r\n\r\nhello\n"));
        } catch {
          // The proxy may have torn the tunnel down already: that is the case under test.
        } finally {
          conn.close();
        }
      })());
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async stop() {
      listener.close();
      await accepting.catch(() => {});
      await Promise.all(sessions);
    },
  };
}

Deno.test("a proxy that ends the tunnel at our half-close is one line and exit 1, not a silent 0; --no-shutdown works", async () => {
  const target = startSlowReplier();
  const socks = await startMicrosocks();
  const http = await startHttpProxy();
  const { spawnSocktool } = await import("./_test_utils/harness.ts");
  try {
    for (
      const via of [
        ["--proxy", `127.0.0.1:${socks.port}`],
        ["--proxy", `127.0.0.1:${http.port}`, "--proxy-type", "http"],
      ]
    ) {
      const run = async (extra: string[]) => {
        const p = spawnSocktool([...via, ...extra, "127.0.0.1", String(target.port)]);
        await p.write("GET / HTTP/1.0\r\n\r\n");
        await p.closeStdin();
        return await p.finish();
      };
      const torn = await run([]);
      assert.equal(torn.code, 1, torn.stderr);
      assert.match(
        torn.stderr,
        /^socktool: 127\.0\.0\.1:\d+ via (socks5|http) proxy 127\.0\.0\.1:\d+: the tunnel closed when stdin ended, before any reply .*\(try --no-shutdown\)\n$/,
      );
      const kept = await run(["--no-shutdown"]);
      assert.equal(kept.code, 0, kept.stderr);
      assert.equal(dec.decode(kept.stdout), "HTTP/1.0 200 OK\r\n\r\nhello\n");
    }
  } finally {
    await stop(socks.proc);
    await stop(http.proc);
    await target.stop();
  }
});

Deno.test("socktool's client answers the 407 of ncat's HTTP proxy with Digest, never sending the password", async () => {
  const target = startTarget();
  const port = freePort();
  const proc = spawn("ncat", [
    "-vvv",
    "-4",
    "-l",
    "-k",
    "--proxy-type",
    "http",
    "--allow",
    "127.0.0.1",
    "--proxy-auth",
    "user:pass",
    "127.0.0.1",
    String(port),
  ], { stdin: "null" });
  await proc.waitForStderr(/Listening on /);
  try {
    const conn = await connectViaProxy({
      proxy: { host: "127.0.0.1", port, type: "http", auth: { user: "user", pass: "pass" } },
      target: { host: "127.0.0.1", port: target.port },
    });
    assert.equal(
      dec.decode(await exchange(conn, enc.encode("x"), GREETING.length + 1)),
      dec.decode(GREETING) + "x",
    );
    const log = await proc.waitForStderr(/Proxy-Authorization: (\w+)/);
    assert.equal(log[1], "Digest");
    assert.doesNotMatch(proc.stderrText(), /Proxy-Authorization: Basic/);
  } finally {
    await stop(proc);
    await target.stop();
  }
});
