import assert from "node:assert/strict";
import { openSessionLog, sessionLogStage } from "./capture.ts";
import { SocktoolError } from "../errors.ts";
import { LogFile } from "../io/log_file.ts";
import { feed, RecordSink, utf8 } from "../io/_test_utils.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("openSessionLog lets the file system's error through (prepare.ts names the option)", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(() => openSessionLog(`${dir}/missing/log`, false), Deno.errors.NotFound);
    await assert.rejects(() => openSessionLog(dir, false), Deno.errors.IsADirectory);
  });
});

Deno.test("openSessionLog with truncate: false keeps the content until truncate()", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/s.log`;
    await Deno.writeTextFile(path, "before");
    const log = await openSessionLog(path, false, { truncate: false });
    assert.equal(await Deno.readTextFile(path), "before");
    log.truncate();
    await log.write(utf8("after"));
    await log.close();
    assert.equal(await Deno.readTextFile(path), "after");
  });
});

Deno.test("session log copies both directions raw, in arrival order, passing chunks on unchanged", async () => {
  await withTempDir(async (dir) => {
    const log = await openSessionLog(`${dir}/s.log`, false);
    const out = new RecordSink();
    const inn = new RecordSink();
    const sent = sessionLogStage(log)(out);
    const received = sessionLogStage(log)(inn);
    const binary = new Uint8Array([0xe2, 0x82, 0x00, 0xff, 0x0d, 0x0a]);
    await feed(sent, ["GET /\r\n"], { close: false });
    await feed(received, [binary.subarray(0, 2), "", binary.subarray(2)], { close: false });
    await feed(sent, ["bye\n"]);
    await feed(received, []);
    await log.close();
    const want = new Uint8Array([...utf8("GET /\r\n"), ...binary, ...utf8("bye\n")]);
    assert.deepEqual(await Deno.readFile(`${dir}/s.log`), want);
    assert.deepEqual(out.bytes(), utf8("GET /\r\nbye\n"));
    assert.deepEqual(inn.bytes(), binary);
    assert.ok(out.closed && inn.closed);
  });
});

Deno.test("session log keeps concurrent writes whole and in call order", async () => {
  await withTempDir(async (dir) => {
    const log = await openSessionLog(`${dir}/s.log`, false);
    const big = new Uint8Array(1 << 20).fill(0x61);
    const small = utf8("<reply>");
    await Promise.all([log.write(big), log.write(small), log.write(big.subarray(0, 3))]);
    await log.close();
    const got = await Deno.readFile(`${dir}/s.log`);
    assert.equal(got.length, big.length + small.length + 3);
    assert.deepEqual(got.subarray(big.length, big.length + small.length), small);
  });
});

Deno.test("session log truncates, or appends with --append-output", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/s.log`;
    await Deno.writeTextFile(path, "old\n");
    let log = await openSessionLog(path, true);
    await log.write(utf8("appended\n"));
    await log.close();
    assert.equal(await Deno.readTextFile(path), "old\nappended\n");
    log = await openSessionLog(path, false);
    await log.write(utf8("fresh\n"));
    await log.close();
    await log.close(); // twice is harmless
    assert.equal(await Deno.readTextFile(path), "fresh\n");
  });
});

Deno.test("a log write failure is reported by close and by every later write, exit 1", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/ro.log`;
    await Deno.writeTextFile(path, "");
    // A file opened for reading only fails every write, as a full disk would.
    const log = new LogFile(await Deno.open(path, { read: true }), path);
    await log.write(utf8("x")).catch(() => {}); // written behind: may not have failed yet
    const failure = (err: unknown) => {
      assert.ok(err instanceof SocktoolError);
      assert.equal(err.exitCode, 1);
      assert.match(err.message, new RegExp(`^write ${path}: .+`));
      return true;
    };
    await assert.rejects(() => log.close(), failure);
    await assert.rejects(() => log.write(utf8("y")), failure);
  });
});

Deno.test("a log write larger than its buffer still lands whole and in order", async () => {
  await withTempDir(async (dir) => {
    const log = await openSessionLog(`${dir}/big.log`, false);
    const big = new Uint8Array(3 << 20).map((_, i) => i % 251);
    await Promise.all([log.write(utf8("a")), log.write(big), log.write(utf8("z"))]);
    await log.close();
    const got = await Deno.readFile(`${dir}/big.log`);
    assert.equal(got.length, big.length + 2);
    assert.equal(got[0], 0x61);
    assert.deepEqual(got.subarray(1, -1), big);
    assert.equal(got.at(-1), 0x7a);
  });
});
