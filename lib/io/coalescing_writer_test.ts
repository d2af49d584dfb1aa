import assert from "node:assert/strict";
import { CoalescingWriter } from "./coalescing_writer.ts";

/** A writer that takes `delayMs` per call and records each call's bytes. */
class SlowWriter {
  calls: Uint8Array[] = [];
  failAfter = Infinity;
  constructor(readonly delayMs = 5, readonly maxPerCall = Infinity) {}
  async write(p: Uint8Array): Promise<number> {
    await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.calls.length >= this.failAfter) throw new Deno.errors.BrokenPipe("gone");
    const n = Math.min(p.length, this.maxPerCall);
    this.calls.push(p.slice(0, n));
    return n;
  }
  bytes(): number[] {
    return this.calls.flatMap((c) => [...c]);
  }
}

Deno.test("CoalescingWriter keeps order and gathers chunks that arrive during a write", async () => {
  const out = new SlowWriter(10);
  const w = new CoalescingWriter(out, { capacity: 1024 });
  const buf = new Uint8Array(1);
  const pending: Promise<number>[] = [];
  for (let i = 0; i < 50; i++) {
    buf[0] = i; // the same buffer every time: the writer must copy what it keeps
    pending.push(w.write(buf));
    await pending[i];
  }
  await w.flush();
  assert.deepEqual(out.bytes(), Array.from({ length: 50 }, (_, i) => i));
  assert.ok(out.calls.length < 10, `50 chunks went out in ${out.calls.length} calls`);
});

Deno.test("CoalescingWriter writes an idle chunk itself and waits for it (the chunk is lent)", async () => {
  const out = new SlowWriter(5, 3);
  const w = new CoalescingWriter(out, { directMin: 4 });
  const chunk = new Uint8Array([1, 2, 3, 4, 5, 6, 7]);
  await w.write(chunk); // partial writes of 3 are looped over
  assert.deepEqual(out.bytes(), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(out.calls.length, 3);
});

Deno.test("CoalescingWriter bounds what it gathers: a full buffer makes writers wait", async () => {
  const out = new SlowWriter(20);
  const w = new CoalescingWriter(out, { capacity: 4 });
  const first = w.write(new Uint8Array([0])); // in flight
  await w.write(new Uint8Array([1, 2, 3, 4])); // fills the gather buffer
  let done = false;
  const third = w.write(new Uint8Array([5, 6])).then(() => (done = true));
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(done, false, "no room: the caller waits");
  await Promise.all([first, third]);
  await w.flush();
  assert.deepEqual(out.bytes(), [0, 1, 2, 3, 4, 5, 6]);
});

Deno.test("CoalescingWriter reports a failed write to later writes and to flush", async () => {
  const out = new SlowWriter(2);
  out.failAfter = 0;
  const w = new CoalescingWriter(out);
  await w.write(new Uint8Array([1])); // copied, and its write will fail
  await assert.rejects(w.flush(), Deno.errors.BrokenPipe);
  await assert.rejects(w.write(new Uint8Array([2])), Deno.errors.BrokenPipe);
});

Deno.test("CoalescingWriter takes empty chunks without writing", async () => {
  const out = new SlowWriter(1);
  const w = new CoalescingWriter(out);
  assert.equal(await w.write(new Uint8Array(0)), 0);
  await w.flush();
  assert.equal(out.calls.length, 0);
});

/** A writer whose writes never finish: a reader that stopped reading. */
class StalledWriter {
  calls = 0;
  write(_p: Uint8Array): Promise<number> {
    this.calls++;
    return new Promise(() => {});
  }
}

Deno.test("CoalescingWriter.abandon releases a write waiting for room and a flush waiting for a stalled write", async () => {
  const w = new CoalescingWriter(new StalledWriter(), { capacity: 4 });
  await w.write(new Uint8Array([1])); // in flight for ever
  await w.write(new Uint8Array([2, 3, 4, 5])); // fills the gather buffer
  const blocked = w.write(new Uint8Array([6]));
  const flushing = w.flush();
  const reason = new Deno.errors.Interrupted("abandoned");
  w.abandon(reason);
  await assert.rejects(blocked, Deno.errors.Interrupted);
  await assert.rejects(flushing, Deno.errors.Interrupted);
  await assert.rejects(w.write(new Uint8Array([7])), Deno.errors.Interrupted);
});

Deno.test("CoalescingWriter.abandon releases a large direct write that never finishes", async () => {
  const out = new StalledWriter();
  const w = new CoalescingWriter(out, { directMin: 4 });
  const direct = w.write(new Uint8Array(8));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(out.calls, 1);
  w.abandon(new Deno.errors.Interrupted("abandoned"));
  await assert.rejects(direct, Deno.errors.Interrupted);
});

Deno.test("CoalescingWriter.abandon keeps an earlier write failure as the error", async () => {
  const out = new SlowWriter(1);
  out.failAfter = 0;
  const w = new CoalescingWriter(out);
  await w.write(new Uint8Array([1]));
  await assert.rejects(w.flush(), Deno.errors.BrokenPipe);
  w.abandon(new Deno.errors.Interrupted("abandoned"));
  await assert.rejects(w.flush(), Deno.errors.BrokenPipe);
});

Deno.test("CoalescingWriter writes what fits at once through writeNow, in order with the rest", async () => {
  const out = new SlowWriter(2);
  const now: number[] = [];
  let room = 0;
  const w = new CoalescingWriter(out, {
    capacity: 64,
    directMin: 32,
    nowMin: 8,
    writeNow: (p) => {
      const n = Math.min(room, p.length);
      now.push(...p.subarray(0, n));
      room -= n;
      return n;
    },
  });
  const seq = (from: number, n: number) => Uint8Array.from({ length: n }, (_, i) => from + i);
  room = 100;
  await w.write(seq(0, 10)); // fits: written on the spot
  assert.deepEqual(now, [...seq(0, 10)]);
  assert.equal(out.calls.length, 0);
  room = 4;
  await w.write(seq(10, 40)); // 4 on the spot, the rest the slow way (large: uncopied)
  await w.write(seq(50, 3)); // small: never tried on the spot, gathered
  await w.flush();
  assert.deepEqual([...now, ...out.bytes()], [...seq(0, 53)]);
});

Deno.test("CoalescingWriter tries writeNow on what has gathered once it is large enough", async () => {
  const out = new SlowWriter(20);
  let nowCalls = 0;
  const w = new CoalescingWriter(out, {
    capacity: 1024,
    nowMin: 16,
    writeNow: (p) => {
      nowCalls++;
      return p.length;
    },
  });
  await w.write(new Uint8Array(4)); // small, idle: starts a slow write
  for (let i = 0; i < 8; i++) await w.write(new Uint8Array(4)); // gathers behind it
  await w.flush();
  // The 32 gathered bytes went on the spot once the slow write was done.
  assert.equal(out.calls.length, 1);
  assert.equal(nowCalls, 1);
});
