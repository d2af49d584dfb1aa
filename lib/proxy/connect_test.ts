import assert from "node:assert/strict";
import { SocktoolError } from "../errors.ts";
import { connectViaProxy, proxyProblem, type ProxySpec } from "./connect.ts";
import { readExact } from "../io/read_exact.ts";
import { scriptedPeer } from "../net/_test_utils.ts";

const socks = (type: ProxySpec["type"], auth?: ProxySpec["auth"]): ProxySpec => ({
  host: "127.0.0.1",
  port: 1080,
  type,
  auth,
});

Deno.test("proxyProblem says what a proxy type cannot do; connectViaProxy refuses it", async () => {
  const cases: [ProxySpec, string, RegExp][] = [
    [socks("socks4"), "::1", /socks4 proxy cannot reach an IPv6 address/],
    [
      socks("socks4", { user: "u", pass: "p" }),
      "h",
      /socks4 proxy takes a user id and no password/,
    ],
    [socks("socks5"), "a".repeat(256), /host name too long for socks5/],
    [socks("socks5", { user: "u".repeat(256), pass: "" }), "h", /at most 255 bytes/],
  ];
  for (const [proxy, host, re] of cases) {
    const target = { host, port: 80 };
    assert.match(proxyProblem({ proxy, target }) ?? "", re);
    await assert.rejects(connectViaProxy({ proxy, target }), RangeError);
  }
  const fine: [ProxySpec, string][] = [
    [socks("socks4", { user: "u", pass: "" }), "h"],
    [socks("http"), "::1"],
    [socks("socks5"), "a".repeat(255)],
  ];
  for (const [proxy, host] of fine) {
    assert.equal(proxyProblem({ proxy, target: { host, port: 1 } }), undefined);
  }
});

Deno.test("connectViaProxy names the proxy whose name does not resolve", async () => {
  const err = await connectViaProxy({
    proxy: { host: "no-such-proxy.invalid", port: 1080, type: "socks5" },
    target: { host: "h", port: 1 },
  }).catch((e) => e);
  assert.ok(err instanceof SocktoolError);
  assert.equal(err.exitCode, 1);
  assert.match(
    err.message,
    /^connect to socks5 proxy no-such-proxy\.invalid:1080: .*no such host$/,
  );
});

Deno.test("connectViaProxy names the proxy that refuses the connection", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = l.addr.port;
  l.close();
  const err = await connectViaProxy({
    proxy: { host: "127.0.0.1", port, type: "http" },
    target: { host: "h", port: 1 },
  }).catch((e) => e);
  assert.ok(err instanceof SocktoolError);
  assert.equal(err.message, `connect to http proxy 127.0.0.1:${port}: connection refused`);
});

Deno.test("connectViaProxy times out a proxy that never answers, naming the proxy", async () => {
  const peer = scriptedPeer(async (conn) => {
    await readExact(conn, 3);
    // Say nothing until the client gives up.
    await conn.read(new Uint8Array(1)).catch(() => null);
  });
  const err = await connectViaProxy({
    proxy: { host: "127.0.0.1", port: peer.port, type: "socks5" },
    target: { host: "h", port: 1 },
    timeoutMs: 100,
  }).catch((e) => e);
  await peer.done;
  assert.ok(err instanceof SocktoolError);
  assert.equal(err.exitCode, 1);
  assert.equal(err.message, `socks5 proxy 127.0.0.1:${peer.port}: handshake timed out`);
});

Deno.test("connectViaProxy names a proxy that hangs up during the handshake", async () => {
  const peer = scriptedPeer(async (conn) => void await readExact(conn, 3));
  const err = await connectViaProxy({
    proxy: { host: "127.0.0.1", port: peer.port, type: "socks5" },
    target: { host: "h", port: 1 },
  }).catch((e) => e);
  await peer.done;
  assert.equal(
    err.message,
    `socks5 proxy 127.0.0.1:${peer.port}: closed the connection during the handshake`,
  );
});

Deno.test("connectViaProxy stops when its signal aborts", async () => {
  const peer = scriptedPeer(async (conn) => {
    // Read the request, answer nothing, until the client goes away.
    const buf = new Uint8Array(64);
    while (await conn.read(buf).catch(() => null) !== null);
  });
  const ac = new AbortController();
  const attempt = connectViaProxy({
    proxy: { host: "127.0.0.1", port: peer.port, type: "http" },
    target: { host: "h", port: 1 },
    signal: ac.signal,
  });
  setTimeout(() => ac.abort(new Error("stop")), 50);
  await assert.rejects(attempt, /stop/);
  await peer.done;
});
