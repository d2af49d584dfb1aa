import assert from "node:assert/strict";
import { FanOut } from "./fanout.ts";
import type { Logger } from "../io/log.ts";

const quiet: Logger = { info() {}, warn() {}, debug() {} } as unknown as Logger;

Deno.test("FanOut: options passed as undefined take their defaults (a full queue waits, no NaN stall)", async () => {
  const lines: string[] = [];
  const log = { ...quiet, info: (m: string) => lines.push(m) } as Logger;
  let release!: () => void;
  const writable = new Promise<void>((r) => release = r);
  const conn = {
    read: () => new Promise<number | null>(() => {}), // a member that sends nothing
    write: async (p: Uint8Array) => {
      await writable; // and reads nothing until released
      return p.length;
    },
    closeWrite: () => Promise.resolve(),
    close() {},
  };
  // As StdioHub passes them on: present, but undefined.
  const room = new FanOut({ log, stallMs: undefined, queueLimit: 4, idleTimeoutMs: undefined });
  const stop = new AbortController();
  const serving = room.serve(conn, "m", stop.signal, { onData: () => Promise.resolve() });
  let settled = false;
  const sending = room.broadcast(new Uint8Array(10)).then(() => settled = true);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(settled, false, `dropped at once: ${lines.join("; ")}`);
  release();
  await sending;
  assert.deepEqual(lines.filter((l) => l.includes("dropped")), []);
  stop.abort();
  await serving;
  room.close();
});

Deno.test("FanOut: a member's reads start small and grow while they fill the buffer; bytes stay in order", async () => {
  const total = 300_000;
  const source = Uint8Array.from({ length: total }, (_, i) => (i * 7) & 0xff);
  let off = 0;
  const sizes: number[] = [];
  const conn = {
    read: (p: Uint8Array) => {
      sizes.push(p.length);
      if (off >= total) return Promise.resolve(null);
      const n = Math.min(p.length, total - off); // always fill: a fast sender
      p.set(source.subarray(off, off + n));
      off += n;
      return Promise.resolve(n);
    },
    write: (p: Uint8Array) => Promise.resolve(p.length),
    closeWrite: () => Promise.resolve(),
    close() {},
  };
  const room = new FanOut({ log: quiet });
  room.endSource();
  const got: number[] = [];
  await room.serve(conn, "m", undefined, {
    onData: (_m, chunk) => {
      got.push(...chunk);
      return Promise.resolve();
    },
  });
  room.close();
  assert.deepEqual(got, [...source]);
  assert.equal(sizes[0], 16 * 1024);
  assert.equal(Math.max(...sizes), 64 * 1024);
});
