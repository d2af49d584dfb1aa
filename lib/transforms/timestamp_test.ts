import assert from "node:assert/strict";
import { timestampPrefix, timestampStage } from "./timestamp.ts";
import { concat, feed, RecordSink, utf8 } from "../io/_test_utils.ts";

/** A clock that the test moves by hand. */
function fakeClock(start = new Date(2024, 0, 2, 3, 4, 5)) {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

Deno.test("timestampPrefix formats local time with zero padding", () => {
  assert.deepEqual(timestampPrefix(new Date(2024, 0, 2, 3, 4, 5)), "[2024-01-02 03:04:05] ");
  assert.deepEqual(
    timestampPrefix(new Date(1999, 11, 31, 23, 59, 59, 999)),
    "[1999-12-31 23:59:59] ",
  );
});

Deno.test("timestamp prefixes each line of one chunk", async () => {
  const rec = new RecordSink();
  await feed(timestampStage(fakeClock())(rec), ["one\ntwo\n\nthree\n"]);
  const p = "[2024-01-02 03:04:05] ";
  assert.deepEqual(rec.bytes(), utf8(`${p}one\n${p}two\n${p}\n${p}three\n`));
});

Deno.test("timestamp gives a line spanning many chunks one prefix, from its first byte", async () => {
  const clock = fakeClock();
  const rec = new RecordSink();
  const sink = timestampStage(clock)(rec);
  await feed(sink, ["a"], { close: false });
  for (const c of ["b", "c", "", "d"]) {
    clock.advance(1000);
    await feed(sink, [c], { close: false });
  }
  clock.advance(1000);
  await feed(sink, ["e\n"], { close: false });
  clock.advance(1000);
  await feed(sink, ["f\n"]);
  assert.deepEqual(
    rec.bytes(),
    utf8("[2024-01-02 03:04:05] abcde\n[2024-01-02 03:04:11] f\n"),
  );
});

Deno.test("timestamp stamps a line starting after an LF that ended a chunk with the later time", async () => {
  const clock = fakeClock();
  const rec = new RecordSink();
  const sink = timestampStage(clock)(rec);
  await feed(sink, ["x\n"], { close: false });
  clock.advance(61_000);
  await feed(sink, ["y\n"]);
  assert.deepEqual(rec.bytes(), utf8("[2024-01-02 03:04:05] x\n[2024-01-02 03:05:06] y\n"));
});

Deno.test("timestamp keeps a final line without newline and adds nothing at close", async () => {
  const rec = new RecordSink();
  await feed(timestampStage(fakeClock())(rec), ["last line, no newline"]);
  assert.deepEqual(rec.bytes(), utf8("[2024-01-02 03:04:05] last line, no newline"));
  assert.deepEqual(rec.closed, true);
});

Deno.test("timestamp never decodes: multi-byte characters and invalid UTF-8 split across chunks survive", async () => {
  const text = concat([utf8("é€😀\n"), new Uint8Array([0xff, 0xc3]), utf8("\n")]);
  const rec = new RecordSink();
  const chunks = [];
  for (let i = 0; i < text.length; i++) chunks.push(text.subarray(i, i + 1));
  await feed(timestampStage(fakeClock())(rec), chunks);
  const p = utf8("[2024-01-02 03:04:05] ");
  assert.deepEqual(rec.bytes(), concat([p, utf8("é€😀\n"), p, new Uint8Array([0xff, 0xc3, 0x0a])]));
});

Deno.test("timestamp passes empty chunks (0-length datagrams) on as empty chunks", async () => {
  const rec = new RecordSink();
  await feed(timestampStage(fakeClock())(rec), ["", "a\n", ""]);
  assert.deepEqual(rec.chunks.map((c) => c.length), [0, 24, 0]);
});
