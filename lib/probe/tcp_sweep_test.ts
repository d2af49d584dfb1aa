import assert from "node:assert/strict";
import { SWEEP_WINDOW, sweepTcpPorts } from "./tcp_sweep.ts";
import { probeTcpPort } from "./tcp.ts";

Deno.test("sweepTcpPorts says what probeTcpPort says for loopback ports that answer at once", async () => {
  const open = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const gone = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const openPort = (open.addr as Deno.NetAddr).port;
  const closedPort = (gone.addr as Deno.NetAddr).port;
  gone.close();
  try {
    // More than one window, with the open port in the second.
    const ports = [...Array(SWEEP_WINDOW + 5)].map(() => closedPort);
    ports[SWEEP_WINDOW + 2] = openPort;
    const quick = await sweepTcpPorts("127.0.0.1", [closedPort, openPort]);
    for (const port of [closedPort, openPort]) {
      const slow = await probeTcpPort("127.0.0.1", port);
      const fast = quick.get(port);
      assert.ok(fast, `port ${port} not answered at once`);
      assert.deepEqual({ ...fast, ms: 0 }, { ...slow, ms: 0 });
    }
    const many = await sweepTcpPorts("127.0.0.1", ports);
    assert.equal(many.get(openPort)?.state, "open");
    assert.equal(many.get(closedPort)?.reason, "connection refused");
  } finally {
    open.close();
  }
});

Deno.test("sweepTcpPorts leaves what it cannot write as a socket address to tcp.ts", async () => {
  assert.equal((await sweepTcpPorts("fe80::1%lo", [1])).size, 0);
});

Deno.test("sweepTcpPorts stops at once when aborted", async () => {
  const quick = await sweepTcpPorts("127.0.0.1", [1, 2, 3], AbortSignal.abort());
  assert.equal(quick.size, 0);
});
