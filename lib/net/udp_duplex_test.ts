import assert from "node:assert/strict";
import { DatagramDuplex, MAX_DATAGRAM, sameAddr } from "./udp_duplex.ts";
import { writeAll } from "../io/sink.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function udp(): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
}

/** Receives one datagram within a deadline. */
async function receiveWithin(
  sock: Deno.DatagramConn,
  ms = 5000,
): Promise<[Uint8Array, Deno.Addr]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      sock.receive(new Uint8Array(70000)).then(([d, a]) =>
        [d.slice(), a] as [Uint8Array, Deno.Addr]
      ),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no datagram within deadline")), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("DatagramDuplex reads one datagram per read and writes one per write", async () => {
  const a = udp();
  const b = udp();
  const duplex = new DatagramDuplex(a, { peer: b.addr });
  try {
    await b.send(enc.encode("one"), a.addr);
    await b.send(enc.encode("two!"), a.addr);
    const buf = new Uint8Array(65536);
    assert.deepEqual(await duplex.read(buf), 3);
    assert.deepEqual(dec.decode(buf.subarray(0, 3)), "one");
    assert.deepEqual(await duplex.read(buf), 4);
    assert.deepEqual(await duplex.write(enc.encode("reply")), 5);
    const [data, from] = await receiveWithin(b);
    assert.deepEqual(dec.decode(data), "reply");
    assert(sameAddr(from, a.addr));
  } finally {
    duplex.close();
    b.close();
  }
});

Deno.test("DatagramDuplex splits a chunk larger than the datagram limit, once noted", async () => {
  const a = udp();
  const b = udp();
  const splits: number[] = [];
  const duplex = new DatagramDuplex(a, { peer: b.addr, onSplit: (n) => splits.push(n) });
  try {
    const big = new Uint8Array(MAX_DATAGRAM * 2 + 10).map((_, i) => i % 251);
    const got: Uint8Array[] = [];
    const receiving = (async () => {
      for (let i = 0; i < 3; i++) got.push((await receiveWithin(b))[0]);
    })();
    await writeAll(duplex, big);
    await receiving;
    assert.deepEqual(got.map((d) => d.length), [MAX_DATAGRAM, MAX_DATAGRAM, 10]);
    assert.deepEqual(got.flatMap((d) => [...d]), [...big]);
    assert.deepEqual(splits, [big.length]);
  } finally {
    duplex.close();
    b.close();
  }
});

Deno.test("DatagramDuplex with one peer drops datagrams from anyone else", async () => {
  const a = udp();
  const peer = udp();
  const stranger = udp();
  const strangers: Deno.Addr[] = [];
  const duplex = new DatagramDuplex(a, { peer: peer.addr, onStranger: (x) => strangers.push(x) });
  try {
    await stranger.send(enc.encode("intruder"), a.addr);
    await peer.send(enc.encode("friend"), a.addr);
    const buf = new Uint8Array(65536);
    const n = await duplex.read(buf);
    assert.deepEqual(dec.decode(buf.subarray(0, n!)), "friend");
    assert.deepEqual(strangers.length, 1);
    assert(sameAddr(strangers[0], stranger.addr));
  } finally {
    duplex.close();
    peer.close();
    stranger.close();
  }
});

Deno.test("DatagramDuplex in every-peer mode waits for a peer, then writes to all", async () => {
  const a = udp();
  const p1 = udp();
  const p2 = udp();
  const seen: Deno.Addr[] = [];
  const duplex = new DatagramDuplex(a, { peer: "every", onPeer: (x) => seen.push(x) });
  try {
    let written = false;
    const writing = duplex.write(enc.encode("hello all")).then(() => written = true);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(written, false, "a write with no peer yet must wait");
    const buf = new Uint8Array(65536);
    await p1.send(enc.encode("hi from 1"), a.addr);
    await duplex.read(buf);
    await writing;
    assert.deepEqual(dec.decode((await receiveWithin(p1))[0]), "hello all");
    await p2.send(enc.encode("hi from 2"), a.addr);
    await p1.send(enc.encode("again from 1"), a.addr);
    await duplex.read(buf);
    await duplex.read(buf);
    assert.deepEqual(seen.length, 2, "a peer is counted once");
    await duplex.write(enc.encode("both"));
    assert.deepEqual(dec.decode((await receiveWithin(p1))[0]), "both");
    assert.deepEqual(dec.decode((await receiveWithin(p2))[0]), "both");
  } finally {
    duplex.close();
    p1.close();
    p2.close();
  }
});

Deno.test("DatagramDuplex read ends (null) after idleMs without traffic", async () => {
  const a = udp();
  const b = udp();
  const duplex = new DatagramDuplex(a, { peer: b.addr, idleMs: 150 });
  try {
    const started = performance.now();
    await b.send(enc.encode("x"), a.addr);
    const buf = new Uint8Array(65536);
    assert.deepEqual(await duplex.read(buf), 1);
    assert.deepEqual(await duplex.read(buf), null);
    const took = performance.now() - started;
    assert(took >= 140 && took < 3000, `idle end after ${took} ms`);
  } finally {
    duplex.close();
    b.close();
  }
});

Deno.test("DatagramDuplex returns a pending datagram first, and a long one over small reads", async () => {
  const a = udp();
  const b = udp();
  const duplex = new DatagramDuplex(a, { peer: b.addr, pending: enc.encode("first-datagram") });
  try {
    const small = new Uint8Array(5);
    const parts: string[] = [];
    for (let i = 0; i < 3; i++) {
      parts.push(dec.decode(small.subarray(0, (await duplex.read(small))!)));
    }
    assert.deepEqual(parts, ["first", "-data", "gram"]);
    await b.send(new Uint8Array(70).fill(7), a.addr);
    assert.deepEqual(await duplex.read(new Uint8Array(50)), 50);
    assert.deepEqual(await duplex.read(new Uint8Array(50)), 20);
  } finally {
    duplex.close();
    b.close();
  }
});

