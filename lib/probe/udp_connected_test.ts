import assert from "node:assert/strict";
import { socketAddress } from "./udp_connected.ts";

Deno.test("socketAddress writes sockaddr_in for IPv4 and sockaddr_in6 for IPv6", () => {
  const v4 = socketAddress("127.0.0.1")!;
  assert.equal(v4.family, 2);
  assert.deepEqual([...v4.bytes], [2, 0, 0, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const v6 = socketAddress("::1")!;
  assert.equal(v6.family, 10);
  assert.equal(v6.bytes.length, 28);
  assert.deepEqual([...v6.bytes.subarray(8, 24)], [...Array(15).fill(0), 1]);
  const mapped = socketAddress("::ffff:10.1.2.3")!;
  assert.deepEqual(
    [...mapped.bytes.subarray(8, 24)],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3],
  );
  const full = socketAddress("2001:db8:0:0:1:0:0:1")!;
  assert.deepEqual([...full.bytes.subarray(8, 12)], [0x20, 0x01, 0x0d, 0xb8]);
});

Deno.test("socketAddress refuses what it cannot write: a zone, a malformed literal", () => {
  assert.equal(socketAddress("fe80::1%eth0"), undefined);
  assert.equal(socketAddress("1::2::3"), undefined);
  assert.equal(socketAddress("example.org"), undefined);
  assert.equal(socketAddress("1:2:3:4:5:6:7:8:9"), undefined);
});
