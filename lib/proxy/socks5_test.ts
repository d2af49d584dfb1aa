import assert from "node:assert/strict";
import { readExact } from "../io/read_exact.ts";
import { ProxyFailure } from "./failure.ts";
import { ipv6Bytes, SOCKS5_REPLIES, socks5Address, socks5Handshake } from "./socks5.ts";
import { writeAll } from "../io/sink.ts";
import { connectToPeer, scriptedPeer } from "../net/_test_utils.ts";

const enc = new TextEncoder();

Deno.test("socks5Handshake sends a name as a name, with user/password, and leaves the payload unread", async () => {
  const seen: number[][] = [];
  const peer = scriptedPeer(async (conn) => {
    seen.push([...await readExact(conn, 4)]); // VER NMETHODS METHODS...
    await writeAll(conn, new Uint8Array([5, 2]));
    const [ver, ulen] = await readExact(conn, 2);
    const user = await readExact(conn, ulen);
    const [plen] = await readExact(conn, 1);
    const pass = await readExact(conn, plen);
    seen.push([ver, ...user, ...pass]);
    await writeAll(conn, new Uint8Array([1, 0]));
    const head = await readExact(conn, 5);
    seen.push([...head, ...await readExact(conn, head[4] + 2)]);
    // Reply with a name as the bound address, and the target's first bytes in the same write.
    await writeAll(
      conn,
      new Uint8Array([5, 0, 0, 3, 4, ...enc.encode("host"), 0x1f, 0x90, ...enc.encode("DATA")]),
    );
  });
  const conn = await connectToPeer(peer);
  await socks5Handshake(conn, { host: "example.com", port: 443 }, { user: "ü", pass: "pw" });
  assert.equal(new TextDecoder().decode(await readExact(conn, 4)), "DATA");
  conn.close();
  await peer.done;
  assert.deepEqual(seen[0], [5, 2, 0, 2]);
  assert.deepEqual(seen[1], [1, 0xc3, 0xbc, ...enc.encode("pw")]);
  assert.deepEqual(seen[2], [5, 1, 0, 3, 11, ...enc.encode("example.com"), 1, 187]);
});

Deno.test("socks5Handshake reads IPv4 and IPv6 bound addresses exactly", async () => {
  for (const bound of [[1, 10, 0, 0, 1], [4, ...Array(16).fill(0)]]) {
    const peer = scriptedPeer(async (conn) => {
      await readExact(conn, 3);
      await writeAll(conn, new Uint8Array([5, 0]));
      await readExact(conn, 10); // 5 1 0 1 + 4 address bytes + 2 port bytes
      await writeAll(conn, new Uint8Array([5, 0, 0, ...bound, 0, 80, 33]));
    });
    const conn = await connectToPeer(peer);
    await socks5Handshake(conn, { host: "10.1.2.3", port: 80 });
    assert.deepEqual([...await readExact(conn, 1)], [33], `address type ${bound[0]}`);
    conn.close();
    await peer.done;
  }
});

Deno.test("socks5Handshake names every reply code in words, about the target", async () => {
  for (
    const [code, words] of [...Object.entries(SOCKS5_REPLIES), ["9", "refused with reply code 9"]]
  ) {
    const peer = scriptedPeer(async (conn) => {
      await readExact(conn, 3);
      await writeAll(conn, new Uint8Array([5, 0]));
      await readExact(conn, 10);
      await writeAll(conn, new Uint8Array([5, Number(code), 0, 1, 0, 0, 0, 0, 0, 0]));
    });
    const conn = await connectToPeer(peer);
    const err = await socks5Handshake(conn, { host: "10.0.0.1", port: 80 }).catch((e) => e);
    assert.ok(err instanceof ProxyFailure);
    assert.equal(err.message, words);
    assert.equal(err.about, "target");
    conn.close();
    await peer.done;
  }
  assert.equal(SOCKS5_REPLIES[5], "connection refused by destination host");
  assert.equal(SOCKS5_REPLIES[4], "host unreachable");
});

Deno.test("socks5Handshake: no acceptable method, refused password, and a non-SOCKS5 peer", async () => {
  const cases: [number[], { user: string; pass: string } | undefined, RegExp][] = [
    [[5, 0xff], undefined, /^requires authentication \(use --proxy-auth USER:PASS\)$/],
    [[5, 0xff], { user: "u", pass: "p" }, /^accepts none of our authentication methods$/],
    [[5, 2, 1, 1], { user: "u", pass: "p" }, /^authentication refused/],
    [[4, 0], undefined, /^not a SOCKS5 proxy \(reply version 4\)$/],
  ];
  for (const [reply, auth, re] of cases) {
    const peer = scriptedPeer(async (conn) => {
      await readExact(conn, auth ? 4 : 3);
      await writeAll(conn, new Uint8Array(reply));
      if (reply[1] === 2) await readExact(conn, 5);
    });
    const conn = await connectToPeer(peer);
    const err = await socks5Handshake(conn, { host: "h", port: 1 }, auth).catch((e) => e);
    assert.ok(err instanceof ProxyFailure, String(err));
    assert.equal(err.about, "proxy");
    assert.match(err.message, re);
    conn.close();
    await peer.done;
  }
});

Deno.test("socks5Address encodes IPv4, IPv6 and names", () => {
  assert.deepEqual(socks5Address("192.0.2.1"), [1, 192, 0, 2, 1]);
  assert.deepEqual(socks5Address("a.b"), [3, 3, 97, 46, 98]);
  assert.deepEqual(socks5Address("[::1]"), [4, ...Array(15).fill(0), 1]);
});

Deno.test("ipv6Bytes expands :: anywhere and a trailing dotted IPv4", () => {
  const hex = (t: string) => ipv6Bytes(t).map((b) => b.toString(16).padStart(2, "0")).join("");
  assert.equal(hex("::"), "0".repeat(32));
  assert.equal(
    hex("2001:db8::8:800:200c:417a"),
    "20010db8" + "0".repeat(8) + "00080800200c417a",
  );
  assert.equal(hex("fe80::1"), "fe80" + "0".repeat(27) + "1");
  assert.equal(hex("1::"), "0001" + "0".repeat(28));
  assert.equal(hex("::ffff:192.0.2.1"), "0".repeat(20) + "ffffc0000201");
  assert.equal(hex("1:2:3:4:5:6:7:8"), "00010002000300040005000600070008");
});
