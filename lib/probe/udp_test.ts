import assert from "node:assert/strict";
import { probeUdpPorts } from "./udp.ts";

Deno.test("probeUdpPorts reports a port that answers open, a silent one open|filtered", async () => {
  const echo = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const silent = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const echoPort = (echo.addr as Deno.NetAddr).port;
  const silentPort = (silent.addr as Deno.NetAddr).port;
  const answering = (async () => {
    const [data, from] = await echo.receive();
    assert.equal(new TextDecoder().decode(data), "X");
    await echo.send(data, from);
  })();
  try {
    const results = await probeUdpPorts("127.0.0.1", [echoPort, silentPort], { timeoutMs: 300 });
    await answering;
    assert.deepEqual(results.map((r) => [r.port, r.state]), [
      [echoPort, "open"],
      [silentPort, "open|filtered"],
    ]);
  } finally {
    echo.close();
    silent.close();
  }
});

Deno.test("probeUdpPorts returns as soon as every port has answered", async () => {
  const echo = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (echo.addr as Deno.NetAddr).port;
  const answering = echo.receive().then(([d, from]) => echo.send(d, from));
  try {
    const started = performance.now();
    const [r] = await probeUdpPorts("127.0.0.1", [port], { timeoutMs: 10_000 });
    await answering;
    assert.equal(r.state, "open");
    assert.ok(performance.now() - started < 5000);
  } finally {
    echo.close();
  }
});
