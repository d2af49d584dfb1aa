import assert from "node:assert/strict";
import { SocktoolError } from "../errors.ts";
import { writeAll } from "../io/sink.ts";
import { encodeClosePayload, encodeFrame, Opcode } from "./frame.ts";
import { MAX_LINE, WsConn } from "./ws_conn.ts";
import { clientHandshake, serverHandshake } from "./handshake.ts";
import { parseWsUrl } from "./url.ts";
import { clientAgainstRaw, FrameReader, readToEnd, writeFrame, wsPair } from "./_test_utils.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("WsConn text mode: each line written is one message; each message read ends with LF", async () => {
  const { client, server } = await wsPair();
  await client.write(utf8("hello\nwor"));
  await client.write(utf8("ld\n"));
  await client.closeWrite();
  assert.equal(text(await readToEnd(server)), "hello\nworld\n");
  await server.closeWrite(); // already answered: a no-op
  assert.equal(text(await readToEnd(client)), "");
  client.close();
  server.close();
});

Deno.test("WsConn text mode sends lines without their LF, and a last line without one at half-close", async () => {
  const seen: [number, string][] = [];
  const { client, done } = await clientAgainstRaw(async (conn, frames) => {
    for (;;) {
      const f = await frames.next();
      if (f === null) break;
      seen.push([f.opcode, text(f.payload)]);
      if (f.opcode === Opcode.Close) {
        await writeFrame(conn, Opcode.Close, encodeClosePayload(1000));
        break;
      }
    }
  });
  await client.write(utf8("one\n\ntwo\nthree"));
  await client.closeWrite();
  assert.equal(await client.read(new Uint8Array(10)), null);
  await done;
  client.close();
  assert.deepEqual(seen, [
    [Opcode.Text, "one"],
    [Opcode.Text, ""],
    [Opcode.Text, "two"],
    [Opcode.Text, "three"],
    [Opcode.Close, "\x03\ufffd"],
  ]);
});

Deno.test("WsConn text mode sends a line that is not UTF-8 as a binary message, byte for byte", async () => {
  const seen: [number, number[]][] = [];
  const { client, done } = await clientAgainstRaw(async (_conn, frames) => {
    const f = await frames.next();
    seen.push([f!.opcode, [...f!.payload]]);
  });
  await client.write(new Uint8Array([0xff, 0x41, 0x0a]));
  await done;
  client.close();
  assert.deepEqual(seen, [[Opcode.Binary, [0xff, 0x41]]]);
});

Deno.test("WsConn text mode sends a line longer than 1 MiB in pieces, cut between characters", async () => {
  const sizes: number[] = [];
  const { client, done } = await clientAgainstRaw(async (_conn, frames) => {
    let total = 0;
    while (total < MAX_LINE + 11) {
      const f = (await frames.next())!;
      assert.equal(f.opcode, Opcode.Text);
      sizes.push(f.payload.length);
      total += f.payload.length;
    }
  });
  const line = new Uint8Array(MAX_LINE + 11).fill(0x61);
  line.set(utf8("é"), MAX_LINE - 1); // a two-byte character across the 1 MiB mark
  await client.write(line); // no LF yet: held, and past 1 MiB
  await client.write(utf8("\n"));
  await done;
  client.close();
  assert.deepEqual(sizes, [MAX_LINE - 1, 12]);
});

Deno.test("WsConn binary mode carries 4 MiB each way at once, byte-exact", async () => {
  const { client, server } = await wsPair({ binary: true });
  const up = crypto.getRandomValues(new Uint8Array(65536)).slice();
  const a = new Uint8Array(4 << 20).map((_, i) => up[i & 0xffff] ^ (i >> 16));
  const b = a.slice().reverse();
  const send = async (conn: typeof client, data: Uint8Array) => {
    for (let at = 0; at < data.length; at += 100_000) {
      await conn.write(data.subarray(at, at + 100_000));
    }
    await conn.closeWrite();
  };
  const [, , fromClient, fromServer] = await Promise.all([
    send(client, a),
    send(server, b),
    readToEnd(server),
    readToEnd(client),
  ]);
  assert.deepEqual(fromClient, a);
  assert.deepEqual(fromServer, b);
  client.close();
  server.close();
});

