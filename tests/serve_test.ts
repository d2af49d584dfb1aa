/**
 * End-to-end tests of `--serve NAME` over TCP: real clients (Deno and nc)
 * against the real CLI.
 */
import assert from "node:assert/strict";
import { randomBytes, sha256, spawn, spawnSocktool } from "./_test_utils/harness.ts";
import {
  closeQuietly,
  connect,
  dec,
  enc,
  readToEndWithin,
  readUntil,
  sendAndReceive,
} from "./_test_utils/client.ts";
import { chargenLines } from "../lib/serve/responders.ts";

Deno.test("--serve echo without -k echoes one client byte-exact, then exits 0", async () => {
  const srv = spawnSocktool(["-lv", "--serve", "echo", "127.0.0.1", "0"], { stdin: "null" });
  const port = await srv.listeningPort();
  const data = randomBytes(3 * 1024 * 1024, 5);
  const back = await sendAndReceive(await connect(port), data);
  const s = await srv.finish();
  assert.equal(s.code, 0, s.stderr);
  assert.equal(await sha256(back), await sha256(data));
  assert.equal(s.stdout.length, 0, "nothing of the session on stdout");
});

Deno.test("--serve upper and timestamp answer nc clients line by line", async () => {
  const upper = spawnSocktool(["-lkv", "--serve", "upper", "127.0.0.1", "0"], { stdin: "null" });
  const stamp = spawnSocktool(["-lkv", "--serve", "timestamp", "127.0.0.1", "0"], {
    stdin: "null",
  });
  try {
    const [up, ts] = await Promise.all([upper.listeningPort(), stamp.listeningPort()]);
    const nc1 = spawn("nc", ["-N", "127.0.0.1", String(up)]);
    await nc1.write("héllo, World 42\nsecond\n");
    await nc1.closeStdin();
    const r1 = await nc1.finish();
    assert.equal(dec(r1.stdout), "HéLLO, WORLD 42\nSECOND\n");

    const nc2 = spawn("nc", ["-N", "127.0.0.1", String(ts)]);
    await nc2.write("one\ntwo\n");
    await nc2.closeStdin();
    const r2 = await nc2.finish();
    assert.match(
      dec(r2.stdout),
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] one\n\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] two\n$/,
    );
  } finally {
    upper.kill();
    stamp.kill();
    await Promise.all([upper.finish(), stamp.finish()]);
  }
});

Deno.test("--serve daytime sends one date line and closes; discard answers nothing", async () => {
  const day = spawnSocktool(["-lk", "--serve", "daytime", "127.0.0.1", "0", "-v"], {
    stdin: "null",
  });
  const disc = spawnSocktool(["-lk", "--serve", "discard", "127.0.0.1", "0", "-v"], {
    stdin: "null",
  });
  try {
    const [dp, cp] = await Promise.all([day.listeningPort(), disc.listeningPort()]);
    const c = await connect(dp);
    const line = dec(await readToEndWithin(c));
    closeQuietly(c);
    assert.match(line, /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n$/);

    const got = await sendAndReceive(await connect(cp), randomBytes(1024 * 1024, 9));
    assert.equal(got.length, 0);
    // The discard server is still there for the next client.
    assert.equal((await sendAndReceive(await connect(cp), enc("more"))).length, 0);
  } finally {
    day.kill();
    disc.kill();
    await Promise.all([day.finish(), disc.finish()]);
  }
});

Deno.test("--serve chargen streams RFC 864 lines until the client hangs up", async () => {
  const srv = spawnSocktool(["-lkv", "--serve", "chargen", "127.0.0.1", "0"], { stdin: "null" });
  try {
    const port = await srv.listeningPort();
    const c = await connect(port);
    await c.closeWrite(); // a half-close does not stop chargen
    const text = await readUntil(c, /[\s\S]{20000}/);
    closeQuietly(c);
    const expected = dec(chargenLines(0, 400));
    assert.equal(text.slice(0, 20000), expected.slice(0, 20000));
    assert.equal(
      text.slice(0, 74),
      ` !"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_\`abcdefg\r\n`,
    );
    // Hanging up ends that client's service, not the listener.
    await srv.waitForStderr(/served chargen/);
    const c2 = await connect(port);
    assert.match(await readUntil(c2, /\r\n/), /^ !"#/);
    closeQuietly(c2);
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("--serve with an unknown name is one usage line, exit 2, nothing listens", async () => {
  const r = await spawnSocktool(["-lv", "--serve", "qotd", "127.0.0.1", "0"], { stdin: "null" })
    .finish();
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^socktool: unknown --serve name 'qotd': choose one of echo, /);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
});
