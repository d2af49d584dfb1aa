/**
 * End-to-end tests of `--broker` and `--chat`: several real clients in one
 * room.
 */
import { concatBytes } from "../lib/io/bytes.ts";
import assert from "node:assert/strict";
import { randomBytes, sha256, spawn, spawnSocktool, writeConnAll } from "./_test_utils/harness.ts";
import { closeQuietly, connect, enc, readUntil } from "./_test_utils/client.ts";

Deno.test("--broker relays each client's bytes to every other client, not back to it", async () => {
  const srv = spawnSocktool(["-lv", "--broker", "127.0.0.1", "0"], { stdin: "null" });
  const port = await srv.listeningPort();
  const a = await connect(port);
  const b = await connect(port);
  const nc = spawn("nc", ["-N", "127.0.0.1", String(port)]);
  try {
    await srv.waitForStderr(/(connection from[^\n]*\n[^]*){3}/);
    await writeConnAll(a, enc("from a\n"));
    assert.equal(await readUntil(b, /from a\n/), "from a\n");
    await nc.write("from nc\n");
    assert.equal(await readUntil(a, /from nc\n/), "from nc\n");
    assert.equal(await readUntil(b, /from nc\n/), "from nc\n");
    // A large binary message arrives byte-exact at the others.
    const blob = randomBytes(4 * 1024 * 1024, 11);
    const [, gotB] = await Promise.all([
      writeConnAll(a, blob),
      (async () => {
        const parts: Uint8Array[] = [];
        let len = 0;
        const buf = new Uint8Array(65536);
        while (len < blob.length) {
          const n = await b.read(buf);
          if (n === null) break;
          parts.push(buf.slice(0, n));
          len += n;
        }
        return concatBytes(parts);
      })(),
    ]);
    assert.equal(await sha256(gotB), await sha256(blob));
    await nc.closeStdin();
    const r = await nc.finish(); // nc left after its stdin ended
    assert.equal(r.stdout.length, "from a\n".length + blob.length);
  } finally {
    closeQuietly(a);
    closeQuietly(b);
    nc.kill();
    srv.kill();
    await Promise.allSettled([nc.finish(), srv.finish()]);
  }
});

Deno.test("--chat names senders, announces joins and leaves, neutralises control characters", async () => {
  const srv = spawnSocktool(["-lv", "--chat", "127.0.0.1", "0"], { stdin: "null" });
  try {
    const port = await srv.listeningPort();
    const u1 = await connect(port);
    assert.match(
      await readUntil(u1, /nobody\.\n/),
      /^<announce> 127\.0\.0\.1:\d+ is connected as <user1>\.\n<announce> already connected: nobody\.\n$/,
    );
    const u2 = await connect(port);
    assert.match(
      await readUntil(u2, /already connected: .*\n/),
      /is connected as <user2>\.\n<announce> already connected: 127\.0\.0\.1:\d+ as <user1>\.\n$/,
    );
    assert.match(await readUntil(u1, /<user2>\.\n.*\n/), /is connected as <user2>\./);
    await writeConnAll(u1, enc("hi \x1b[2Jthere\x07\r\nhal"));
    await writeConnAll(u1, enc("f line\n"));
    assert.equal(
      await readUntil(u2, /half line\n/),
      "<user1> hi \\033[2Jthere\\007\n<user1> half line\n",
    );
    await writeConnAll(u2, enc("héllo\n"));
    assert.match(await readUntil(u1, /héllo\n/), /<user2> héllo\n$/);
    closeQuietly(u2);
    assert.match(
      await readUntil(u1, /disconnected\.\n/),
      /<announce> <user2> is disconnected\.\n$/,
    );
    closeQuietly(u1);
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("--broker: a member that stops reading is dropped, the room goes on", async () => {
  const srv = spawnSocktool(["-lv", "--broker", "127.0.0.1", "0"], { stdin: "null" });
  try {
    const port = await srv.listeningPort();
    const sender = await connect(port);
    const reader = await connect(port);
    const stalled = await connect(port); // never reads
    await srv.waitForStderr(/(connection from[^\n]*\n[^]*){3}/);
    const blob = randomBytes(32 * 1024 * 1024, 21);
    const reading = (async () => {
      let len = 0;
      const buf = new Uint8Array(65536);
      while (len < blob.length) {
        const n = await reader.read(buf);
        if (n === null) break;
        len += n;
      }
      return len;
    })();
    await writeConnAll(sender, blob);
    assert.equal(await reading, blob.length);
    await srv.waitForStderr(/dropped: not reading/);
    closeQuietly(stalled);
    await writeConnAll(sender, enc("still"));
    assert.equal(await readUntil(reader, /still/), "still");
    closeQuietly(sender);
    closeQuietly(reader);
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("--broker without -l is one usage line, exit 2", async () => {
  const r = await spawnSocktool(["--broker", "127.0.0.1", "9"], { stdin: "null" }).finish();
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^socktool: option --broker needs -l/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
});
