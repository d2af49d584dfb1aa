/**
 * The WebSocket closing handshake as a half-close: a socktool client whose
 * stdin ends sends its Close after all its data and reads on until the
 * peer's Close, and a listener that gets a Close first treats it as the end
 * of data, lets its side finish (an echo, a program, a forward target), and
 * answers only then. Every round trip below starts from a client whose stdin
 * simply ends (no --no-shutdown, no -q) and compares SHA-256 of what was sent
 * and what came back.
 */
import assert from "node:assert/strict";
import {
  randomBytes,
  type Running,
  sha256,
  socktoolCommand,
  spawn,
  spawnSocktool,
} from "./_test_utils/harness.ts";
import { startWsPeer, startWsServer } from "./_test_utils/ws_peer.ts";

const MiB = 1024 * 1024;

/** Runs a listener, hands its port to `fn`, then stops it and checks it ended well. */
async function withListener(
  args: string[],
  fn: (port: number, listener: Running) => Promise<void>,
): Promise<string> {
  const listener = spawnSocktool(["-v", ...args]);
  try {
    await fn(await listener.listeningPort(), listener);
  } finally {
    listener.kill();
  }
  const r = await listener.finish();
  return r.stderr;
}

/**
 * A socktool client sends `data` from a file as its stdin (so stdin ends at
 * once, with the echo still on its way back); returns what came back.
 */
async function roundTrip(
  url: string,
  data: Uint8Array,
): Promise<{ out: Uint8Array; stderr: string }> {
  const file = await Deno.makeTempFile({ prefix: "socktool-ws-close-" });
  try {
    await Deno.writeFile(file, data);
    const client = spawn(
      "sh",
      [
        "-c",
        'f="$1"; shift; exec "$@" < "$f"',
        "sh",
        file,
        ...socktoolCommand(),
        "-v",
        "--binary",
        url,
      ],
      { stdin: "null" },
    );
    const r = await client.finish(30_000);
    assert.equal(r.code, 0, r.stderr);
    return { out: r.stdout, stderr: r.stderr };
  } finally {
    await Deno.remove(file);
  }
}

/** Asserts `out` is `data`, byte for byte, by size and SHA-256. */
async function assertSame(out: Uint8Array, data: Uint8Array): Promise<void> {
  assert.equal(out.length, data.length, `got ${out.length} of ${data.length} bytes back`);
  assert.equal(await sha256(out), await sha256(data));
}

/** A TCP echo on loopback that answers a half-close with its own once all is echoed. */
function tcpEcho(): { port: number; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    for await (const conn of listener) {
      (async () => {
        const buf = new Uint8Array(256 * 1024);
        try {
          for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
            for (let at = 0; at < n;) at += await conn.write(buf.subarray(at, n));
          }
          await conn.closeWrite();
          // Wait for the peer to close, so nothing unread resets the connection.
          while (await conn.read(buf) !== null) { /* nothing more comes */ }
        } catch { /* the peer went away */ }
        try {
          conn.close();
        } catch { /* closed */ }
      })();
    }
  })().catch(() => {});
  return { port: (listener.addr as Deno.NetAddr).port, close: () => listener.close() };
}

