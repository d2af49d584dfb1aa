import assert from "node:assert/strict";
import { intervalStage } from "./interval.ts";
import { feed, utf8 } from "../io/_test_utils.ts";
import type { Sink } from "../io/sink.ts";

/** Records each chunk with the time it arrived. */
class TimedSink implements Sink {
  readonly writes: { text: string; at: number }[] = [];
  write(chunk: Uint8Array): Promise<void> {
    this.writes.push({ text: new TextDecoder().decode(chunk), at: performance.now() });
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  gaps(): number[] {
    return this.writes.slice(1).map((w, i) => w.at - this.writes[i].at);
  }
}

// Timers may fire a hair early against performance.now(); allow 2 ms.
const SLACK = 2;

Deno.test("interval splits a chunk into lines and spaces them apart", async () => {
  const rec = new TimedSink();
  await feed(intervalStage({ intervalMs: 40 })(rec), ["one\ntwo\nthree\n"]);
  assert.deepEqual(rec.writes.map((w) => w.text), ["one\n", "two\n", "three\n"]);
  for (const gap of rec.gaps()) assert.ok(gap >= 40 - SLACK, `gap ${gap}`);
});

Deno.test("interval does not delay the rest of a line that spans chunks", async () => {
  const rec = new TimedSink();
  const start = performance.now();
  await feed(intervalStage({ intervalMs: 1000 })(rec), ["par", "tial", " line\n"]);
  assert.deepEqual(rec.writes.map((w) => w.text), ["par", "tial", " line\n"]);
  assert.ok(performance.now() - start < 500);
});

Deno.test("interval keeps bytes exact, multi-byte characters split across lines and chunks included", async () => {
  const chunks: Uint8Array[] = [];
  const sink = intervalStage({ intervalMs: 1 })({
    write: (c) => (chunks.push(c.slice()), Promise.resolve()),
    close: () => Promise.resolve(),
  });
  const text = utf8("€\n日本\n😀");
  await feed(sink, [text.subarray(0, 2), text.subarray(2, 6), text.subarray(6)]);
  const joined = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) (joined.set(c, at), at += c.length);
  assert.deepEqual(joined, text);
});

Deno.test("interval paces datagrams whole, a 0-length one included, without splitting at LF", async () => {
  const rec = new TimedSink();
  await feed(intervalStage({ intervalMs: 30, datagrams: true })(rec), ["a\nb\n", "", "c"]);
  assert.deepEqual(rec.writes.map((w) => w.text), ["a\nb\n", "", "c"]);
  for (const gap of rec.gaps()) assert.ok(gap >= 30 - SLACK, `gap ${gap}`);
});

Deno.test("interval sends at once a line that comes after the interval has passed", async () => {
  const rec = new TimedSink();
  const sink = intervalStage({ intervalMs: 200 })(rec);
  await sink.write(utf8("first\n"));
  await new Promise((r) => setTimeout(r, 250)); // the user is slower than -i
  const before = performance.now();
  await sink.write(utf8("second\n"));
  assert.ok(performance.now() - before < 100);
  await sink.close();
});

Deno.test("interval delay is cut short by its AbortSignal", async () => {
  const controller = new AbortController();
  const sink = intervalStage({ intervalMs: 60_000, signal: controller.signal })({
    write: () => Promise.resolve(),
    close: () => Promise.resolve(),
  });
  const start = performance.now();
  const pending = sink.write(utf8("one\ntwo\n"));
  queueMicrotask(() => controller.abort(new Error("stop")));
  await assert.rejects(() => pending, { message: "stop" });
  assert.ok(performance.now() - start < 1000);
  // Once aborted, the next line fails at once instead of waiting.
  await assert.rejects(() => sink.write(utf8("three\n")), { message: "stop" });
});
