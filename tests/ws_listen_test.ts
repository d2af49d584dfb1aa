/**
 * `socktool -l --ws PORT` serving clients of Node's `ws` package (npm), a
 * WebSocket implementation nobody here wrote, run as separate processes:
 * stdin/stdout, -k, --serve, --broker, --chat, --exec, --allow/--deny, --ssl.
 */
import assert from "node:assert/strict";
import { randomBytes, type Running, sha256, spawn, spawnSocktool } from "./_test_utils/harness.ts";
import { makeTestCerts } from "./_test_utils/tls_certs.ts";
import { startWsPeer, type WsPeer } from "./_test_utils/ws_peer.ts";

const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const MiB = 1024 * 1024;

/** Runs a listener, hands its port to `fn`, then stops it. */
async function withListener(
  args: string[],
  fn: (port: number, listener: Running) => Promise<void>,
): Promise<void> {
  const listener = spawnSocktool(["-v", ...args]);
  try {
    await fn(await listener.listeningPort(), listener);
  } finally {
    listener.kill();
    await listener.finish();
  }
}

/** A Node ws client; resolves once it has exited, with its events. */
async function wsClient(config: Record<string, unknown>): Promise<WsPeer> {
  const peer = await startWsPeer({ role: "client", ...config });
  const { code, stderr } = await peer.exited();
  assert.equal(code, 0, `${stderr} ${JSON.stringify(peer.events)}`);
  return peer;
}

const texts = (peer: WsPeer) => peer.events.filter((e) => e.event === "message").map((e) => e.text);

Deno.test("-l --ws: stdin lines go to a Node ws client as messages, its messages come out as lines", async () => {
  const listener = spawnSocktool(["-v", "-l", "--ws", "--subprotocol", "chat", "127.0.0.1", "0"]);
  const port = await listener.listeningPort();
  await listener.write("from stdin\n");
  const client = await startWsPeer({
    role: "client",
    url: `ws://127.0.0.1:${port}/room?id=7`,
    protocols: ["chat"],
    log: true,
    send: ["one", "two"],
    closeAfterMessages: 1,
  });
  assert.equal((await client.exited()).code, 0);
  const r = await listener.finish();
  assert.equal(r.code, 0, r.stderr);
  assert.equal(dec(r.stdout), "one\ntwo\n");
  assert.equal((await client.waitFor("open")).protocol, "chat");
  assert.deepEqual(texts(client), ["from stdin"]);
  assert.match(r.stderr, /: WebSocket GET \/room\?id=7, subprotocol chat \(text lines\)\n/);
  assert.match(r.stderr, /: peer closed the WebSocket: 1000 \(normal closure\)\n/);
});

Deno.test("-l --ws --binary carries 64 MiB each way at once with a Node ws client, byte-exact", async () => {
  const down = randomBytes(64 * MiB, 11);
  const listener = spawnSocktool(["-v", "-l", "--ws", "--binary", "127.0.0.1", "0"]);
  const port = await listener.listeningPort();
  const client = await startWsPeer({
    role: "client",
    url: `ws://127.0.0.1:${port}/`,
    sendBytes: 64 * MiB,
    chunk: MiB,
    closeAfterBytes: 64 * MiB,
  });
  await listener.write(down);
  await listener.closeStdin();
  const r = await listener.finish(30_000);
  assert.equal(r.code, 0, r.stderr);
  const c = await client.exited(30_000);
  assert.equal(c.code, 0, c.stderr);
  const sent = await client.waitFor("sent");
  const close = await client.waitFor("close");
  assert.equal(r.stdout.length, 64 * MiB);
  assert.equal(await sha256(r.stdout), sent.sha256);
  assert.equal(close.bytes, down.length);
  assert.equal(close.sha256, await sha256(down));
});

Deno.test("-lk --ws: stdin goes to every Node ws client, every client's messages to stdout", async () => {
  await withListener(["-lk", "--ws", "127.0.0.1", "0"], async (port, listener) => {
    const clients = await Promise.all(["a", "b"].map((who) =>
      startWsPeer({
        role: "client",
        url: `ws://127.0.0.1:${port}/`,
        log: true,
        send: [`from ${who}`],
        closeOnText: "to all",
      })
    ));
    await Promise.all(clients.map((c) => c.waitFor("open")));
    await listener.waitForStderr(/WebSocket GET[^]*WebSocket GET/);
    await listener.write("to all\n");
    for (const c of clients) {
      assert.equal((await c.exited()).code, 0);
      assert.deepEqual(texts(c), ["to all"]);
    }
    await listener.waitForStderr(/peer closed[^]*peer closed/);
    listener.kill();
    const r = await listener.finish();
    assert.deepEqual(dec(r.stdout).split("\n").sort(), ["", "from a", "from b"]);
  });
});

Deno.test("-lk --ws --serve echo serves two Node ws clients at once", async () => {
  await withListener(["-lk", "--ws", "--serve", "echo", "127.0.0.1", "0"], async (port) => {
    const [a, b] = await Promise.all(
      ["a", "b"].map((who) =>
        wsClient({
          url: `ws://127.0.0.1:${port}/`,
          log: true,
          send: [`hello from ${who}`, `bye from ${who}`],
          closeAfterMessages: 2,
        })
      ),
    );
    assert.deepEqual(texts(a), ["hello from a", "bye from a"]);
    assert.deepEqual(texts(b), ["hello from b", "bye from b"]);
  });
});

