import assert from "node:assert/strict";
import { MAX_DURATION_MS, parseDuration } from "./duration.ts";
import { SocktoolError } from "../errors.ts";

Deno.test("parseDuration reads seconds and units as whole milliseconds", () => {
  const good: [string, number][] = [
    ["0", 0],
    ["2", 2000],
    ["1.5", 1500],
    [".5", 500],
    ["0.25", 250],
    ["0.0001", 1], // shorter than a millisecond is not "off"
    ["500ms", 500],
    ["1.5ms", 2],
    ["0ms", 0],
    ["2s", 2000],
    ["0.5s", 500],
    ["1m", 60_000],
    ["1.5m", 90_000],
    ["1h", 3_600_000],
    ["596h", 2_145_600_000],
    ["2147483.647", MAX_DURATION_MS],
    ["2147483647ms", MAX_DURATION_MS],
  ];
  for (const [text, ms] of good) assert.equal(parseDuration("-w", text), ms, text);
});

Deno.test("parseDuration refuses what is not a duration, exit 2 naming the flag", () => {
  const bad = ["", "-1", "abc", "1e3", "0x10", "NaN", "Infinity", "1.", "1 s", " 1", "1S", "2d"];
  bad.push("1sec", "ms", "1..2", "+1");
  for (const text of bad) {
    assert.throws(() => parseDuration("-q", text), (err) => {
      assert.ok(err instanceof SocktoolError, text);
      assert.equal(err.exitCode, 2);
      assert.equal(
        err.message,
        `bad value '${text}' for -q: must be seconds (2, 0.5) or a number with a unit (500ms, 2s, 1m, 1h)`,
      );
      return true;
    });
  }
});

Deno.test("parseDuration refuses a value beyond what a timer holds, naming the limit", () => {
  for (
    const text of ["3000000", "2147483.648", "2147483648ms", "35792m", "597h", "1".repeat(400)]
  ) {
    assert.throws(() => parseDuration("-i", text), (err) => {
      assert.ok(err instanceof SocktoolError, text);
      assert.equal(err.exitCode, 2);
      assert.equal(
        err.message,
        `bad value '${text}' for -i: at most 2147483.647 s (about 24.8 days), the longest a timer can wait`,
      );
      return true;
    });
  }
});
