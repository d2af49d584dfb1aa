import { assertEquals } from "../_test_utils.ts";
import { watchIdle } from "./idle.ts";

Deno.test("watchIdle fires once after the quiet time, and touch() re-arms it", async () => {
  let fired = 0;
  const started = performance.now();
  const idle = watchIdle(60, () => fired++);
  await new Promise((r) => setTimeout(r, 40));
  idle.touch();
  await new Promise((r) => setTimeout(r, 40));
  assertEquals(fired, 0, "touched 40 ms ago: not idle yet");
  while (fired === 0) await new Promise((r) => setTimeout(r, 10));
  assertEquals(performance.now() - started >= 100, true);
  idle.stop();
});

Deno.test("watchIdle without a time never fires; stop() and dispose cancel it", async () => {
  let fired = 0;
  watchIdle(undefined, () => fired++).touch();
  const a = watchIdle(20, () => fired++);
  a.stop();
  {
    using _b = watchIdle(20, () => fired++);
  }
  await new Promise((r) => setTimeout(r, 50));
  assertEquals(fired, 0);
});
