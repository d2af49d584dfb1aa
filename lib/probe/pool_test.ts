import assert from "node:assert/strict";
import { runInOrder } from "./pool.ts";

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("runInOrder emits in input order while tasks finish out of order", async () => {
  const items = Array.from({ length: 60 }, (_, i) => i);
  const out: number[] = [];
  // Later items finish first: the worst case for ordering.
  await runInOrder(
    items,
    async (i) => {
      await delay((60 - i) % 7);
      return i;
    },
    (r) => void out.push(r),
    { limit: 10 },
  );
  assert.deepEqual(out, items);
});

Deno.test("runInOrder never has more than limit tasks in flight", async () => {
  let inFlight = 0;
  let most = 0;
  const count = await runInOrder(
    Array.from({ length: 50 }, (_, i) => i),
    async () => {
      most = Math.max(most, ++inFlight);
      await delay(1);
      inFlight--;
    },
    () => {},
    { limit: 4 },
  );
  assert.equal(count, 50);
  assert.equal(most, 4);
});

Deno.test("runInOrder keeps going when tasks settle while a slow emit is busy", async () => {
  // Regression: a settle during emit with nothing else in flight was missed,
  // and the loop waited forever.
  const out: number[] = [];
  await runInOrder(
    Array.from({ length: 30 }, (_, i) => i),
    (i) => Promise.resolve(i),
    async (r) => {
      await delay(1);
      out.push(r);
    },
    { limit: 3 },
  );
  assert.equal(out.length, 30);
});

Deno.test("runInOrder stops when emit returns false, after tasks in flight settle", async () => {
  let settled = 0;
  let started = 0;
  const count = await runInOrder(
    Array.from({ length: 100 }, (_, i) => i),
    async () => {
      started++;
      await delay(2);
      settled++;
    },
    () => false,
    { limit: 5 },
  );
  assert.equal(count, 1);
  assert.equal(settled, started, "nothing left running");
  assert.ok(started < 100);
});

Deno.test("runInOrder stops starting tasks once the signal aborts", async () => {
  const controller = new AbortController();
  let started = 0;
  await runInOrder(
    Array.from({ length: 100 }, (_, i) => i),
    async (i) => {
      started++;
      if (i === 3) controller.abort();
      await delay(1);
    },
    () => {},
    { limit: 2, signal: controller.signal },
  );
  assert.ok(started <= 6, `started ${started}`);
});

Deno.test("runInOrder rejects a limit below 1", async () => {
  await assert.rejects(
    () => runInOrder([1], (x) => Promise.resolve(x), () => {}, { limit: 0 }),
    RangeError,
  );
});

Deno.test("runInOrder starts narrow and widens up to limit when tasks are slow", async () => {
  let inFlight = 0;
  let most = 0;
  await runInOrder(
    Array.from({ length: 40 }, (_, i) => i),
    async () => {
      most = Math.max(most, ++inFlight);
      await delay(15);
      inFlight--;
    },
    () => {},
    { limit: 16, start: 2, slowMs: 5 },
  );
  assert.equal(most, 16);
});

Deno.test("runInOrder stays at start width while tasks are fast", async () => {
  let inFlight = 0;
  let most = 0;
  await runInOrder(
    Array.from({ length: 200 }, (_, i) => i),
    async () => {
      most = Math.max(most, ++inFlight);
      await Promise.resolve();
      inFlight--;
    },
    () => {},
    { limit: 64, start: 4, slowMs: 1000 },
  );
  assert.equal(most, 4);
});
