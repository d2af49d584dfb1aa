import assert from "node:assert/strict";
import { tryInTurn } from "./try_in_turn.ts";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("tryInTurn tries each address until one connects", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const good = (listener.addr as Deno.NetAddr).port;
  const closed = freePort();
  const failed: number[] = [];
  const accepted = listener.accept();
  const conn = await tryInTurn(
    [closed, good],
    (port) => Deno.connect({ hostname: "127.0.0.1", port }),
    { onFailed: (_, port) => failed.push(port) },
  );
  assert.deepEqual(failed, [closed]);
  assert.equal((conn.remoteAddr as Deno.NetAddr).port, good);
  conn.close();
  (await accepted).close();
  listener.close();
});

Deno.test("tryInTurn rejects with the last failure, and stops at an abort", async () => {
  await assert.rejects(
    () => tryInTurn([1, 2], (n) => Promise.reject(new Error(`fail ${n}`))),
    /fail 2/,
  );
  const controller = new AbortController();
  const tried: number[] = [];
  await assert.rejects(() =>
    tryInTurn([1, 2, 3], (n) => {
      tried.push(n);
      controller.abort();
      return Promise.reject(new Error("aborted"));
    }, { signal: controller.signal })
  );
  assert.deepEqual(tried, [1]);
  await assert.rejects(() => tryInTurn([], () => Promise.resolve(1)), RangeError);
});

Deno.test("tryInTurn tells onFailed of every failure but the last, which it rejects with", async () => {
  const told: number[] = [];
  await assert.rejects(
    () =>
      tryInTurn([1, 2, 3], (n) => Promise.reject(new Error(`fail ${n}`)), {
        onFailed: (_, n) => told.push(n),
      }),
    /fail 3/,
  );
  assert.deepEqual(told, [1, 2]);
});