Deno.test("WsConn: the peer's Close ends reads after all it sent and is told; ours answers it after our data", async () => {
  const events: string[] = [];
  const seen: [number, string][] = [];
  const { client, done } = await clientAgainstRaw(async (conn, frames) => {
    await writeFrame(conn, Opcode.Text, "last words");
    await writeFrame(
      conn,
      Opcode.Close,
      new Uint8Array([...encodeClosePayload(4000), ...utf8("bye\x1b[2J")]),
    );
    for (let f = await frames.next(); f; f = await frames.next()) {
      seen.push([f.opcode, text(f.payload)]);
      if (f.opcode === Opcode.Close) break;
    }
  }, { events });
  assert.equal(text(await readToEnd(client)), "last words\n");
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(events, ["peer closed the WebSocket: 4000: 'bye\\033[2J'"]);
  // Reads are over, but the WebSocket is not: our side may still answer.
  assert.equal(client.peerClosed.aborted, true);
  assert.equal(client.ended.aborted, false);
  assert.equal(await client.read(new Uint8Array(10)), null);
  await client.write(utf8("the echo's tail\nand a partial line"));
  await client.closeWrite();
  assert.equal(client.ended.aborted, true);
  await done;
  // The tail, the held line, then our Close with the peer's own code.
  assert.deepEqual(seen, [
    [Opcode.Text, "the echo's tail"],
    [Opcode.Text, "and a partial line"],
    [Opcode.Close, "\x0f\ufffd"],
  ]);
  await assert.rejects(() => client.write(utf8("x\n")), Deno.errors.BrokenPipe);
  client.close();
});

Deno.test("WsConn: close() answers a peer's Close with its code when closeWrite() never came", async () => {
  let answer: number[] = [];
  const { client, done } = await clientAgainstRaw(async (conn, frames) => {
    await writeFrame(conn, Opcode.Close, encodeClosePayload(1001));
    const f = (await frames.next())!;
    answer = [f.opcode, ...f.payload];
  }, { binary: true });
  assert.equal((await readToEnd(client)).length, 0);
  client.close();
  await done;
  assert.deepEqual(answer, [Opcode.Close, 0x03, 0xe9]);
});

Deno.test("WsConn: a peer that hangs up after its Close, before our answer, aborts ended", async () => {
  const events: string[] = [];
  const { client, done } = await clientAgainstRaw(async (conn) => {
    await writeFrame(conn, Opcode.Close, encodeClosePayload(1000));
  }, { events, binary: true });
  assert.equal((await readToEnd(client)).length, 0);
  await done; // the raw peer has closed its end
  await Promise.race([
    new Promise((r) =>
      client.ended.aborted ? r(0) : client.ended.addEventListener("abort", r, { once: true })
    ),
    new Promise((_, reject) => setTimeout(() => reject(new Error("ended never aborted")), 5000)),
  ]);
  assert.deepEqual(events, [
    "peer closed the WebSocket: 1000 (normal closure)",
    "the peer hung up before our Close",
  ]);
  await assert.rejects(() => client.write(utf8("x")), Deno.errors.BrokenPipe);
  client.close();
});

Deno.test("WsConn: after our Close, data frames are read until the peer's Close, which ends it", async () => {
  const events: string[] = [];
  const tail = new Uint8Array(300_000).map((_, i) => i * 7);
  const { client, done } = await clientAgainstRaw(async (conn, frames) => {
    const f = (await frames.next())!;
    assert.equal(f.opcode, Opcode.Close);
    // An endpoint that received a Close may send what it has before its own.
    await writeFrame(conn, Opcode.Binary, tail);
    await writeFrame(conn, Opcode.Binary, "end");
    await writeFrame(conn, Opcode.Close, encodeClosePayload(1000));
  }, { events, binary: true });
  await client.closeWrite();
  assert.equal(client.ended.aborted, false);
  const got = await readToEnd(client);
  assert.deepEqual(got, new Uint8Array([...tail, ...utf8("end")]));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(client.ended.aborted, true);
  assert.deepEqual(events, ["peer closed the WebSocket: 1000 (normal closure), in answer to ours"]);
  await done;
  client.close();
});

