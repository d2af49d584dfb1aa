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
