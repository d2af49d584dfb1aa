import assert from "node:assert/strict";
import { probeUdpPorts } from "./udp.ts";
import { openConnectedUdp } from "./udp_connected.ts";
import { LIBC_PATHS } from "../io/libc.ts";

/** A UDP port nothing listens on (bound, then released). */
function closedPort(): number {
  const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (s.addr as Deno.NetAddr).port;
  s.close();
  return port;
}

/** An echo socket that answers one datagram, and a silent bound socket. */
function openAndSilent() {
  const echo = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const silent = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const answering = (async () => {
    const [data, from] = await echo.receive();
    assert.equal(new TextDecoder().decode(data), "X");
    await echo.send(data, from);
  })();
  return {
    echoPort: (echo.addr as Deno.NetAddr).port,
    silentPort: (silent.addr as Deno.NetAddr).port,
    answering,
    close: () => {
      echo.close();
      silent.close();
    },
  };
}

/** Whether this machine can hear refusals (Linux with a granted libc path). */
const canHear = (() => {
  using udp = openConnectedUdp();
  return udp !== undefined;
})();

Deno.test("the test permission set lets -zu hear refusals on Linux with glibc", () => {
  const hasLibc = LIBC_PATHS.some((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
  assert.equal(canHear, Deno.build.os === "linux" && hasLibc);
});

Deno.test({
  name: "probeUdpPorts hearing refusals: answered open, refused closed, silent open|filtered",
  ignore: !canHear,
  fn: async () => {
    const p = openAndSilent();
    const closed = closedPort();
    try {
      const results = await probeUdpPorts("127.0.0.1", [p.echoPort, closed, p.silentPort], {
        timeoutMs: 300,
      });
      await p.answering;
      assert.deepEqual(results.map((r) => [r.port, r.state, r.reason]), [
        [p.echoPort, "open", undefined],
        [closed, "closed", "port unreachable"],
        [p.silentPort, "open|filtered", "no reply"],
      ]);
    } finally {
      p.close();
    }
  },
});

Deno.test({
  name: "probeUdpPorts hears a refusal over IPv6 too, at once",
  ignore: !canHear,
  fn: async () => {
    const s = Deno.listenDatagram({ transport: "udp", hostname: "::1", port: 0 });
    const port = (s.addr as Deno.NetAddr).port;
    s.close();
    const started = performance.now();
    const [r] = await probeUdpPorts("::1", [port], { timeoutMs: 10_000 });
    assert.equal(r.state, "closed");
    assert.ok(performance.now() - started < 5000, "a refusal does not wait out -w");
  },
});

Deno.test("probeUdpPorts without refusals: answered open, silent or refused unknown", async () => {
  const p = openAndSilent();
  const closed = closedPort();
  try {
    const results = await probeUdpPorts("127.0.0.1", [p.echoPort, p.silentPort, closed], {
      timeoutMs: 300,
      hearRefusals: false,
    });
    await p.answering;
    assert.deepEqual(results.map((r) => [r.port, r.state]), [
      [p.echoPort, "open"],
      [p.silentPort, "unknown"],
      [closed, "unknown"],
    ]);
  } finally {
    p.close();
  }
});

for (const hearRefusals of [true, false]) {
  Deno.test(`probeUdpPorts returns as soon as every port has answered (hearRefusals: ${hearRefusals})`, async () => {
    const echo = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const port = (echo.addr as Deno.NetAddr).port;
    const answering = echo.receive().then(([d, from]) => echo.send(d, from));
    try {
      const started = performance.now();
      const [r] = await probeUdpPorts("127.0.0.1", [port], { timeoutMs: 10_000, hearRefusals });
      await answering;
      assert.equal(r.state, "open");
      assert.ok(performance.now() - started < 5000);
    } finally {
      echo.close();
    }
  });
}

Deno.test({
  name: "probeUdpPorts stops at once when its signal aborts",
  ignore: !canHear,
  fn: async () => {
    const silent = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    try {
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(), 100);
      const started = performance.now();
      await probeUdpPorts("127.0.0.1", [(silent.addr as Deno.NetAddr).port], {
        timeoutMs: 20_000,
        signal: ctl.signal,
      });
      assert.ok(performance.now() - started < 2000);
    } finally {
      silent.close();
    }
  },
});