for (const size of [2 * MiB, 64 * MiB]) {
  const label = size === 2 * MiB ? "2 MiB" : "64 MiB";

  Deno.test(`ws:// --binary to -lk --ws --binary --serve echo: ${label} comes back whole when stdin ends`, async () => {
    const data = randomBytes(size, 41);
    const stderr = await withListener(
      ["-lk", "--ws", "--binary", "--serve", "echo", "127.0.0.1", "0"],
      async (port) => {
        const { out, stderr } = await roundTrip(`ws://127.0.0.1:${port}/`, data);
        await assertSame(out, data);
        // Our Close went first; the listener answered it after the echo.
        assert.match(
          stderr,
          /peer closed the WebSocket: 1000 \(normal closure\), in answer to ours/,
        );
      },
    );
    assert.match(stderr, /: peer closed the WebSocket: 1000 \(normal closure\)\n/);
  });

  Deno.test(`ws:// --binary through -l --ws --binary --forward to a TCP echo: ${label} comes back whole`, async () => {
    const data = randomBytes(size, 42);
    const echo = tcpEcho();
    try {
      const listener = spawnSocktool([
        "-v",
        "-l",
        "--ws",
        "--binary",
        "--forward",
        `127.0.0.1:${echo.port}`,
        "127.0.0.1",
        "0",
      ]);
      const port = await listener.listeningPort();
      const { out } = await roundTrip(`ws://127.0.0.1:${port}/`, data);
      await assertSame(out, data);
      // The session ended by itself, both ways counted in full.
      const r = await listener.finish();
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`\\(forwarded\\): sent ${size} bytes .*received ${size} bytes`),
      );
    } finally {
      echo.close();
    }
  });

  Deno.test(`ws:// --binary to -l --ws --binary -e cat: ${label} comes back whole`, async () => {
    const data = randomBytes(size, 43);
    const listener = spawnSocktool(["-v", "-l", "--ws", "--binary", "-e", "cat", "127.0.0.1", "0"]);
    const port = await listener.listeningPort();
    const { out } = await roundTrip(`ws://127.0.0.1:${port}/`, data);
    await assertSame(out, data);
    const r = await listener.finish();
    assert.equal(r.code, 0, r.stderr);
  });
}

Deno.test("ws:// --binary: Node's ws echo sends its whole echo after our Close; all of it is written out", async () => {
  const data = randomBytes(2 * MiB, 44);
  const server = await startWsServer({ once: true, echoWhenAllIn: data.length });
  try {
    const { out, stderr } = await roundTrip(`ws://127.0.0.1:${server.port}/`, data);
    await assertSame(out, data);
    assert.match(stderr, /peer closed the WebSocket: 1000 \(normal closure\), in answer to ours/);
    const close = await server.waitFor("close");
    assert.equal(close.code, 1000);
    assert.equal(close.bytes, data.length);
  } finally {
    server.kill();
    await server.exited();
  }
});

Deno.test("-lk --ws --binary --serve echo: a Node ws client that closes right after sending still gets every echo", async () => {
  await withListener(
    ["-lk", "--ws", "--binary", "--serve", "echo", "127.0.0.1", "0"],
    async (port) => {
      const client = await startWsPeer({
        role: "client",
        url: `ws://127.0.0.1:${port}/`,
        sendBytes: 16 * MiB,
        chunk: 256 * 1024,
        closeAfterSend: { code: 1000, reason: "done sending" },
      });
      const { code, stderr } = await client.exited(30_000);
      assert.equal(code, 0, stderr);
      const sent = await client.waitFor("sent");
      const close = await client.waitFor("close");
      // Our answer came after the echo, with the client's own code.
      assert.equal(close.code, 1000);
      assert.equal(close.bytes, sent.bytes);
      assert.equal(close.sha256, sent.sha256);
    },
  );
});

Deno.test("-l --ws: a client's Close still ends a stdin/stdout session at once, stdin still open", async () => {
  const listener = spawnSocktool(["-v", "-l", "--ws", "--binary", "127.0.0.1", "0"]);
  const port = await listener.listeningPort();
  await listener.write("to the client");
  const client = await startWsPeer({
    role: "client",
    url: `ws://127.0.0.1:${port}/`,
    sendBinaryHex: Array.from(new TextEncoder().encode("from the client"))
      .map((b) => b.toString(16).padStart(2, "0")).join(""),
    closeAfterSend: { code: 4001, reason: "bye" },
  });
  assert.equal((await client.exited()).code, 0);
  // stdin stays open: the client's Close alone ends the session.
  const r = await listener.finish(5_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(new TextDecoder().decode(r.stdout), "from the client");
  assert.match(r.stderr, /: peer closed the WebSocket: 4001: 'bye'\n/);
  assert.equal((await client.waitFor("close")).code, 4001);
});