Deno.test("-l --ws --broker relays one Node ws client's messages to another", async () => {
  await withListener(["-l", "--ws", "--broker", "127.0.0.1", "0"], async (port, listener) => {
    const receiver = await startWsPeer({
      role: "client",
      url: `ws://127.0.0.1:${port}/`,
      log: true,
      closeAfterMessages: 2,
    });
    await receiver.waitFor("open");
    await listener.waitForStderr(/WebSocket GET/);
    const sender = await wsClient({
      url: `ws://127.0.0.1:${port}/`,
      send: ["through", "the broker"],
      closeAfterSend: { code: 1000, reason: "" },
    });
    assert.equal(sender.events.find((e) => e.event === "close")?.bytes, 0);
    assert.equal((await receiver.exited()).code, 0);
    assert.deepEqual(texts(receiver), ["through", "the broker"]);
  });
});

Deno.test("-l --ws --chat sends each line as '<userN> text' to the other Node ws clients", async () => {
  await withListener(["-l", "--ws", "--chat", "127.0.0.1", "0"], async (port, listener) => {
    const first = await startWsPeer({
      role: "client",
      url: `ws://127.0.0.1:${port}/`,
      log: true,
      closeOnText: "<user2> hi all",
    });
    await listener.waitForStderr(/WebSocket GET/);
    await first.waitFor("message"); // its own join announcement
    const second = await startWsPeer({
      role: "client",
      url: `ws://127.0.0.1:${port}/`,
      send: ["hi all"],
    });
    assert.equal((await first.exited()).code, 0);
    second.kill();
    await second.exited();
    const got = texts(first);
    assert.match(got[0], /^<announce> 127\.0\.0\.1:\d+ is connected as <user1>\.$/);
    assert.ok(got.some((t) => /^<announce> 127\.0\.0\.1:\d+ is connected as <user2>\.$/.test(t)));
    assert.equal(got.at(-1), "<user2> hi all");
  });
});

Deno.test("-l --ws --exec connects a program to a Node ws client", async () => {
  await withListener(["-l", "--ws", "-e", "sed -u s/^/got:/", "127.0.0.1", "0"], async (port) => {
    const client = await wsClient({
      url: `ws://127.0.0.1:${port}/`,
      log: true,
      send: ["shout this"],
      closeAfterMessages: 1,
    });
    assert.deepEqual(texts(client), ["got:shout this"]);
  });
});

Deno.test("-lk --ws --deny refuses a Node ws client before the handshake", async () => {
  await withListener(
    ["-lk", "--ws", "--deny", "127.0.0.0/8", "127.0.0.1", "0"],
    async (port, listener) => {
      const client = await startWsPeer({ role: "client", url: `ws://127.0.0.1:${port}/` });
      const { code } = await client.exited();
      assert.equal(code, 1);
      assert.ok(client.events.some((e) => e.event === "error"), JSON.stringify(client.events));
      await listener.waitForStderr(
        /refused connection from 127\.0\.0\.1:\d+: not allowed by --allow\/--deny/,
      );
      assert.doesNotMatch(listener.stderrText(), /WebSocket GET/);
    },
  );
});

Deno.test("-l --ws --ssl serves a Node wss client that verifies our certificate with a CA made here", async () => {
  const certs = await makeTestCerts();
  try {
    const listener = spawnSocktool([
      "-v",
      "-l",
      "--ws",
      "--ssl",
      "--ssl-cert",
      certs.serverCert,
      "--ssl-key",
      certs.serverKey,
      "127.0.0.1",
      "0",
    ]);
    const port = await listener.listeningPort();
    await listener.write("secret\n");
    const client = await wsClient({
      url: `wss://localhost:${port}/`,
      ca: certs.caCert,
      log: true,
      send: ["over wss"],
      closeAfterMessages: 1,
    });
    const r = await listener.finish();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(dec(r.stdout), "over wss\n");
    assert.deepEqual(texts(client), ["secret"]);
  } finally {
    await certs.remove();
  }
});

Deno.test("-lk --ws answers a plain HTTP request (curl) with 426 and goes on serving", async () => {
  await withListener(
    ["-lk", "--ws", "--serve", "echo", "127.0.0.1", "0"],
    async (port, listener) => {
      const curl = await spawn("curl", ["-s", "-i", `http://127.0.0.1:${port}/`], { stdin: "null" })
        .finish();
      assert.match(dec(curl.stdout), /^HTTP\/1\.1 426 Upgrade Required\r\n/);
      await listener.waitForStderr(
        /not a WebSocket request \(GET \/ without 'Upgrade: websocket'\)/,
      );
      const client = await wsClient({
        url: `ws://127.0.0.1:${port}/`,
        log: true,
        send: ["still here"],
        closeAfterMessages: 1,
      });
      assert.deepEqual(texts(client), ["still here"]);
    },
  );
});

Deno.test("socktool to socktool over WebSocket: a file sent to a -l --ws --recv-only listener arrives whole", async () => {
  const data = randomBytes(8 * MiB, 21);
  const listener = spawnSocktool(["-v", "-l", "--ws", "--binary", "--recv-only", "127.0.0.1", "0"]);
  const port = await listener.listeningPort();
  const sender = spawnSocktool(["--binary", `ws://127.0.0.1:${port}/upload`]);
  await sender.write(data);
  await sender.closeStdin();
  const [s, r] = await Promise.all([sender.finish(), listener.finish()]);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, data.length);
  assert.equal(await sha256(r.stdout), await sha256(data));
});
