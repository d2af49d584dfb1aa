import assert from "node:assert/strict";
import { probeTcpPort } from "./tcp.ts";

Deno.test("probeTcpPort reports an accepting port open and a refused one closed", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepting = listener.accept().then((c) => c.close());
  try {
    const open = await probeTcpPort("127.0.0.1", port, { timeoutMs: 5000 });
    assert.equal(open.state, "open");
    await accepting;
  } finally {
    listener.close();
  }
  const closed = await probeTcpPort("127.0.0.1", port);
  assert.equal(closed.state, "closed");
  assert.equal(closed.reason, "connection refused");
});

Deno.test("probeTcpPort never rejects when its signal is already aborted", async () => {
  const r = await probeTcpPort("127.0.0.1", 9, { signal: AbortSignal.abort() });
  assert.notEqual(r.state, "open");
});
