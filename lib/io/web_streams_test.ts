import assert from "node:assert/strict";
import { connStreams, stageStream, streamsDuplex } from "./web_streams.ts";
import { relay } from "../session/relay.ts";
import { crlfStage } from "../transforms/crlf.ts";
import { timestampStage } from "../transforms/timestamp.ts";
import { rateLimitStage } from "../transforms/rate_limit.ts";
import type { Stage } from "./sink.ts";
import { concat, utf8 } from "./_test_utils.ts";

/** A connected pair of loopback TCP sockets. */
async function tcpPair(): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [a, b] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
  return [a, b];
}

/** Reads `conn` to its end (with `read`, so the connection stays open). */
async function readToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
    parts.push(buf.slice(0, n));
  }
  return concat(parts);
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("connStreams: closing the writable half-closes, and the reply still arrives", async () => {
  const [client, server] = await tcpPair();
  using _server = server;
  const serving = (async () => {
    const request = await readToEnd(server);
    await server.write(utf8(`got ${request.length} bytes`));
    await server.closeWrite();
  })();
  const { readable, writable, closed } = connStreams(client);
  const writer = writable.getWriter();
  await writer.write(utf8("GET / HTTP/1.0\r\n\r\n"));
  await writer.close();
  assert.equal(await new Response(readable).text(), "got 18 bytes");
  await serving;
  await closed;
});

Deno.test("connStreams: the readable's end leaves the connection open for writing", async () => {
  const [client, server] = await tcpPair();
  using _server = server;
  await server.write(utf8("first"));
  await server.closeWrite();
  const { readable, writable, closed } = connStreams(client);
  assert.equal(await new Response(readable).text(), "first");
  const writer = writable.getWriter();
  await writer.write(utf8("then ours"));
  await writer.close();
  assert.equal(text(await readToEnd(server)), "then ours");
  await closed;
});

Deno.test("connStreams: the connection stays open until both directions are done", async () => {
  const [client, server] = await tcpPair();
  using _server = server;
  const streams = connStreams(client);
  let isClosed = false;
  streams.closed.then(() => isClosed = true);
  await streams.writable.close();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(isClosed, false, "closed after the write side alone");
  await server.closeWrite();
  await streams.readable.pipeTo(new WritableStream());
  await streams.closed;
});

Deno.test("connStreams: cancelling the readable and closing the writable closes", async () => {
  const [client, server] = await tcpPair();
  using _server = server;
  const streams = connStreams(client);
  await streams.readable.cancel();
  await streams.writable.close();
  await streams.closed;
  assert.equal(await server.read(new Uint8Array(1)), null);
});

Deno.test("connStreams: aborting the writable closes the connection at once", async () => {
  const [client, server] = await tcpPair();
  using _server = server;
  const streams = connStreams(client);
  const reading = streams.readable.getReader().read();
  await streams.writable.abort(new Error("stop"));
  await streams.closed;
  await assert.rejects(reading);
});

Deno.test("connStreams: dispose closes the connection", async () => {
  const [client, server] = await tcpPair();
  using _server = server;
  let closed: Promise<void>;
  {
    using streams = connStreams(client);
    closed = streams.closed;
  }
  await closed;
  assert.equal(await server.read(new Uint8Array(1)), null);
});

Deno.test("connStreams: a BYOB reader reads into its own buffer", async () => {
  const [client, server] = await tcpPair();
  using _server = server;
  await server.write(utf8("abcdef"));
  using streams = connStreams(client);
  const reader = streams.readable.getReader({ mode: "byob" });
  const { value } = await reader.read(new Uint8Array(4));
  assert.equal(value!.byteLength <= 4, true);
  assert.equal(text(value!), "abcdef".slice(0, value!.byteLength));
  reader.releaseLock();
});

Deno.test("connStreams: 8 MiB each way at once through pipeTo arrive whole", async () => {
  const [client, server] = await tcpPair();
  using _server = server;
  const size = 8 * 1024 * 1024;
  const out = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
  const echo = connStreams(server);
  // The server side echoes everything back, half-closing at the end.
  const echoing = echo.readable.pipeTo(echo.writable);
  const { readable, writable, closed } = connStreams(client);
  const sending = ReadableStream.from([out.subarray(0, size / 2), out.subarray(size / 2)])
    .pipeTo(writable);
  const back = new Uint8Array(await new Response(readable).arrayBuffer());
  await Promise.all([sending, echoing, closed, echo.closed]);
  assert.equal(back.length, size);
  assert.equal(back.every((b, i) => b === out[i]), true);
});

Deno.test("connStreams refuses a readSize of 0", async () => {
  const [client, server] = await tcpPair();
  using _client = client;
  using _server = server;
  assert.throws(() => connStreams(client, { readSize: 0 }), RangeError);
});

Deno.test("streamsDuplex: read hands out a chunk larger than the buffer in pieces", async () => {
  using d = streamsDuplex({
    readable: ReadableStream.from([utf8("abcdefgh"), new Uint8Array(0), utf8("ij")]),
    writable: new WritableStream(),
  });
  const buf = new Uint8Array(3);
  const got: string[] = [];
  for (let n = await d.read(buf); n !== null; n = await d.read(buf)) {
    got.push(text(buf.subarray(0, n)));
  }
  assert.deepEqual(got, ["abc", "def", "gh", "ij"]);
});

