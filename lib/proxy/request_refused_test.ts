import assert from "node:assert/strict";
import { sameCredentials } from "./request_refused.ts";

Deno.test("sameCredentials matches only the exact user and password", () => {
  const expected = { user: "user", pass: "pass" };
  assert.equal(sameCredentials({ user: "user", pass: "pass" }, expected), true);
  for (
    const given of [
      { user: "user", pass: "word" },
      { user: "User", pass: "pass" },
      { user: "use", pass: "rpass" },
      { user: "user", pass: "pass2" },
      { user: "", pass: "" },
      { user: "user", pass: "" },
    ]
  ) {
    assert.equal(sameCredentials(given, expected), false, JSON.stringify(given));
  }
  assert.equal(sameCredentials({ user: "ü", pass: "" }, { user: "ü", pass: "" }), true);
});