Deno.test("WsConn: a Close with a failure code fails the read after the data, with the reason escaped", async () => {
  const { client, done } = await clientAgainstRaw(async (conn, frames) => {
    await writeFrame(conn, Opcode.Binary, "data");
    await writeFrame(
      conn,
      Opcode.Close,
      new Uint8Array([...encodeClosePayload(1011), ...utf8("oops\x07")]),
    );
    await frames.next();
  }, { binary: true });
  const buf = new Uint8Array(100);
  assert.equal(text(buf.subarray(0, (await client.read(buf))!)), "data");
  await assert.rejects(
    () => client.read(buf),
    (e: Error) =>
      e instanceof SocktoolError && e.exitCode === 1 &&
      /the peer closed the WebSocket with 1011 \(internal error\): 'oops\\007'$/.test(e.message),
  );
  await done;
  client.close();
});

Deno.test("WsConn answers a ping with a pong, masked, with its payload", async () => {
  let pong: { opcode: number; masked: boolean; payload: string } | undefined;
  const { client, done } = await clientAgainstRaw(async (conn, frames) => {
    await writeFrame(conn, Opcode.Ping, "are you there");
    await writeFrame(conn, Opcode.Text, "after");
    const f = (await frames.next())!;
    pong = { opcode: f.opcode, masked: f.masked, payload: text(f.payload) };
  });
  const buf = new Uint8Array(100);
  assert.equal(text(buf.subarray(0, (await client.read(buf))!)), "after\n");
  await done;
  client.close();
  assert.deepEqual(pong, { opcode: Opcode.Pong, masked: true, payload: "are you there" });
});

Deno.test("WsConn reads a fragmented message with a ping in the middle as one line", async () => {
  const { client, done } = await clientAgainstRaw(async (conn, frames) => {
    await writeFrame(conn, Opcode.Text, "hel", { fin: false });
    await writeFrame(conn, Opcode.Ping, "");
    await writeFrame(conn, Opcode.Continuation, "", { fin: false });
    await writeFrame(conn, Opcode.Continuation, "lo");
    await writeFrame(conn, Opcode.Close, encodeClosePayload(1000));
    for (let f = await frames.next(); f && f.opcode !== Opcode.Close; f = await frames.next()) {
      // the pong
    }
  });
  assert.equal(text(await readToEnd(client)), "hello\n");
  client.close(); // answers the Close
  await done;
});

Deno.test("WsConn fails on a masked frame from a server, answering 1002", async () => {
  let answer: number[] = [];
  const { client, done } = await clientAgainstRaw(async (conn, frames) => {
    await writeFrame(conn, Opcode.Text, "x", { mask: new Uint8Array([1, 2, 3, 4]) });
    const f = (await frames.next())!;
    answer = [f.opcode, ...f.payload];
  });
  await assert.rejects(
    () => readToEnd(client),
    (e: Error) => /WebSocket protocol error: the server masked a frame/.test(e.message),
  );
  await done;
  client.close();
  assert.deepEqual(answer, [Opcode.Close, 0x03, 0xea]);
});

Deno.test("WsConn fails when the connection ends without a Close frame", async () => {
  const { client, done } = await clientAgainstRaw(async (conn) => {
    await writeFrame(conn, Opcode.Text, "partial", { fin: false });
  });
  await done;
  await assert.rejects(
    () => readToEnd(client),
    (e: Error) =>
      e instanceof SocktoolError && /ended without a WebSocket Close frame/.test(e.message),
  );
  client.close();
});

