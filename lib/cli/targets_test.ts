import assert from "node:assert/strict";
import { formatTarget, parseForwardTarget, parseWaitTarget } from "./targets.ts";
import { SocktoolError } from "../errors.ts";

/** The usage message `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SocktoolError);
    assert.equal(err.exitCode, 2);
    return err.message;
  }
  throw new Error("not refused");
}

Deno.test("parseWaitTarget reads HOST:PORT, [V6]:PORT, tcp:HOST:PORT and unix:PATH", () => {
  assert.deepEqual(parseWaitTarget("db:5432"), { kind: "inet", host: "db", port: 5432 });
  assert.deepEqual(parseWaitTarget("[::1]:80"), { kind: "inet", host: "::1", port: 80 });
  assert.deepEqual(parseWaitTarget("tcp:127.0.0.1:1"), {
    kind: "inet",
    host: "127.0.0.1",
    port: 1,
  });
  assert.deepEqual(parseWaitTarget("unix:/run/a b.sock"), { kind: "unix", path: "/run/a b.sock" });
});

Deno.test("parseWaitTarget refuses what cannot be a target, quoting it", () => {
  const table: [string, RegExp][] = [
    ["db", /^bad value 'db' for --wait-for: expected HOST:PORT, \[V6\]:PORT or unix:PATH$/],
    ["::1:80", /an IPv6 address goes in brackets: \[::1\]:80/],
    [":80", /the host is empty/],
    ["db:", /the port is missing/],
    ["db:0", /^bad port '0'/],
    ["db:http", /^bad port 'http'/],
    ["1.2.3.999:80", /'1\.2\.3\.999' is not an IPv4 address/],
    ["unix:", /the socket path is empty/],
    ["udp:127.0.0.1:53", /a UDP port cannot be waited for/],
  ];
  for (const [text, re] of table) assert.match(refusal(() => parseWaitTarget(text)), re, text);
});

Deno.test("parseForwardTarget reads what a listener accepts: TCP, unix: and udp:", () => {
  assert.deepEqual(parseForwardTarget("127.0.0.1:8080"), {
    kind: "tcp",
    host: "127.0.0.1",
    port: 8080,
  });
  assert.deepEqual(parseForwardTarget("tcp:[::1]:80"), { kind: "tcp", host: "::1", port: 80 });
  assert.deepEqual(parseForwardTarget("unix:/var/run/docker.sock"), {
    kind: "unix",
    path: "/var/run/docker.sock",
  });
  assert.deepEqual(parseForwardTarget("udp:[::1]:53"), { kind: "udp", host: "::1", port: 53 });
  assert.deepEqual(parseForwardTarget("UDP:ns:53"), { kind: "udp", host: "ns", port: 53 });
});

Deno.test("parseForwardTarget refuses bad targets with one line naming --forward", () => {
  const table: [string, RegExp][] = [
    ["host", /^bad value 'host' for --forward: expected HOST:PORT, unix:PATH or udp:HOST:PORT$/],
    ["udp:host", /^bad value 'udp:host' for --forward: expected /],
    ["unix:", /^bad value 'unix:' for --forward: the socket path is empty$/],
    ["udp:[::1]:99999", /^bad port '99999'/],
    ["ws://127.0.0.1:80/", /not a WebSocket URL/],
  ];
  for (const [text, re] of table) assert.match(refusal(() => parseForwardTarget(text)), re, text);
});

Deno.test("formatTarget names targets as they are typed, IPv6 in brackets", () => {
  assert.equal(formatTarget({ kind: "inet", host: "::1", port: 80 }), "[::1]:80");
  assert.equal(formatTarget({ kind: "unix", path: "/a.sock" }), "unix:/a.sock");
  assert.equal(formatTarget({ kind: "udp", host: "10.0.0.1", port: 53 }), "udp:10.0.0.1:53");
  assert.equal(formatTarget({ kind: "tcp", host: "db", port: 5432 }), "db:5432");
});
