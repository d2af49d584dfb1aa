import assert from "node:assert/strict";
import { parsePin, pinFailure, pinMatches } from "./pin.ts";

const HEX = "0123456789abcdef".repeat(4);
const COLONS = HEX.toUpperCase().match(/../g)!.join(":");

Deno.test("parsePin reads sha256:HEX with or without colons, any case, prefix optional", () => {
  for (
    const text of [`sha256:${HEX}`, `SHA256:${HEX.toUpperCase()}`, `sha-256:${COLONS}`, COLONS, HEX]
  ) {
    assert.equal(parsePin(text), HEX, text);
  }
});

Deno.test("parsePin refuses other hashes, lengths and stray colons", () => {
  for (
    const text of [
      "",
      "sha256:",
      `sha1:${HEX}`,
      `md5:${HEX}`,
      HEX.slice(2),
      `${HEX}00`,
      `${HEX.slice(0, 62)}zz`,
      `:${HEX}`,
      COLONS.replace(":", "::"),
      COLONS.slice(3),
    ]
  ) {
    assert.equal(parsePin(text), undefined, text);
  }
});

Deno.test("pinMatches compares a printed fingerprint with the pins", () => {
  assert.equal(pinMatches(COLONS, [HEX]), true);
  assert.equal(pinMatches(COLONS, ["ff".repeat(32), HEX]), true);
  assert.equal(pinMatches(COLONS, ["ff".repeat(32)]), false);
  assert.equal(pinMatches(COLONS, []), false);
});

Deno.test("pinFailure names the certificate's hash when it is not pinned", () => {
  assert.equal(pinFailure(COLONS, [HEX]), undefined);
  assert.equal(
    pinFailure(COLONS, ["ff".repeat(32)]),
    `certificate SHA-256 ${COLONS} is not one of the --ssl-pin hashes`,
  );
});
