import assert from "node:assert/strict";
import { broadcast, Outbox } from "./outbox.ts";

/** A fake connection whose writes complete only when the test lets them. */
function gatedConn() {
  const written: number[] = [];
  let open = true;
  let release: (() => void) | undefined;
  let halfClosed = false;
  return {
    written,
    get halfClosed() {
      return halfClosed;
    },
    /** Lets writes through from now on. */
    open() {
      open = true;
      release?.();
    },
    /** Holds every later write until `open()`. */
    hold() {
      open = false;
    },
    async write(p: Uint8Array) {
      while (!open) await new Promise<void>((r) => release = r);
      written.push(...p);
      return p.length;
    },
    closeWrite() {
      halfClosed = true;
      return Promise.resolve();
    },
  };
}

const bytes = (...v: number[]) => new Uint8Array(v);

Deno.test("Outbox writes chunks in order, then half-closes once ended", async () => {
  const conn = gatedConn();
  const box = new Outbox(conn);
  box.enqueue(bytes(1, 2));
  box.enqueue(bytes(3));
  box.end();
  assert.equal(await box.done, "drained");
  assert.deepEqual(conn.written, [1, 2, 3]);
  assert.equal(conn.halfClosed, true);
  assert.equal(box.written, 3);
});

Deno.test("Outbox with halfClose false ends without closing the write side", async () => {
  const conn = gatedConn();
  const box = new Outbox(conn, { halfClose: false });
  box.end();
  assert.equal(await box.done, "drained");
  assert.equal(conn.halfClosed, false);
});

Deno.test("a full Outbox makes waitForRoom wait, and room comes when the writes drain", async () => {
  const conn = gatedConn();
  conn.hold();
  const box = new Outbox(conn, { limit: 4 });
  box.enqueue(bytes(1, 2, 3, 4, 5));
  assert.equal(box.full, true);
  const room = box.waitForRoom(5000);
  conn.open();
  assert.equal(await room, true);
  box.end();
  await box.done;
});

Deno.test("broadcast drops a stalled client after stallMs and the others get every byte", async () => {
  const fast = gatedConn();
  const stuck = gatedConn();
  stuck.hold();
  const a = new Outbox(fast, { limit: 2 });
  const b = new Outbox(stuck, { limit: 2 });
  const stalled: Outbox[] = [];
  const t0 = performance.now();
  await broadcast([a, b], bytes(1, 2, 3), 50, (o) => {
    stalled.push(o);
    o.drop();
  });
  assert.ok(performance.now() - t0 >= 45);
  assert.deepEqual(stalled, [b]);
  assert.equal(await b.done, "dropped");
  await broadcast([a], bytes(4), 50, () => assert.fail("fast client stalled"));
  a.end();
  assert.equal(await a.done, "drained");
  assert.deepEqual(fast.written, [1, 2, 3, 4]);
  stuck.open(); // lets the dropped box's pending write settle
});

Deno.test("broadcast shares one copy: the caller may reuse its buffer at once", async () => {
  const conn = gatedConn();
  const box = new Outbox(conn);
  const buf = bytes(7, 7);
  await broadcast([box], buf, 1000, () => {});
  buf.fill(0);
  box.end();
  await box.done;
  assert.deepEqual(conn.written, [7, 7]);
});

Deno.test("Outbox.finish drops a client that writes nothing for stallMs", async () => {
  const conn = gatedConn();
  conn.hold();
  const box = new Outbox(conn);
  box.enqueue(bytes(1));
  assert.equal(await box.finish(30), "dropped");
  conn.open();
});

Deno.test("an Outbox whose write fails stops as failed and keeps the error", async () => {
  const box = new Outbox({
    write: () => Promise.reject(new Error("broken pipe")),
    closeWrite: () => Promise.resolve(),
  });
  box.enqueue(bytes(1));
  assert.equal(await box.done, "failed");
  assert.match(String(box.error), /broken pipe/);
  box.enqueue(bytes(2)); // ignored once stopped
  assert.equal(box.queued, 0);
});
