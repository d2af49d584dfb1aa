import assert from "node:assert/strict";
import { httpStatusFor, socks5ReplyFor, targetFailureOf } from "./target_failure.ts";
import { ExitCode, SocktoolError } from "../errors.ts";

Deno.test("targetFailureOf reads codes and class names along the cause chain, never the text", () => {
  const wrapped = (cause: unknown) =>
    new SocktoolError("connect 1.2.3.4:5: whatever words", ExitCode.Network, { cause });
  const table: [unknown, string][] = [
    [new Deno.errors.ConnectionRefused("x"), "refused"],
    [wrapped(new Deno.errors.ConnectionRefused("x")), "refused"],
    [wrapped({ code: "EHOSTUNREACH" }), "host-unreachable"],
    [wrapped({ code: "EHOSTDOWN" }), "host-unreachable"],
    [wrapped(new Deno.errors.NetworkUnreachable("x")), "network-unreachable"],
    [wrapped({ code: "ENETUNREACH" }), "network-unreachable"],
    [wrapped(new DOMException("t", "TimeoutError")), "timed-out"],
    [wrapped({ code: "ENOTFOUND" }), "no-such-host"],
    [wrapped({ code: "EAI_AGAIN" }), "no-such-host"],
    [new Error("connection refused"), "general"],
    [wrapped(undefined), "general"],
    [undefined, "general"],
  ];
  for (const [err, failure] of table) assert.equal(targetFailureOf(err), failure, String(err));
  const loop: { cause?: unknown } = {};
  loop.cause = loop;
  assert.equal(targetFailureOf(loop), "general");
});

Deno.test("socks5ReplyFor and httpStatusFor give each failure its protocol's code", () => {
  assert.deepEqual(
    ([
      "refused",
      "host-unreachable",
      "network-unreachable",
      "timed-out",
      "no-such-host",
      "general",
    ] as const)
      .map((f) => [socks5ReplyFor(f), httpStatusFor(f)]),
    [[5, 502], [4, 504], [3, 504], [6, 504], [4, 502], [1, 502]],
  );
});
