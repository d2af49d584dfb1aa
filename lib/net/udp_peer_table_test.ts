import assert from "node:assert/strict";
import { MAX_PEERS, peerKey, PeerTable } from "./udp_peer_table.ts";

const udp = (port: number, hostname = "127.0.0.1"): Deno.NetAddr => ({
  transport: "udp",
  hostname,
  port,
});

Deno.test("PeerTable forgets a peer quiet for the idle time, keeps one that keeps sending", () => {
  let now = 0;
  const peers = new PeerTable({ idleMs: 1000, now: () => now });
  assert.deepEqual(peers.heard(udp(1)), { isNew: true });
  assert.deepEqual(peers.heard(udp(2)), { isNew: true });
  now = 600;
  assert.deepEqual(peers.heard(udp(2)), { isNew: false });
  now = 1000;
  assert.deepEqual(peers.live().map((a) => (a as Deno.NetAddr).port), [2]);
  assert.ok(!peers.has(udp(1)));
  now = 1599;
  assert.ok(peers.has(udp(2)));
  now = 1600;
  assert.deepEqual(peers.live(), []);
  assert.deepEqual(peers.heard(udp(1)), { isNew: true }, "a forgotten peer that speaks is new");
});

Deno.test("PeerTable sending to a peer does not keep it: only its datagrams do", () => {
  let now = 0;
  const peers = new PeerTable({ idleMs: 100, now: () => now });
  peers.heard(udp(1));
  for (now = 0; now < 100; now += 10) assert.equal(peers.live().length, 1);
  assert.equal(peers.live().length, 0);
});

Deno.test("PeerTable is bounded: a new peer past the bound drops the one heard longest ago", () => {
  let now = 0;
  const peers = new PeerTable({ max: 3, now: () => now });
  for (const p of [1, 2, 3]) {
    now++;
    peers.heard(udp(p));
  }
  now++;
  peers.heard(udp(1)); // 1 is now the most recent
  now++;
  const r = peers.heard(udp(4));
  assert.equal(r.isNew, true);
  assert.equal((r.evicted as Deno.NetAddr).port, 2);
  assert.deepEqual(peers.live().map((a) => (a as Deno.NetAddr).port), [3, 1, 4]);
  assert.equal(peers.size, 3);
});

Deno.test("PeerTable holds at most MAX_PEERS by default, whatever a flood of sources", () => {
  const peers = new PeerTable();
  for (let i = 0; i < MAX_PEERS + 500; i++) peers.heard(udp(1 + (i % 60000), `10.0.${i >> 8}.1`));
  assert.equal(peers.size, MAX_PEERS);
});

Deno.test("peerKey: IPv4-mapped IPv6 is its IPv4 address; Unix paths are absolute", () => {
  assert.equal(peerKey(udp(9, "::ffff:127.0.0.1")), peerKey(udp(9)));
  assert.notEqual(peerKey(udp(9)), peerKey(udp(10)));
  assert.equal(
    peerKey({ transport: "unixpacket", path: "s.sock" }),
    peerKey({ transport: "unixpacket", path: `${Deno.cwd()}/s.sock` }),
  );
});

Deno.test("PeerTable refuses a bad idle time or bound", () => {
  assert.throws(() => new PeerTable({ idleMs: 0 }), RangeError);
  assert.throws(() => new PeerTable({ max: 0 }), RangeError);
});

Deno.test("PeerTable with an infinite idle time forgets only to make room", () => {
  let now = 0;
  const peers = new PeerTable({ idleMs: Infinity, max: 2, now: () => now });
  peers.heard(udp(1));
  now = 1e12;
  assert.equal(peers.live().length, 1);
  peers.heard(udp(2));
  assert.equal((peers.heard(udp(3)).evicted as Deno.NetAddr).port, 1);
});
