import assert from "node:assert/strict";
import { probePorts } from "./probe_ports.ts";
import { SocktoolError } from "../errors.ts";

/** A port that refuses: one just freed. */
function freedPort(): number {
  using l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return l.addr.port;
}

Deno.test("probePorts reports open and closed ports in the order asked", async () => {
  using a = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using b = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = freedPort();
  const ports = [b.addr.port, closed, a.addr.port];
  const results = await probePorts("127.0.0.1", ports, { timeoutMs: 2000 });
  assert.deepEqual(results.map((r) => [r.port, r.state]), [
    [b.addr.port, "open"],
    [closed, "closed"],
    [a.addr.port, "open"],
  ]);
  assert.equal(results[1].reason, "connection refused");
});

Deno.test("probePorts stops at an abort and reports only ports probed before it", async () => {
  const controller = new AbortController();
  controller.abort();
  const results = await probePorts("127.0.0.1", [freedPort()], { signal: controller.signal });
  assert.deepEqual(results, []);
});

Deno.test("probePorts rejects with exit 1 for a host that does not resolve", async () => {
  const err = await probePorts("no-such-host.invalid", [80]).catch((e) => e);
  assert.ok(err instanceof SocktoolError, String(err));
  assert.equal(err.exitCode, 1);
});
