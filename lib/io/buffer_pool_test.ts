import { assertEquals } from "../_test_utils.ts";
import { giveBack, takeBuffer } from "./buffer_pool.ts";

Deno.test("takeBuffer reuses a buffer given back, of the same size only", () => {
  const a = takeBuffer(1000);
  giveBack(a);
  assertEquals(takeBuffer(999) === a, false, "another size is a new buffer");
  assertEquals(takeBuffer(1000) === a, true, "the same size comes from the pool");
  assertEquals(takeBuffer(1000) === a, false, "taken once, it is not handed out twice");
});

Deno.test("giveBack ignores views into a larger buffer and keeps the pool bounded", () => {
  const big = new Uint8Array(2048);
  giveBack(big.subarray(0, 1024));
  assertEquals(takeBuffer(1024).buffer === big.buffer, false);
  const many = Array.from({ length: 10 }, () => takeBuffer(1024 * 1024));
  for (const b of many) giveBack(b);
  const back = Array.from({ length: 10 }, () => takeBuffer(1024 * 1024));
  assertEquals(back.filter((b) => many.includes(b)).length, 4, "4 MiB of a size kept at most");
});
