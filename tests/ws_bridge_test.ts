/**
 * WebSocket bridges both ways (websockify's job), with Node's `ws` package
 * (npm) on the WebSocket side as a separate process:
 * `socktool -l PORT --forward ws://...` and `socktool -l --ws PORT --forward HOST:PORT`.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { randomBytes, spawnSocktool, writeConnAll } from "./_test_utils/harness.ts";
import { connect, readToEndWithin, receiveHashed, sendNumbered } from "./_test_utils/client.ts";
import { makeTestCerts } from "./_test_utils/tls_certs.ts";
import { startWsPeer, startWsServer } from "./_test_utils/ws_peer.ts";

const MiB = 1024 * 1024;
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("-l PORT --forward ws:// --binary: a TCP client gets 64 MiB echoed by Node's ws through the bridge, byte-exact", async () => {
  const server = await startWsServer({ echo: true, once: true });
  const bridge = spawnSocktool([
    "-v",
    "-l",
    "127.0.0.1",
    "0",
    "--binary",
    "--forward",
    `ws://127.0.0.1:${server.port}/tunnel`,
  ]);
  try {
    const conn = await connect(await bridge.listeningPort());
    const [sent, back] = await Promise.all([sendNumbered(conn, 64, 3), receiveHashed(conn)]);
    conn.close();
    assert.equal(back.bytes, 64 * MiB);
    assert.equal(back.hash, sent);
    const close = await server.waitFor("close");
    assert.equal(close.code, 1000); // the client's half-close became our Close
    assert.equal(close.bytes, 64 * MiB);
    assert.equal((await server.waitFor("connection")).path, "/tunnel");
    const r = await bridge.finish();
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /\(forwarded\): sent 67108864 bytes \(64\.00 MiB\), received 67108864 bytes/,
    );
  } finally {
    bridge.kill();
    await bridge.finish();
    server.kill();
    await server.exited();
  }
});

Deno.test("-l --ws PORT --forward HOST:PORT --binary: a Node ws client and a TCP server trade 64 MiB each way, byte-exact", async () => {
  const down = randomBytes(64 * MiB, 5);
  const target = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const bridge = spawnSocktool([
    "-v",
    "-l",
    "--ws",
    "--binary",
    "127.0.0.1",
    "0",
    "--forward",
    `127.0.0.1:${(target.addr as Deno.NetAddr).port}`,
  ]);
  try {
    const port = await bridge.listeningPort();
    const client = await startWsPeer({
      role: "client",
      url: `ws://127.0.0.1:${port}/`,
      sendBytes: 64 * MiB,
      chunk: MiB,
      closeAfterBytes: 64 * MiB,
    });
    const served = await target.accept();
    const [, up] = await Promise.all([
      writeConnAll(served, down).then(() => served.closeWrite()),
      receiveHashed(served),
    ]);
    served.close();
    assert.equal((await client.exited(30_000)).code, 0);
    const sent = await client.waitFor("sent");
    const close = await client.waitFor("close");
    assert.equal(up.bytes, 64 * MiB);
    assert.equal(up.hash, sent.sha256);
    assert.equal(close.bytes, down.length);
    assert.equal(close.sha256, createHash("sha256").update(down).digest("hex"));
    const r = await bridge.finish();
    assert.equal(r.code, 0, r.stderr);
  } finally {
    target.close();
    bridge.kill();
    await bridge.finish();
  }
});

Deno.test("-l PORT --forward wss:// verifies the target with --ssl-trustfile; text lines become messages", async () => {
  const certs = await makeTestCerts();
  const server = await startWsServer({
    echo: true,
    log: true,
    once: true,
    cert: certs.serverCert,
    key: certs.serverKey,
  });
  const args = ["-l", "127.0.0.1", "0", "--forward", `wss://localhost:${server.port}/`];
  try {
    const refused = spawnSocktool(["-v", ...args]);
    const c1 = await connect(await refused.listeningPort());
    const r1 = await refused.finish();
    c1.close();
    assert.equal(r1.code, 1);
    assert.match(r1.stderr, /TLS handshake with 127\.0\.0\.1:\d+: certificate verification failed/);

    const bridge = spawnSocktool(["-v", ...args, "--ssl-trustfile", certs.caCert]);
    const conn = await connect(await bridge.listeningPort());
    await writeConnAll(conn, new TextEncoder().encode("line one\nline two\n"));
    await conn.closeWrite();
    assert.equal(dec(await readToEndWithin(conn, 10_000)), "line one\nline two\n");
    conn.close();
    const r = await bridge.finish();
    assert.equal(r.code, 0, r.stderr);
    const messages = server.events.filter((e) => e.event === "message");
    assert.deepEqual(messages.map((m) => m.text), ["line one", "line two"]);
  } finally {
    server.kill();
    await server.exited();
    await certs.remove();
  }
});
