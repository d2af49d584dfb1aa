import assert from "node:assert/strict";
import { hostMatches, ipBytes } from "./host_name.ts";

const names = (dns: string[], ips: string[] = [], commonNames: string[] = []) => ({
  dns,
  ips,
  commonNames,
});

Deno.test("hostMatches follows Node's rules for DNS names and wildcards", () => {
  const cases: [string, string[], boolean][] = [
    ["example.com", ["example.com"], true],
    ["EXAMPLE.com.", ["example.COM"], true],
    ["www.example.com", ["*.example.com"], true],
    ["a.b.example.com", ["*.example.com"], false],
    ["example.com", ["*.example.com"], false],
    ["foo.com", ["*.com"], false],
    ["foo.example.com", ["f*.example.com"], true],
    ["bar.example.com", ["f*.example.com"], false],
    ["xn--abc.example.com", ["xn--*.example.com"], false],
    ["a.example.com", ["*.*.com"], false],
    ["evil.test", ["evil\x1b.test"], false],
    ["bad..example.com", ["bad..example.com"], false],
    ["", [""], false],
  ];
  for (const [host, dns, want] of cases) {
    assert.equal(hostMatches(host, names(dns)), want, `${host} vs ${dns}`);
  }
});

Deno.test("hostMatches uses the common name only without a DNS SAN, and IPs only against IP SANs", () => {
  assert.equal(hostMatches("localhost", names([], [], ["localhost"])), true);
  assert.equal(hostMatches("localhost", names(["other"], [], ["localhost"])), false);
  assert.equal(hostMatches("127.0.0.1", names(["127.0.0.1"], [], ["127.0.0.1"])), false);
  assert.equal(hostMatches("127.0.0.1", names([], ["127.0.0.1"])), true);
  assert.equal(hostMatches("::1", names([], ["0:0:0:0:0:0:0:1"])), true);
  assert.equal(hostMatches("[::1]", names([], ["::1"])), true);
  assert.equal(hostMatches("::ffff:127.0.0.1", names([], ["::ffff:7f00:1"])), true);
  assert.equal(hostMatches("::1", names([], ["127.0.0.1"])), false);
});

Deno.test("ipBytes reads IPv4, IPv6 in every form, and nothing else", () => {
  assert.deepEqual(ipBytes("10.0.0.1"), new Uint8Array([10, 0, 0, 1]));
  const v6 = (text: string) => Array.from(ipBytes(text) ?? []);
  const one = [...new Array(15).fill(0), 1];
  assert.deepEqual(v6("::1"), one);
  assert.deepEqual(v6("0:0:0:0:0:0:0:1"), one);
  assert.deepEqual(v6("2001:db8::1:0:0:1"), [
    0x20,
    0x01,
    0x0d,
    0xb8,
    0,
    0,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    1,
  ]);
  assert.deepEqual(v6("::ffff:1.2.3.4"), [...new Array(10).fill(0), 255, 255, 1, 2, 3, 4]);
  assert.deepEqual(v6("::1.2.3.4"), [...new Array(12).fill(0), 1, 2, 3, 4]);
  assert.deepEqual(v6("1:2:3:4:5:6:1.2.3.4"), [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4]);
  assert.equal(ipBytes("localhost"), undefined);
  assert.equal(ipBytes("1.2.3"), undefined);
});
