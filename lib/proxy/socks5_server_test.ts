import assert from "node:assert/strict";
import { socks5Accept, socks5Fail, socks5Succeed, targetName } from "./socks5_server.ts";
import { ProxyRequestRefused } from "./request_refused.ts";
import { ScriptConn } from "./_test_utils.ts";

const enc = new TextEncoder();
const name = (s: string) => [s.length, ...enc.encode(s)];

Deno.test("socks5Accept reads a request split anywhere, and leaves the client's first bytes unread", async () => {
  const script = [5, 1, 0, 5, 1, 0, 3, ...name("example.com"), 1, 187, ...enc.encode("GET")];
  for (const chunk of [1, 2, 3, 7, 1000]) {
    const conn = new ScriptConn(script, chunk);
    assert.deepEqual(
      await socks5Accept(conn),
      { host: "example.com", port: 443 },
      `chunk ${chunk}`,
    );
    assert.deepEqual([...conn.output], [5, 0]);
    assert.equal(new TextDecoder().decode(conn.unread), "GET");
  }
});

Deno.test("socks5Accept reads IPv4 and IPv6 targets, IPv6 compressed", async () => {
  const v4 = new ScriptConn([5, 1, 0, 5, 1, 0, 1, 10, 0, 0, 1, 0, 80]);
  assert.deepEqual(await socks5Accept(v4), { host: "10.0.0.1", port: 80 });
  const table: [number[], string][] = [
    [[...Array(15).fill(0), 1], "::1"],
    [[0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1], "2001:db8::1"],
    [[0xfe, 0x80, ...Array(6).fill(0), 0, 1, 0, 2, 0, 3, 0, 4], "fe80::1:2:3:4"],
    [[0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 5], "1:0:2:0:3:0:4:5"],
  ];
  for (const [bytes, text] of table) {
    const conn = new ScriptConn([5, 1, 0, 5, 1, 0, 4, ...bytes, 0x1f, 0x90]);
    assert.deepEqual(await socks5Accept(conn), { host: text, port: 8080 });
  }
});

Deno.test("socks5Accept with a password: right credentials pass, wrong ones get 1 1 and a refusal", async () => {
  const auth = { user: "alice", pass: "s3cret" };
  const request = [5, 1, 0, 1, 127, 0, 0, 1, 0, 22];
  const right = new ScriptConn([5, 2, 0, 2, 1, ...name("alice"), ...name("s3cret"), ...request]);
  assert.deepEqual(await socks5Accept(right, { auth }), { host: "127.0.0.1", port: 22 });
  assert.deepEqual([...right.output], [5, 2, 1, 0]);

  const wrong = new ScriptConn([5, 1, 2, 1, ...name("alice"), ...name("guess"), ...request]);
  const err = await socks5Accept(wrong, { auth }).catch((e) => e);
  assert.ok(err instanceof ProxyRequestRefused);
  assert.equal(err.message, "authentication refused (user 'alice', wrong name or password)");
  assert.deepEqual([...wrong.output], [5, 2, 1, 1]);
});

Deno.test("socks5Accept refuses what it does not serve, answering the client first", async () => {
  const auth = { user: "u", pass: "p" };
  const cases: [number[], { auth?: typeof auth }, number[], RegExp][] = [
    [[4, 1, 0, 80, 127, 0, 0, 1, 0], {}, [], /^not a SOCKS5 client \(it sent version 4\)$/],
    [[5, 1, 2], {}, [5, 0xff], /offers no method this proxy accepts/],
    [[5, 1, 0], { auth }, [5, 0xff], /offers no user\/password authentication/],
    [[5, 1, 0, 5, 2, 0, 1, 1, 2, 3, 4, 0, 80], {}, [5, 0, 5, 7, 0, 1, 0, 0, 0, 0, 0, 0], /BIND/],
    [[5, 1, 0, 5, 3, 0, 1, 1, 2, 3, 4, 0, 80], {}, [5, 0, 5, 7, 0, 1, 0, 0, 0, 0, 0, 0], /UDP/],
    [[5, 1, 0, 5, 1, 0, 9, 0, 80], {}, [5, 0, 5, 8, 0, 1, 0, 0, 0, 0, 0, 0], /address type 9/],
  ];
  for (const [script, opts, answer, re] of cases) {
    const conn = new ScriptConn(script);
    const err = await socks5Accept(conn, opts).catch((e) => e);
    assert.ok(err instanceof ProxyRequestRefused, `${script}: ${err}`);
    assert.match(err.message, re);
    assert.deepEqual([...conn.output], answer, String(script));
  }
});

Deno.test("socks5Accept escapes a user name it reports", async () => {
  const conn = new ScriptConn([5, 1, 2, 1, ...name("\x1b[2J"), ...name("x")]);
  const err = await socks5Accept(conn, { auth: { user: "u", pass: "p" } }).catch((e) => e);
  assert.ok(!err.message.includes("\x1b"), err.message);
});

Deno.test("socks5Accept: a client that hangs up halfway is an UnexpectedEof", async () => {
  for (const script of [[5], [5, 2, 0], [5, 1, 0, 5, 1, 0, 3, 10, 65]]) {
    const err = await socks5Accept(new ScriptConn(script)).catch((e) => e);
    assert.ok(err instanceof Deno.errors.UnexpectedEof, String(script));
  }
});

Deno.test("socks5Succeed and socks5Fail answer with the bound address and the reply code", async () => {
  const ok = new ScriptConn([]);
  await socks5Succeed(ok, { transport: "tcp", hostname: "127.0.0.1", port: 40000 });
  assert.deepEqual([...ok.output], [5, 0, 0, 1, 127, 0, 0, 1, 0x9c, 0x40]);
  const ok6 = new ScriptConn([]);
  await socks5Succeed(ok6, { transport: "tcp", hostname: "::1", port: 1 });
  assert.deepEqual([...ok6.output], [5, 0, 0, 4, ...Array(15).fill(0), 1, 0, 1]);
  const table = [
    ["refused", 5, "connection refused by destination host"],
    ["host-unreachable", 4, "host unreachable"],
    ["no-such-host", 4, "host unreachable"],
    ["network-unreachable", 3, "network unreachable"],
    ["timed-out", 6, "TTL expired"],
    ["general", 1, "general SOCKS server failure"],
  ] as const;
  for (const [failure, code, words] of table) {
    const conn = new ScriptConn([]);
    assert.equal(await socks5Fail(conn, failure), words);
    assert.deepEqual([...conn.output], [5, code, 0, 1, 0, 0, 0, 0, 0, 0], failure);
  }
});

Deno.test("targetName brackets IPv6 and escapes control characters", () => {
  assert.equal(targetName({ host: "::1", port: 80 }), "[::1]:80");
  assert.equal(targetName({ host: "a\nb", port: 1 }), "a\\012b:1");
});
