import assert from "node:assert/strict";
import { ProxyFailure } from "./failure.ts";
import { SOCKS4_REPLIES, socks4Handshake } from "./socks4.ts";
import { readExact } from "../io/read_exact.ts";
import { writeAll } from "../io/sink.ts";
import { connectToPeer, scriptedPeer } from "../net/_test_utils.ts";

const enc = new TextEncoder();

/** Plays a SOCKS4 proxy: records the request, answers `code`, then sends `after`. */
function socks4Peer(requestLength: number, code: number, after: number[] = []) {
  let request: number[] = [];
  const peer = scriptedPeer(async (conn) => {
    request = [...await readExact(conn, requestLength)];
    await writeAll(conn, new Uint8Array([0, code, 0, 0, 0, 0, 0, 0, ...after]));
  });
  return { peer, request: () => request };
}

Deno.test("socks4Handshake sends an IPv4 address and user id, and leaves the payload unread", async () => {
  const { peer, request } = socks4Peer(8 + 3 + 1, 90, [42]);
  const conn = await connectToPeer(peer);
  await socks4Handshake(conn, { host: "192.0.2.7", port: 8080 }, "bob");
  assert.deepEqual([...await readExact(conn, 1)], [42]);
  conn.close();
  await peer.done;
  assert.deepEqual(request(), [4, 1, 0x1f, 0x90, 192, 0, 2, 7, ...enc.encode("bob"), 0]);
});

Deno.test("socks4Handshake sends a name as SOCKS4a, for the proxy to resolve", async () => {
  const { peer, request } = socks4Peer(8 + 1 + 12, 90);
  const conn = await connectToPeer(peer);
  await socks4Handshake(conn, { host: "example.org", port: 80 });
  conn.close();
  await peer.done;
  assert.deepEqual(request(), [4, 1, 0, 80, 0, 0, 0, 1, 0, ...enc.encode("example.org"), 0]);
});

Deno.test("socks4Handshake names the reply codes in words", async () => {
  for (
    const [code, words] of [...Object.entries(SOCKS4_REPLIES), ["99", "refused with reply code 99"]]
  ) {
    const { peer } = socks4Peer(9, Number(code));
    const conn = await connectToPeer(peer);
    const err = await socks4Handshake(conn, { host: "10.0.0.1", port: 1 }).catch((e) => e);
    assert.ok(err instanceof ProxyFailure);
    assert.equal(err.message, words);
    assert.equal(err.about, "target");
    conn.close();
    await peer.done;
  }
});
