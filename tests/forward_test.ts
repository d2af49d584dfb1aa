/**
 * End-to-end tests of `--forward HOST:PORT`: an in-process port forwarder.
 */
import assert from "node:assert/strict";
import {
  freePort,
  randomBytes,
  spawn,
  spawnSocktool,
  writeConnAll,
} from "./_test_utils/harness.ts";
import {
  closeQuietly,
  connect,
  dec,
  enc,
  readToEndWithin,
  receiveHashed,
  sendAndReceive,
  sendNumbered,
  within,
} from "./_test_utils/client.ts";

const MiB = 1024 * 1024;

Deno.test("--forward carries 256 MiB each way at once, byte-exact", async () => {
  using target = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const srv = spawnSocktool(
    ["-lv", "--forward", `127.0.0.1:${target.addr.port}`, "127.0.0.1", "0"],
    { stdin: "null" },
  );
  const port = await srv.listeningPort();
  const started = performance.now();
  const targetSide = (async () => {
    const conn = await target.accept();
    try {
      const [sent, got] = await Promise.all([sendNumbered(conn, 256, 2), receiveHashed(conn)]);
      return { sent, got };
    } finally {
      conn.close();
    }
  })();
  const clientSide = (async () => {
    const conn = await connect(port);
    try {
      const [sent, got] = await Promise.all([sendNumbered(conn, 256, 1), receiveHashed(conn)]);
      return { sent, got };
    } finally {
      conn.close();
    }
  })();
  const [t, c] = await within(Promise.all([targetSide, clientSide]), 55_000, "256 MiB each way");
  const secs = (performance.now() - started) / 1000;
  console.log(
    `512 MiB through --forward in ${secs.toFixed(1)} s (${(512 / secs).toFixed(0)} MiB/s)`,
  );
  assert.equal(c.got.bytes, 256 * MiB);
  assert.equal(t.got.bytes, 256 * MiB);
  assert.equal(t.got.hash, c.sent, "client → target byte-exact");
  assert.equal(c.got.hash, t.sent, "target → client byte-exact");
  const s = await srv.finish();
  assert.equal(s.code, 0, s.stderr);
});

Deno.test("--forward passes a half-close on: a request/response client gets the whole reply", async () => {
  using target = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const targetSide = (async () => {
    for (let i = 0; i < 3; i++) {
      const conn = await target.accept();
      const req = dec(await readToEndWithin(conn)); // only the client's half-close ends this
      await writeConnAll(conn, enc(`reply to ${req}`));
      conn.close();
    }
  })();
  const srv = spawnSocktool(
    ["-lkv", "--forward", `127.0.0.1:${target.addr.port}`, "127.0.0.1", "0"],
    { stdin: "null" },
  );
  try {
    const port = await srv.listeningPort();
    const nc = spawn("nc", ["-N", "127.0.0.1", String(port)]);
    await nc.write("nc");
    await nc.closeStdin();
    const [a, b, r] = await Promise.all([
      sendAndReceive(await connect(port), enc("a")),
      sendAndReceive(await connect(port), enc("b")),
      nc.finish(),
    ]);
    assert.equal(dec(a), "reply to a");
    assert.equal(dec(b), "reply to b");
    assert.equal(dec(r.stdout), "reply to nc");
    await targetSide;
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("--forward to a dead port: with -k the client is closed, -v says why, the listener goes on", async () => {
  const dead = freePort();
  const srv = spawnSocktool(["-lkv", "--forward", `127.0.0.1:${dead}`, "127.0.0.1", "0"], {
    stdin: "null",
  });
  try {
    const port = await srv.listeningPort();
    for (let i = 0; i < 2; i++) {
      const c = await connect(port);
      assert.equal((await readToEndWithin(c)).length, 0);
      closeQuietly(c);
    }
    await srv.waitForStderr(
      new RegExp(`(forward to 127\\.0\\.0\\.1:${dead}: connection refused[^]*){2}`),
    );
    // Once something listens there, the same listener forwards to it.
    using target = Deno.listen({ hostname: "127.0.0.1", port: dead });
    const echo = (async () => {
      const conn = await target.accept();
      await writeConnAll(conn, await readToEndWithin(conn));
      conn.close();
    })();
    assert.equal(dec(await sendAndReceive(await connect(port), enc("now"))), "now");
    await echo;
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("--forward to a dead port without -k: one line, exit 1", async () => {
  const dead = freePort();
  const srv = spawnSocktool(["-l", "--forward", `127.0.0.1:${dead}`, "127.0.0.1", "0", "-v"], {
    stdin: "null",
  });
  const port = await srv.listeningPort();
  const c = await connect(port);
  assert.equal((await readToEndWithin(c)).length, 0);
  closeQuietly(c);
  const s = await srv.finish();
  assert.equal(s.code, 1);
  assert.match(
    s.stderr,
    new RegExp(`\\nsocktool: forward to 127\\.0\\.0\\.1:${dead}: connection refused\\n$`),
  );
});

Deno.test("--forward: a client that resets mid-transfer ends only its own session", async () => {
  using target = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const targets: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of target) {
      targets.push(conn);
      // An echo target.
      (async () => {
        const buf = new Uint8Array(65536);
        try {
          for (;;) {
            const n = await conn.read(buf);
            if (n === null) break;
            await writeConnAll(conn, buf.subarray(0, n));
          }
          await conn.closeWrite();
        } catch { /* reset */ }
      })();
    }
  })();
  const srv = spawnSocktool(
    ["-lkv", "--forward", `127.0.0.1:${target.addr.port}`, "127.0.0.1", "0"],
    { stdin: "null" },
  );
  try {
    const port = await srv.listeningPort();
    const quitter = await connect(port);
    await writeConnAll(quitter, randomBytes(MiB, 4));
    closeQuietly(quitter);
    const data = randomBytes(2 * MiB, 5);
    const back = await sendAndReceive(await connect(port), data);
    assert.equal(back.length, data.length);
    assert.deepEqual(back, data);
  } finally {
    srv.kill();
    await srv.finish();
    target.close();
    await accepting.catch(() => {});
    for (const t of targets) closeQuietly(t);
  }
});