Deno.test("WsConn: a server refuses an unmasked frame from a client", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const url = parseWsUrl(`ws://127.0.0.1:${port}/`);
  const raw = await Deno.connect({ hostname: "127.0.0.1", port });
  const tcp = await listener.accept();
  listener.close();
  const [, s] = await Promise.all([
    clientHandshake(raw, { url, peerName: url.text }),
    serverHandshake(tcp, { peerName: "client" }),
  ]);
  const server = new WsConn(tcp, {
    role: "server",
    binary: false,
    leftover: s.leftover,
    peerName: "client",
  });
  await writeFrame(raw, Opcode.Text, "unmasked");
  await assert.rejects(
    () => readToEnd(server),
    (e: Error) => /protocol error: the client sent an unmasked frame/.test(e.message),
  );
  const f = await new FrameReader(raw).next();
  assert.deepEqual([f!.opcode, ...f!.payload], [Opcode.Close, 0x03, 0xea]);
  server.close();
  raw.close();
});

Deno.test("WsConn.close() before any Close frame says goodbye with 1001", async () => {
  let answer: number[] = [];
  const { client, done } = await clientAgainstRaw(async (_conn, frames) => {
    const f = (await frames.next())!;
    answer = [f.opcode, ...f.payload];
  });
  client.close();
  await done;
  assert.deepEqual(answer, [Opcode.Close, 0x03, 0xe9]);
  await assert.rejects(() => client.read(new Uint8Array(1)), Deno.errors.BadResource);
});

Deno.test("WsConn.close() sends a text line still held before its goodbye", async () => {
  const seen: [number, string][] = [];
  const { client, done } = await clientAgainstRaw(async (_conn, frames) => {
    for (let f = await frames.next(); f; f = await frames.next()) {
      seen.push([f.opcode, text(f.payload)]);
      if (f.opcode === Opcode.Close) break;
    }
  });
  await client.write(utf8("no newline yet"));
  client.close();
  await done;
  assert.deepEqual(seen, [[Opcode.Text, "no newline yet"], [Opcode.Close, "\x03\ufffd"]]);
});

Deno.test("WsConn: a close() while a read is pending rejects the read at once", async () => {
  const { client, done } = await clientAgainstRaw(async (_conn, frames) => {
    await frames.next();
  });
  const reading = client.read(new Uint8Array(10));
  client.close();
  await assert.rejects(() => reading, Deno.errors.BadResource);
  await done;
});

Deno.test("WsConn: frames arriving one byte at a time are read whole", async () => {
  const { client, done } = await clientAgainstRaw(async (conn, frames) => {
    const bytes = new Uint8Array([
      0x81,
      0x03,
      ...utf8("abc"),
      0x82,
      0x7e,
      0x01,
      0x00,
      ...new Uint8Array(256).fill(0x62),
      0x88,
      0x02,
      0x03,
      0xe8,
    ]);
    for (const b of bytes) await writeAll(conn, new Uint8Array([b]));
    await frames.next();
  });
  const got = text(await readToEnd(client));
  client.close(); // answers the Close
  await done;
  assert.equal(got, `abc\n${"b".repeat(256)}\n`);
});

Deno.test("WsConn reads 20,000 short messages sent in one burst, every one whole and in order", async () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => `message ${i} ${"x".repeat(i % 50)}`);
  const { client, done } = await clientAgainstRaw(async (conn, frames) => {
    const burst = lines.map((l) => encodeFrame(Opcode.Text, utf8(l)));
    const all = new Uint8Array(burst.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of burst) {
      all.set(b, at);
      at += b.length;
    }
    await writeAll(conn, all);
    await writeFrame(conn, Opcode.Close, encodeClosePayload(1000));
    await frames.next();
  });
  assert.equal(text(await readToEnd(client)), lines.map((l) => `${l}\n`).join(""));
  client.close(); // answers the Close
  await done;
});
