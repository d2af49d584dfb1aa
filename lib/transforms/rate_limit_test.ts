import assert from "node:assert/strict";
import { rateLimitStage, SLICE_MS, TokenBucket } from "./rate_limit.ts";
import { composeStages, type Sink } from "../io/sink.ts";

/** A fake clock and a sleep that only moves it. */
function fakeTime() {
  const t = {
    now: 0,
    sleeps: [] as number[],
    clock: () => t.now,
    sleep: (ms: number) => {
      t.sleeps.push(ms);
      t.now += ms;
      return Promise.resolve();
    },
  };
  return t;
}

/** A sink that records each write (copied) and the fake time it came at. */
function recorder(clock: () => number) {
  const writes: { bytes: Uint8Array; at: number }[] = [];
  const sink: Sink = {
    write(chunk) {
      writes.push({ bytes: chunk.slice(), at: clock() });
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return { writes, sink, all: () => new Uint8Array(writes.flatMap((w) => [...w.bytes])) };
}

const pattern = (n: number, seed = 0) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

Deno.test("TokenBucket starts empty and fills at its rate", () => {
  const t = fakeTime();
  const b = new TokenBucket(1000, { now: t.clock });
  assert.equal(b.available(), 0);
  assert.equal(b.waitMs(500), 500);
  t.now = 250;
  assert.equal(b.available(), 250);
  assert.equal(b.waitMs(500), 250);
});

Deno.test("TokenBucket never saves up more than its capacity, one second's worth by default", () => {
  const t = fakeTime();
  const b = new TokenBucket(1000, { now: t.clock });
  t.now = 10_000;
  assert.equal(b.available(), 1000);
  assert.equal(b.capacity, 1000);
  // More than the capacity is waited for as the capacity: it never comes otherwise.
  assert.equal(b.waitMs(5000), 0);
});

Deno.test("TokenBucket goes into debt and the debt is waited out", () => {
  const t = fakeTime();
  const b = new TokenBucket(1000, { now: t.clock, tokens: 100 });
  b.take(600);
  assert.equal(b.available(), -500);
  assert.equal(b.waitMs(1), 501);
});

Deno.test("TokenBucket refuses a rate or capacity that is not above 0", () => {
  assert.throws(() => new TokenBucket(0), RangeError);
  assert.throws(() => new TokenBucket(-1), RangeError);
  assert.throws(() => new TokenBucket(Infinity), RangeError);
  assert.throws(() => new TokenBucket(10, { capacity: 0 }), RangeError);
  assert.throws(() => rateLimitStage({ bytesPerSecond: 0 }), RangeError);
});

Deno.test("rate limit paces N bytes to take N / RATE seconds, in slices, bytes unchanged", async () => {
  const t = fakeTime();
  const rate = 10_000;
  const slice = rate * SLICE_MS / 1000; // 500 bytes
  const rec = recorder(t.clock);
  const sink = composeStages(
    [rateLimitStage({ bytesPerSecond: rate, now: t.clock, sleep: t.sleep })],
    rec.sink,
  );
  const data = pattern(20_000);
  await sink.write(data);
  assert.deepEqual(rec.all(), data);
  assert.ok(rec.writes.every((w) => w.bytes.length <= slice));
  // The bucket starts empty: 20,000 bytes at 10,000/s end at 2 s, not before.
  assert.ok(Math.abs(t.now - 2000) <= 2, `ended at ${t.now} ms`);
  // No burst: by any moment, at most what the rate allows has gone.
  let sent = 0;
  for (const w of rec.writes) {
    sent += w.bytes.length;
    assert.ok(sent <= w.at * rate / 1000 + 1, `${sent} bytes by ${w.at} ms`);
  }
});

Deno.test("rate limit across chunk boundaries: 0, 1, slice-1, slice, slice+1 bytes, in order", async () => {
  const t = fakeTime();
  const rate = 1000; // 50-byte slices
  const rec = recorder(t.clock);
  const sink = composeStages(
    [rateLimitStage({ bytesPerSecond: rate, now: t.clock, sleep: t.sleep })],
    rec.sink,
  );
  const chunks = [0, 1, 49, 50, 51, 0, 149].map((n, i) => pattern(n, i));
  for (const c of chunks) await sink.write(c);
  const total = chunks.reduce((n, c) => n + c.length, 0); // 300 bytes
  assert.deepEqual(rec.all(), new Uint8Array(chunks.flatMap((c) => [...c])));
  assert.ok(rec.writes.every((w) => w.bytes.length <= 50));
  // The empty chunks are passed on as they are, not dropped.
  assert.equal(rec.writes.filter((w) => w.bytes.length === 0).length, 2);
  assert.ok(Math.abs(t.now - total) <= chunks.length + 1, `300 bytes at 1000/s ended at ${t.now}`);
});

Deno.test("rate limit after a pause: at most one second's worth goes at once, the rest is paced", async () => {
  const t = fakeTime();
  const rec = recorder(t.clock);
  const sink = composeStages(
    [rateLimitStage({ bytesPerSecond: 1000, now: t.clock, sleep: t.sleep })],
    rec.sink,
  );
  t.now = 60_000; // a minute idle fills the bucket, but only to one second's worth
  await sink.write(pattern(3000));
  const atOnce = rec.writes.filter((w) => w.at === 60_000).reduce((n, w) => n + w.bytes.length, 0);
  assert.equal(atOnce, 1000);
  assert.ok(Math.abs(t.now - 62_000) <= 2, `ended at ${t.now}`);
});

Deno.test("rate limit in datagram mode never splits a datagram, even one bigger than a second's worth", async () => {
  const t = fakeTime();
  const rec = recorder(t.clock);
  const sink = composeStages(
    [rateLimitStage({ bytesPerSecond: 1000, datagrams: true, now: t.clock, sleep: t.sleep })],
    rec.sink,
  );
  await sink.write(pattern(300));
  await sink.write(pattern(2500)); // waits for a full bucket, then leaves it 1500 in debt
  await sink.write(pattern(100));
  assert.deepEqual(rec.writes.map((w) => w.bytes.length), [300, 2500, 100]);
  assert.deepEqual(rec.writes.map((w) => w.at), [300, 1300, 2900]);
});

Deno.test("rate limit: a pending wait ends with the session's signal", async () => {
  const controller = new AbortController();
  const rec = recorder(() => 0);
  const sink = composeStages(
    [rateLimitStage({ bytesPerSecond: 10, signal: controller.signal })],
    rec.sink,
  );
  const pending = sink.write(pattern(100));
  setTimeout(() => controller.abort(new Error("session over")), 50);
  await assert.rejects(pending, /session over/);
  assert.equal(rec.writes.length, 0);
});
