import assert from "node:assert/strict";
import { formatProbeJson, formatProbeLine, isOpen, type PortState } from "./result.ts";

Deno.test("formatProbeLine prints address, port/protocol and state", () => {
  assert.equal(
    formatProbeLine("127.0.0.1", { port: 22, protocol: "tcp", state: "open", ms: 1 }),
    "127.0.0.1 22/tcp open",
  );
  assert.equal(
    formatProbeLine("::1", {
      port: 23,
      protocol: "tcp",
      state: "closed",
      reason: "connection refused",
      ms: 1,
    }),
    "::1 23/tcp closed (connection refused)",
  );
});

Deno.test("formatProbeJson is one parseable object per line", () => {
  const line = formatProbeJson("localhost", "127.0.0.1", {
    port: 53,
    protocol: "udp",
    state: "open|filtered",
    reason: "no reply",
    ms: 1000.12345,
  });
  assert.ok(!line.includes("\n"));
  assert.deepEqual(JSON.parse(line), {
    host: "localhost",
    address: "127.0.0.1",
    port: 53,
    protocol: "udp",
    state: "open|filtered",
    reason: "no reply",
    ms: 1000.123,
  });
});

Deno.test("isOpen counts open and open|filtered only, never unknown", () => {
  const r = (state: PortState) => ({
    port: 1,
    protocol: "tcp" as const,
    state,
    ms: 0,
  });
  assert.deepEqual(
    [r("open"), r("open|filtered"), r("closed"), r("timeout"), r("unknown")].map(isOpen),
    [true, true, false, false, false],
  );
});
