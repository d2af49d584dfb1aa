import assert from "node:assert/strict";
import { attemptConnect, MAX_PAUSE_MS, pauseAfter, waitUntilUp } from "./wait.ts";

Deno.test("pauseAfter backs off from 100 ms to at most 250 ms: four attempts a second at most", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 50].map(pauseAfter), [100, 150, 225, 250, 250, 250]);
  assert.equal(MAX_PAUSE_MS, 250);
});

Deno.test("attemptConnect says up for a listener, and why not for a closed port or a missing socket", async () => {
  using l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const up = await attemptConnect({ kind: "inet", host: "127.0.0.1", port: l.addr.port });
  assert.deepEqual(up, { up: true, address: `127.0.0.1:${l.addr.port}` });
  const accepted = await l.accept();
  accepted.close();
  const port = l.addr.port;
  l.close();
  assert.deepEqual(await attemptConnect({ kind: "inet", host: "127.0.0.1", port }), {
    up: false,
    reason: "connection refused",
  });
  assert.deepEqual(await attemptConnect({ kind: "unix", path: "/nonexistent/x.sock" }), {
    up: false,
    reason: "no such file or directory",
  });
});

Deno.test("waitUntilUp returns within a pause of the listener coming up, without a busy loop", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  let listener: Deno.Listener | undefined;
  let upAt = 0;
  const timer = setTimeout(() => {
    listener = Deno.listen({ hostname: "127.0.0.1", port });
    upAt = performance.now();
  }, 700);
  try {
    const r = await waitUntilUp({ kind: "inet", host: "127.0.0.1", port }, {
      deadline: performance.now() + 5000,
    });
    const late = performance.now() - upAt;
    assert.equal(r.up, true);
    assert.ok(late <= MAX_PAUSE_MS + 100, `up ${late.toFixed(0)} ms after the listener`);
    // 0.7 s of refusals: 100 + 150 + 225 + 250 ms pauses, so about 5 attempts.
    assert.ok(r.attempts >= 3 && r.attempts <= 7, `${r.attempts} attempts`);
  } finally {
    clearTimeout(timer);
    (await listener?.accept())?.close();
    listener?.close();
  }
});

Deno.test("waitUntilUp gives up at the deadline, on time, with the last reason", async () => {
  const started = performance.now();
  const r = await waitUntilUp({ kind: "unix", path: "/nonexistent/late.sock" }, {
    deadline: started + 600,
  });
  const took = performance.now() - started;
  assert.equal(r.up, false);
  assert.equal(r.reason, "no such file or directory");
  assert.ok(took >= 590 && took < 800, `gave up after ${took.toFixed(0)} ms`);
  assert.ok(r.attempts >= 3 && r.attempts <= 5, `${r.attempts} attempts`);
});

Deno.test("waitUntilUp with a deadline already past tries once", async () => {
  const r = await waitUntilUp({ kind: "unix", path: "/nonexistent/x.sock" }, {
    deadline: performance.now(),
  });
  assert.equal(r.attempts, 1);
  assert.equal(r.up, false);
});

Deno.test("waitUntilUp stops at once when its signal aborts", async () => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 200);
  const started = performance.now();
  const r = await waitUntilUp({ kind: "unix", path: "/nonexistent/x.sock" }, {
    deadline: started + 10_000,
    signal: controller.signal,
  });
  clearTimeout(timer);
  assert.equal(r.reason, "interrupted");
  assert.ok(performance.now() - started < 400);
});