Deno.test("streamsDuplex: write copies, so the caller may reuse its buffer at once", async () => {
  const kept: Uint8Array[] = [];
  const d = streamsDuplex({
    readable: new ReadableStream(),
    writable: new WritableStream({ write: (c) => void kept.push(c) }),
  });
  const buf = utf8("one");
  await d.write(buf);
  buf.set(utf8("XXX"));
  await d.write(utf8("two"));
  await d.closeWrite();
  d.close();
  assert.deepEqual(kept.map(text), ["one", "two"]);
});

Deno.test("streamsDuplex: close cancels the readable and aborts the writable", async () => {
  let cancelled = false;
  let aborted = false;
  const d = streamsDuplex({
    readable: new ReadableStream({ cancel: () => void (cancelled = true) }),
    writable: new WritableStream({ abort: () => void (aborted = true) }),
  });
  const pending = d.read(new Uint8Array(8));
  d.close();
  assert.equal(await pending, null);
  assert.equal(await d.read(new Uint8Array(8)), null);
  assert.equal(cancelled, true);
  assert.equal(aborted, true);
});

Deno.test("relay between a connection and a pair of streams keeps every byte in order", async () => {
  const [client, server] = await tcpPair();
  const size = 2 * 1024 * 1024;
  const out = new Uint8Array(size).map((_, i) => (i * 13) & 0xff);
  const received: Uint8Array[] = [];
  const local = streamsDuplex({
    readable: ReadableStream.from([out.subarray(0, 100), out.subarray(100)]),
    writable: new WritableStream({ write: (c) => void received.push(c) }),
  });
  // The peer echoes and half-closes once our data ends.
  const peer = (async () => {
    const got = await readToEnd(server);
    await server.write(got);
    await server.closeWrite();
    server.close();
  })();
  const result = await relay(local, client);
  await peer;
  assert.equal(result.sent, size);
  assert.equal(result.received, size);
  const back = concat(received);
  assert.equal(back.every((b, i) => b === out[i]), true);
});

Deno.test("relay over connStreams turned back into a duplex half-closes like a connection", async () => {
  const [client, server] = await tcpPair();
  const local = streamsDuplex({
    readable: ReadableStream.from([utf8("ping")]),
    writable: new WritableStream(),
  });
  const peer = (async () => {
    assert.equal(text(await readToEnd(server)), "ping");
    await server.write(utf8("pong"));
    server.close();
  })();
  const result = await relay(local, streamsDuplex(connStreams(client)));
  await peer;
  assert.deepEqual([result.sent, result.received, result.end], [4, 4, "done"]);
});

Deno.test("stageStream: crlfStage with a CR ending one chunk and its LF starting the next", async () => {
  const out = await new Response(
    ReadableStream.from([utf8("a\r"), utf8("\nb\n"), utf8("c")]).pipeThrough(
      stageStream(crlfStage),
    ),
  ).text();
  assert.equal(out, "a\r\nb\r\nc");
});

Deno.test("stageStream: chunks the stage only lends are copied out", async () => {
  // A stage that reuses one buffer for everything it passes on.
  const reusing: Stage = (next) => {
    const buf = new Uint8Array(16);
    return {
      async write(chunk) {
        buf.set(chunk);
        await next.write(buf.subarray(0, chunk.length));
        buf.fill(0x58);
      },
      close: () => next.close(),
    };
  };
  const out = await new Response(
    ReadableStream.from([utf8("one"), utf8("two")]).pipeThrough(stageStream(reusing)),
  ).text();
  assert.equal(out, "onetwo");
});

Deno.test("stageStream: the stage's close runs at the end, and may still pass bytes on", async () => {
  const trailer: Stage = (next) => ({
    write: (chunk) => next.write(chunk),
    async close() {
      await next.write(utf8("<end>"));
      await next.close();
    },
  });
  const out = await new Response(
    ReadableStream.from([utf8("x")]).pipeThrough(stageStream(trailer)),
  ).text();
  assert.equal(out, "x<end>");
});

Deno.test("stageStream: timestampStage prefixes each line", async () => {
  const now = () => new Date(2024, 0, 2, 3, 4, 5);
  const out = await new Response(
    ReadableStream.from([utf8("a\nb"), utf8("\n")]).pipeThrough(
      stageStream(timestampStage({ now })),
    ),
  ).text();
  assert.equal(out, "[2024-01-02 03:04:05] a\n[2024-01-02 03:04:05] b\n");
});

Deno.test("stageStream: rateLimitStage holds the stream back", async () => {
  const waits: number[] = [];
  let clock = 0;
  const stage = rateLimitStage({
    bytesPerSecond: 1000,
    now: () => clock,
    sleep: (ms) => {
      waits.push(ms);
      clock += ms;
      return Promise.resolve();
    },
  });
  const out = await new Response(
    ReadableStream.from([new Uint8Array(100), new Uint8Array(100)]).pipeThrough(
      stageStream(stage),
    ),
  ).arrayBuffer();
  assert.equal(out.byteLength, 200);
  assert.equal(waits.reduce((a, b) => a + b, 0) >= 199, true, `waited ${waits}`);
});
