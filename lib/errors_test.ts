import assert from "node:assert/strict";
import { causeInWords, ExitCode, networkError, SocktoolError, usageError } from "./errors.ts";

Deno.test("causeInWords names a cause by its code or Deno error class", () => {
  const cases: [unknown, string][] = [
    [new Deno.errors.ConnectionRefused("Connection refused (os error 111)"), "connection refused"],
    [new Deno.errors.AddrInUse("x"), "address already in use"],
    [new Deno.errors.NetworkUnreachable("x"), "network unreachable"],
    [
      Object.assign(new Error("No route to host (os error 113)"), { code: "EHOSTUNREACH" }),
      "host unreachable",
    ],
    [Object.assign(new Error("getaddrinfo ENOTFOUND h"), { code: "ENOTFOUND" }), "no such host"],
    [{ code: "EAI_AGAIN" }, "name lookup failed (temporary)"],
  ];
  for (const [err, words] of cases) assert.equal(causeInWords(err), words);
});

Deno.test("causeInWords decides nothing on message text: an unknown error keeps its words", () => {
  // Text that once was matched: without a code or class it is only text.
  assert.equal(
    causeInWords(new Error("Network is unreachable (os error 101)")),
    "network is unreachable",
  );
  assert.equal(causeInWords(new Error("Something odd.")), "something odd");
  assert.equal(causeInWords("plain"), "plain");
});

Deno.test("networkError wraps with the action, exit 1; a SocktoolError passes through", () => {
  const err = networkError("connect 127.0.0.1:9", new Deno.errors.ConnectionRefused("x"));
  assert.equal(err.message, "connect 127.0.0.1:9: connection refused");
  assert.equal(err.exitCode, ExitCode.Network);
  assert.ok(err.cause instanceof Deno.errors.ConnectionRefused);
  const usage = usageError("bad");
  assert.equal(networkError("x", usage), usage);
  assert.ok(usage instanceof SocktoolError && usage.exitCode === ExitCode.Usage);
});
