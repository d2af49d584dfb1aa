import assert from "node:assert/strict";
import { localAddress, sourceFamily } from "./source_address.ts";

Deno.test("sourceFamily: an IP literal -s forces its family; a name or none forces nothing", () => {
  assert.equal(sourceFamily(undefined, "::1"), 0);
  assert.equal(sourceFamily("127.0.0.2", "localhost"), 4);
  assert.equal(sourceFamily("::1", "::1"), 6);
  assert.equal(sourceFamily("localhost", "::1"), 0);
});

Deno.test("sourceFamily: -s and the target of different families is refused (the CLI rule catches it first)", () => {
  for (const [src, host] of [["127.0.0.1", "::1"], ["::1", "127.0.0.1"]]) {
    assert.throws(
      () => sourceFamily(src, host),
      (e: unknown) =>
        e instanceof RangeError &&
        e.message === `option -s gives an IPv${src.includes(":") ? 6 : 4} address, but ${host} ` +
            `is an IPv${host.includes(":") ? 6 : 4} address`,
    );
  }
});

Deno.test("localAddress: the family's any-address, or -s resolved in that family", async () => {
  assert.equal(await localAddress(undefined, 4), "0.0.0.0");
  assert.equal(await localAddress(undefined, 6), "::");
  assert.equal(await localAddress("127.0.0.2", 4), "127.0.0.2");
});
