/**
 * `socktool ws://...` and `wss://...` against Node's `ws` package (npm), a
 * WebSocket implementation nobody here wrote, run as a separate process.
 */
import assert from "node:assert/strict";
import { freePort, randomBytes, sha256, spawn, spawnSocktool } from "./_test_utils/harness.ts";
import { makeTestCerts } from "./_test_utils/tls_certs.ts";
import { startWsServer, type WsServerPeer } from "./_test_utils/ws_peer.ts";

const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const MiB = 1024 * 1024;

async function withServer(
  config: Record<string, unknown>,
  fn: (server: WsServerPeer) => Promise<void>,
): Promise<void> {
  const server = await startWsServer(config);
  try {
    await fn(server);
  } finally {
    server.kill();
    await server.exited();
  }
}

Deno.test("ws:// sends each stdin line as a text message and prints each message as a line", async () => {
  await withServer({ echo: true, log: true, once: true }, async (server) => {
    const client = spawnSocktool(["-v", `ws://127.0.0.1:${server.port}/echo?room=1`]);
    await client.write("hello\nwörld\n");
    await client.closeStdin();
    const r = await client.finish();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(dec(r.stdout), "hello\nwörld\n");
    const connection = await server.waitFor("connection");
    assert.equal(connection.path, "/echo?room=1");
    const messages = server.events.filter((e) => e.event === "message");
    assert.deepEqual(messages.map((m) => [m.binary, m.text]), [[false, "hello"], [false, "wörld"]]);
    // stdin's end sent our Close (1000); the server's answer ended the session.
    assert.equal((await server.waitFor("close")).code, 1000);
    assert.match(r.stderr, /WebSocket open \(text lines\)/);
    assert.match(r.stderr, /peer closed the WebSocket: 1000 \(normal closure\)/);
  });
});

Deno.test("ws:// --binary uploads 64 MiB to Node's ws byte-exact", async () => {
  await withServer({ once: true }, async (server) => {
    const data = randomBytes(64 * MiB, 7);
    const client = spawnSocktool(["--binary", `ws://127.0.0.1:${server.port}/`]);
    await client.write(data);
    await client.closeStdin();
    const r = await client.finish(30_000);
    assert.equal(r.code, 0, r.stderr);
    const close = await server.waitFor("close");
    assert.equal(close.bytes, data.length);
    assert.equal(close.sha256, await sha256(data));
  });
});

Deno.test("ws:// --binary downloads 64 MiB byte-exact; the peer's Close ends the session with stdin still open", async () => {
  await withServer(
    { once: true, sendBytes: 64 * MiB, chunk: MiB, closeAfterSend: { code: 1000, reason: "done" } },
    async (server) => {
      const client = spawnSocktool(["-v", "--binary", `ws://127.0.0.1:${server.port}/`]);
      await client.write(""); // stdin stays open: the server's Close alone must end the session
      const r = await client.finish(30_000);
      assert.equal(r.code, 0, r.stderr);
      const sent = await server.waitFor("sent");
      assert.equal(r.stdout.length, sent.bytes);
      assert.equal(await sha256(r.stdout), sent.sha256);
      assert.match(r.stderr, /peer closed the WebSocket: 1000 \(normal closure\): 'done'/);
    },
  );
});

Deno.test("ws://: a peer closing with 1011 fails the session (exit 1), its reason escaped", async () => {
  await withServer(
    { once: true, closeOnMessage: { code: 1011, reason: "oops\x1b[2J" } },
    async (server) => {
      const client = spawnSocktool([`ws://127.0.0.1:${server.port}/`]);
      await client.write("trigger\n");
      const r = await client.finish();
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stderr,
        `socktool: ws://127.0.0.1:${server.port}/: the peer closed the WebSocket with 1011 (internal error): 'oops\\033[2J'\n`,
      );
    },
  );
});

Deno.test("ws://: an application close code ends normally, shown with -v, escaped", async () => {
  await withServer(
    { once: true, send: ["bye soon"], closeAfterSend: { code: 4000, reason: "see\x07you" } },
    async (server) => {
      const client = spawnSocktool(["-v", `ws://127.0.0.1:${server.port}/`]);
      await client.write(""); // stdin stays open: the server closes first
      const r = await client.finish();
      assert.equal(r.code, 0, r.stderr);
      assert.equal(dec(r.stdout), "bye soon\n");
      assert.match(r.stderr, /: peer closed the WebSocket: 4000: 'see\\007you'\n/);
    },
  );
});

