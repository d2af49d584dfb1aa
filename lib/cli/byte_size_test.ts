import assert from "node:assert/strict";
import { parseByteSize } from "./byte_size.ts";
import { SocktoolError } from "../errors.ts";

Deno.test("parseByteSize reads bytes and binary units, any case, with an optional B or iB", () => {
  const table: [string, number][] = [
    ["100", 100],
    ["512K", 512 * 1024],
    ["512k", 512 * 1024],
    ["10M", 10 * 2 ** 20],
    ["10MiB", 10 * 2 ** 20],
    ["64kb", 64 * 1024],
    ["1G", 2 ** 30],
    ["1.5M", 1.5 * 2 ** 20],
    [".5K", 512],
    ["2T", 2 * 2 ** 40],
  ];
  for (const [text, bytes] of table) assert.equal(parseByteSize("-L", text), bytes, text);
});

Deno.test("parseByteSize refuses anything else with exit 2, naming the flag and the value", () => {
  for (
    const text of ["", "0", "0.0001", "-5", "10X", "1e6", "M", "10 M", "1.2.3", "99999999999T"]
  ) {
    let err: unknown;
    try {
      parseByteSize("--rate-limit", text, "bytes per second");
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof SocktoolError, `'${text}' was accepted`);
    assert.equal(err.exitCode, 2);
    assert.match(
      err.message,
      new RegExp(`^bad value '${text.replace(/\./g, "\\.")}' for --rate-limit: `),
    );
  }
});