Deno.test("DatagramDuplex close makes a waiting write fail and a pending read reject", async () => {
  const a = udp();
  const duplex = new DatagramDuplex(a, { peer: "every" });
  const reading = duplex.read(new Uint8Array(65536));
  const writing = duplex.write(enc.encode("nobody"));
  duplex.close();
  const [read, write] = await Promise.allSettled([reading, writing]);
  assert.equal(read.status, "rejected");
  assert.equal(write.status, "rejected");
  duplex.close(); // twice is fine
});

Deno.test("sameAddr treats IPv4-mapped IPv6 as the IPv4 address, and compares Unix paths", () => {
  const v4: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: 9 };
  assert(sameAddr({ transport: "udp", hostname: "::ffff:127.0.0.1", port: 9 }, v4));
  assert(!sameAddr({ transport: "udp", hostname: "127.0.0.1", port: 10 }, v4));
  assert(
    sameAddr({ transport: "unixpacket", path: "/a" }, { transport: "unixpacket", path: "/a" }),
  );
  assert(!sameAddr({ transport: "unixpacket", path: "/a" }, v4));
});

Deno.test("DatagramDuplex: a failed send to the one peer fails the write and ends reading", async () => {
  const dir = await Deno.makeTempDir({ prefix: "socktool-dgram-" });
  const own = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/own.sock` });
  const peerPath = `${dir}/peer.sock`;
  Deno.listenDatagram({ transport: "unixpacket", path: peerPath }).close();
  await Deno.remove(peerPath); // the peer went away with its socket file
  const duplex = new DatagramDuplex(own, { peer: { transport: "unixpacket", path: peerPath } });
  try {
    await assert.rejects(() => duplex.write(enc.encode("anyone there?")));
    assert.equal(await duplex.read(new Uint8Array(65536)), null);
    assert.equal(duplex.failure?.op, "send");
    assert.equal((duplex.failure?.peer as Deno.UnixAddr).path, peerPath);
    assert.ok(duplex.failure?.error instanceof Deno.errors.NotFound);
  } finally {
    duplex.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DatagramDuplex in first-peer mode fixes the first sender, then drops others", async () => {
  const a = udp();
  const first = udp();
  const later = udp();
  const seen: Deno.Addr[] = [];
  const duplex = new DatagramDuplex(a, { peer: "first", idleMs: 100, onPeer: (x) => seen.push(x) });
  try {
    const writing = duplex.write(enc.encode("for the first")); // waits for a peer
    // Idle time does not run before the first datagram.
    await new Promise((r) => setTimeout(r, 200));
    await first.send(enc.encode("me first"), a.addr);
    await later.send(enc.encode("me too"), a.addr);
    const buf = new Uint8Array(65536);
    assert.equal(dec.decode(buf.subarray(0, (await duplex.read(buf))!)), "me first");
    await writing;
    assert.equal(dec.decode((await receiveWithin(first))[0]), "for the first");
    assert.equal(await duplex.read(buf), null, "the other sender is dropped, then idle ends it");
    assert.equal(seen.length, 1);
    assert.ok(sameAddr(seen[0], first.addr));
  } finally {
    duplex.close();
    first.close();
    later.close();
  }
});

Deno.test("DatagramDuplex knows a Unix peer by its file, however the path is spelled", async () => {
  const dir = await Deno.makeTempDir({ prefix: "socktool-dgram-" });
  await Deno.mkdir(`${dir}/sub`);
  const own = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/own.sock` });
  const peer = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/peer.sock` });
  const stranger = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/other.sock` });
  const strangers: Deno.Addr[] = [];
  const duplex = new DatagramDuplex(own, {
    peer: { transport: "unixpacket", path: `${dir}/sub/../peer.sock` },
    onStranger: (a) => strangers.push(a),
  });
  try {
    await stranger.send(enc.encode("not me"), own.addr);
    await peer.send(enc.encode("me"), own.addr);
    const buf = new Uint8Array(1 << 20);
    assert.equal(dec.decode(buf.subarray(0, (await duplex.read(buf))!)), "me");
    assert.equal(strangers.length, 1);
    assert.equal(duplex.failure, undefined);
  } finally {
    duplex.close();
    peer.close();
    stranger.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DatagramDuplex every-peer mode: a peer quiet for peerIdleMs gets no more writes", async () => {
  const a = udp();
  const p1 = udp();
  const p2 = udp();
  const gone: [Deno.Addr, string][] = [];
  const duplex = new DatagramDuplex(a, {
    peer: "every",
    peerIdleMs: 100,
    onPeerGone: (x, why) => gone.push([x, why]),
  });
  try {
    const buf = new Uint8Array(65536);
    await p1.send(enc.encode("hi"), a.addr);
    await duplex.read(buf);
    await new Promise((r) => setTimeout(r, 150));
    let written = false;
    const writing = duplex.write(enc.encode("to the living")).then(() => written = true);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(written, false, "no live peer: the write waits");
    assert.equal(gone.length, 1);
    assert.ok(sameAddr(gone[0][0], p1.addr));
    assert.equal(gone[0][1], "quiet");
    await p2.send(enc.encode("hello"), a.addr);
    await duplex.read(buf);
    await writing;
    assert.equal(dec.decode((await receiveWithin(p2))[0]), "to the living");
    assert.deepEqual(duplex.peers.map((x) => (x as Deno.NetAddr).port), [
      (p2.addr as Deno.NetAddr).port,
    ]);
  } finally {
    duplex.close();
    p1.close();
    p2.close();
  }
});
