import assert from "node:assert/strict";
import { UnixDatagramSocket } from "./unix_datagram_socket.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

Deno.test("UnixDatagramSocket sends while a receive is pending, and loses nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "socktool-unix-" });
  const a = new UnixDatagramSocket(
    Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/a.sock` }),
  );
  const b = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/b.sock` });
  try {
    const pending = a.receive(new Uint8Array(1024));
    // The bare Deno socket would fail here with "Busy: Socket already in use".
    await a.send(enc.encode("one"), b.addr);
    await a.send(enc.encode("two"), b.addr);
    const received = [await b.receive(), await b.receive()].map(([d]) => dec.decode(d));
    assert.deepEqual(received, ["one", "two"]);
    await b.send(enc.encode("answer"), a.addr);
    const [data, from] = await pending;
    assert.equal(dec.decode(data), "answer", "the wake-up datagram is never returned");
    assert.equal((from as Deno.UnixAddr).path, `${dir}/b.sock`);
    await Promise.all([a.send(enc.encode("x"), b.addr), a.send(enc.encode("y"), b.addr)]);
    assert.deepEqual([await b.receive(), await b.receive()].map(([d]) => dec.decode(d)), [
      "x",
      "y",
    ]);
  } finally {
    a.close();
    b.close();
  }
  const left = [];
  for await (const e of Deno.readDir(dir)) left.push(e.name);
  assert.deepEqual(left.sort(), ["a.sock", "b.sock"], "the helper socket file is removed");
  await Deno.remove(dir, { recursive: true });
});