Deno.test("ws:// --header and --subprotocol reach Node's ws, which chooses the subprotocol", async () => {
  await withServer({ once: true, protocol: "chat" }, async (server) => {
    const client = spawnSocktool([
      "-v",
      "--subprotocol",
      "v2,chat",
      "--header",
      "X-Token: abc 123",
      "--header",
      "Origin: http://o.test",
      `ws://127.0.0.1:${server.port}/`,
    ]);
    await client.closeStdin();
    const r = await client.finish();
    assert.equal(r.code, 0, r.stderr);
    const c = await server.waitFor("connection");
    assert.equal(c.protocol, "chat");
    assert.equal(c.headers["x-token"], "abc 123");
    assert.equal(c.headers.origin, "http://o.test");
    assert.equal(c.headers["sec-websocket-protocol"], "v2, chat");
    assert.match(r.stderr, /WebSocket open, subprotocol chat \(text lines\)/);
  });
});

Deno.test("ws://: after stdin's end, -q bounds the wait for a peer that never answers our Close", async () => {
  await withServer({ send: ["greeting"], pause: true }, async (server) => {
    const client = spawnSocktool(["-q", "500ms", `ws://127.0.0.1:${server.port}/`]);
    await client.closeStdin();
    const started = Date.now();
    const r = await client.finish();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(dec(r.stdout), "greeting\n");
    assert.ok(Date.now() - started < 5000);
  });
});

Deno.test("ws://: -w ends a session whose peer never answers our Close, as timed out (exit 1)", async () => {
  await withServer({ pause: true }, async (server) => {
    const client = spawnSocktool(["-w", "500ms", `ws://127.0.0.1:${server.port}/`]);
    await client.closeStdin();
    const r = await client.finish();
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^socktool: ws:\/\/127\.0\.0\.1:\d+\/: idle for 0\.5 s: timed out\n$/);
  });
});

Deno.test("wss:// verifies like --ssl: a CA made here with --ssl-trustfile, refused without, --ssl-insecure warned", async () => {
  const certs = await makeTestCerts();
  try {
    await withServer(
      { echo: true, cert: certs.serverCert, key: certs.serverKey },
      async (server) => {
        const url = `wss://localhost:${server.port}/secure`;
        const ok = spawnSocktool(["-v", "--ssl-trustfile", certs.caCert, url]);
        await ok.write("over tls\n");
        await ok.closeStdin();
        const r = await ok.finish();
        assert.equal(r.code, 0, r.stderr);
        assert.equal(dec(r.stdout), "over tls\n");
        assert.match(r.stderr, /peer certificate CN=localhost, SHA-256 [0-9A-F:]+, verified/);

        const refused = await spawnSocktool([url]).finish();
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(
          refused.stderr,
          /^socktool: TLS handshake with 127\.0\.0\.1:\d+: certificate verification failed: .*\n$/,
        );

        const insecure = spawnSocktool(["--ssl-insecure", url]);
        await insecure.write("anyway\n");
        await insecure.closeStdin();
        const i = await insecure.finish();
        assert.equal(i.code, 0, i.stderr);
        assert.equal(dec(i.stdout), "anyway\n");
        assert.match(i.stderr, /warning: --ssl-insecure: the peer certificate is NOT verified/);

        const wrongName = await spawnSocktool(
          ["--ssl-trustfile", certs.caCert, "--ssl-servername", "other.test", url],
        ).finish();
        assert.equal(wrongName.code, 1);
        assert.match(wrongName.stderr, /certificate is not valid for name 'other\.test'/);
      },
    );
  } finally {
    await certs.remove();
  }
});

Deno.test("ws:// through a SOCKS5 proxy (microsocks) reaches Node's ws", async () => {
  await withServer({ echo: true, once: true }, async (server) => {
    const proxyPort = freePort();
    const proxy = spawn("microsocks", ["-i", "127.0.0.1", "-p", String(proxyPort)]);
    try {
      await waitAccepting(proxyPort);
      const client = spawnSocktool([
        "--proxy",
        `127.0.0.1:${proxyPort}`,
        `ws://127.0.0.1:${server.port}/`,
      ]);
      await client.write("via proxy\n");
      await client.closeStdin();
      const r = await client.finish();
      assert.equal(r.code, 0, r.stderr);
      assert.equal(dec(r.stdout), "via proxy\n");
    } finally {
      proxy.kill();
      await proxy.finish();
    }
  });
});

Deno.test("ws:// to a server that answers 404 fails the handshake (exit 1), saying so", async () => {
  const port = freePort();
  const http = spawn("ncat", [
    "-l",
    "127.0.0.1",
    String(port),
    "--sh-exec",
    "printf 'HTTP/1.1 404 Not Found\\r\\nContent-Length: 0\\r\\n\\r\\n'; sleep 1",
  ]);
  try {
    await waitAccepting(port);
    const r = await spawnSocktool([`ws://127.0.0.1:${port}/nope`]).finish();
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      r.stderr,
      `socktool: WebSocket handshake with ws://127.0.0.1:${port}/nope: the server answered 404 Not Found, not 101 Switching Protocols\n`,
    );
  } finally {
    http.kill();
    await http.finish();
  }
});

/** Waits until something listens on `port`, without connecting to it (ss). */
export async function waitAccepting(port: number): Promise<void> {
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
