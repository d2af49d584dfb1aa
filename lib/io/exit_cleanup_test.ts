import assert from "node:assert/strict";
import { atExit, runExitCleanups } from "./exit_cleanup.ts";

Deno.test("atExit clean-ups run once, newest first, and a failing one does not stop the rest", () => {
  const order: string[] = [];
  atExit(() => order.push("first"));
  atExit(() => {
    throw new Error("boom");
  });
  atExit(() => order.push("third"));
  runExitCleanups();
  runExitCleanups();
  assert.deepEqual(order, ["third", "first"]);
});

Deno.test("atExit's returned function unregisters the clean-up", () => {
  let ran = 0;
  const forget = atExit(() => ran++);
  forget();
  forget();
  runExitCleanups();
  assert.equal(ran, 0);
});
