/**
 * End-to-end tests of `-k` listeners (SPEC §2, §3): concurrent clients, the
 * stdin broadcast, slow and misbehaving clients, `-m`.
 */
import assert from "node:assert/strict";
import { randomBytes, sha256, spawn, spawnSocktool, writeConnAll } from "./_test_utils/harness.ts";
import {
  closeQuietly,
  connect,
  dec,
  enc,
  readToEndWithin,
  readUntil,
  sendAndReceive,
  within,
} from "./_test_utils/client.ts";

Deno.test("-k --serve echo: 50 concurrent clients each echo 1 MiB byte-exact", async () => {
  const srv = spawnSocktool(["-lkv", "--serve", "echo", "127.0.0.1", "0"], { stdin: "null" });
  try {
    const port = await srv.listeningPort();
    const started = performance.now();
    const results = await within(
      Promise.all(Array.from({ length: 50 }, async (_, i) => {
        const data = randomBytes(1024 * 1024, i + 1);
        const back = await sendAndReceive(await connect(port), data);
        return { ok: await sha256(back) === await sha256(data), len: back.length };
      })),
      60_000,
      "50 echo clients",
    );
    const elapsed = performance.now() - started;
    console.log(`50 x 1 MiB echoed in ${elapsed.toFixed(0)} ms`);
    assert.deepEqual(results.filter((r) => !r.ok), [], "every client got its own bytes back");
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("-k: every client's data goes to stdout, stdin to every client (Deno, nc, ncat)", async () => {
  const srv = spawnSocktool(["-lkv", "127.0.0.1", "0"]);
  const port = await srv.listeningPort();
  const a = await connect(port);
  const nc = spawn("nc", ["127.0.0.1", String(port)]);
  const ncat = spawn("ncat", ["127.0.0.1", String(port)]);
  try {
    for (let i = 1; i <= 3; i++) {
      await srv.waitForStderr(new RegExp(`(connection from[^\\n]*\\n[^]*){${i}}`));
    }
    await writeConnAll(a, enc("from deno\n"));
    await nc.write("from nc\n");
    await ncat.write("from ncat\n");
    await srv.write("to everyone\n");
    assert.match(await readUntil(a, /to everyone\n/), /^to everyone\n$/);
    // stdin's end half-closes every client: each sees EOF after the broadcast.
    await srv.closeStdin();
    assert.equal(dec(await readToEndWithin(a)), "");
    closeQuietly(a); // a's own end: its session is over
    const [rn, rc] = await Promise.all([
      nc.closeStdin().then(() => nc.finish()),
      ncat.closeStdin().then(() => ncat.finish()),
    ]);
    assert.equal(dec(rn.stdout), "to everyone\n");
    assert.equal(dec(rc.stdout), "to everyone\n");
    // The listener outlives stdin: a client arriving now is still served.
    const late = await connect(port);
    await writeConnAll(late, enc("late\n"));
    await late.closeWrite();
    assert.equal(dec(await readToEndWithin(late)), "", "stdin has ended: the late client gets EOF");
    closeQuietly(late);
    await srv.waitForStderr(/(sent \d+ bytes[^\n]*\n[^]*){4}/);
    srv.kill();
    const s = await srv.finish();
    const lines = dec(s.stdout).split("\n").filter((l) => l).sort();
    assert.deepEqual(lines, ["from deno", "from nc", "from ncat", "late"]);
  } finally {
    closeQuietly(a);
    nc.kill();
    ncat.kill();
    srv.kill();
    await Promise.allSettled([nc.finish(), ncat.finish(), srv.finish()]);
  }
});

Deno.test("-k: what is typed before anyone connects reaches the first client", async () => {
  const srv = spawnSocktool(["-lkv", "127.0.0.1", "0"]);
  try {
    const port = await srv.listeningPort();
    await srv.write("early bird\n");
    const c = await connect(port);
    assert.equal(await readUntil(c, /\n/), "early bird\n");
    closeQuietly(c);
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("-k: a client that stops reading is dropped; the others get every byte", async () => {
  const srv = spawnSocktool(["-lkv", "127.0.0.1", "0"]);
  const port = await srv.listeningPort();
  const reader = await connect(port);
  const stalled = await connect(port); // never reads
  try {
    await srv.waitForStderr(/(connection from[^\n]*\n[^]*){2}/);
    const data = randomBytes(48 * 1024 * 1024, 3);
    const received = readToEndWithin(reader, 60_000);
    const feeding = (async () => {
      for (let off = 0; off < data.length; off += 1024 * 1024) {
        await srv.write(data.subarray(off, off + 1024 * 1024));
      }
      await srv.closeStdin();
    })();
    const [got] = await Promise.all([received, feeding]);
    assert.equal(got.length, data.length);
    assert.equal(await sha256(got), await sha256(data));
    await srv.waitForStderr(/dropped: not reading/);
  } finally {
    closeQuietly(reader);
    closeQuietly(stalled);
    srv.kill();
    await srv.finish();
  }
});

Deno.test("-k -m 2: the third client is refused with a message; a freed slot is reused", async () => {
  const srv = spawnSocktool(["-lkv", "-m", "2", "--serve", "echo", "127.0.0.1", "0"], {
    stdin: "null",
  });
  try {
    const port = await srv.listeningPort();
    const a = await connect(port);
    const b = await connect(port);
    await srv.waitForStderr(/(connection from[^\n]*\n[^]*){2}/);
    const c = await connect(port);
    assert.match(dec(await readToEndWithin(c)), /^socktool: too many connections \(at most 2\)/);
    closeQuietly(c);
    await srv.waitForStderr(/refused connection from 127\.0\.0\.1:\d+: too many connections/);
    // a and b are still served.
    assert.equal(dec(await sendAndReceive(a, enc("a"))), "a");
    await srv.waitForStderr(/served echo/);
    assert.equal(dec(await sendAndReceive(await connect(port), enc("d"))), "d");
    assert.equal(dec(await sendAndReceive(b, enc("b"))), "b");
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("-k: garbage, a vanishing client and an early half-close never take the listener down", async () => {
  const srv = spawnSocktool(["-lkv", "127.0.0.1", "0"]);
  try {
    const port = await srv.listeningPort();
    // Connects and vanishes at once.
    closeQuietly(await connect(port));
    // Sends binary garbage and resets the connection.
    const g = await connect(port);
    await writeConnAll(g, randomBytes(100_000, 77));
    closeQuietly(g);
    // Half-closes before sending anything: its data has ended, so its session
    // ends too (SPEC §3, serving listeners): the listener closes it.
    const h = await connect(port);
    await h.closeWrite();
    assert.equal(dec(await readToEndWithin(h)), "", "a client whose data ended is closed");
    // nc that quits right away.
    await spawn("nc", ["-z", "127.0.0.1", String(port)], { stdin: "null" }).finish();
    // The listener still serves: a new client's bytes reach stdout, stdin reaches it.
    const ok = await connect(port);
    await writeConnAll(ok, enc("still here\n"));
    // The broadcast reaches the clients the listener has taken in: wait for ok's turn.
    await srv.waitForStderr(new RegExp(`connection from 127\\.0\\.0\\.1:${ok.localAddr.port}\\b`));
    await srv.write("pong\n");
    assert.equal(await readUntil(ok, /pong\n/), "pong\n");
    await srv.closeStdin(); // ends the broadcast: ok's session ends once it stops sending
    await ok.closeWrite();
    await readToEndWithin(ok);
    await srv.waitForStderr(new RegExp(`:${ok.localAddr.port}: sent 5 bytes, received 11 bytes`));
    closeQuietly(ok);
    closeQuietly(h);
    srv.kill();
    const s = await srv.finish();
    assert.equal(s.code, 143);
    // Clients' chunks reach stdout whole, in arrival order across clients.
    assert.ok(dec(s.stdout).includes("still here\n"));
    assert.equal(s.stdout.length, 100_000 + "still here\n".length);
    assert.ok(!/error|uncaught/i.test(s.stderr), s.stderr);
  } finally {
    srv.kill();
    await srv.finish().catch(() => {});
  }
});

Deno.test("-k: a client disconnecting does not stop the others", async () => {
  const srv = spawnSocktool(["-lkv", "127.0.0.1", "0"]);
  try {
    const port = await srv.listeningPort();
    const a = await connect(port);
    const b = await connect(port);
    await srv.waitForStderr(/(connection from[^\n]*\n[^]*){2}/);
    closeQuietly(a);
    await srv.write("after\n");
    assert.equal(await readUntil(b, /after\n/), "after\n");
    await srv.write("more\n"); // a's session ends when a write to it fails
    assert.equal(await readUntil(b, /more\n/), "more\n");
    await srv.waitForStderr(/sent \d+ bytes/);
    closeQuietly(b);
  } finally {
    srv.kill();
    await srv.finish();
  }
});
