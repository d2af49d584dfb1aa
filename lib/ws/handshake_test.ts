import assert from "node:assert/strict";
import { SocktoolError } from "../errors.ts";
import { writeAll } from "../io/sink.ts";
import { connectToPeer, scriptedPeer } from "../net/_test_utils.ts";
import { acceptKey, clientHandshake, serverHandshake } from "./handshake.ts";
import { parseWsUrl } from "./url.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Reads what the peer sent until the blank line ending an HTTP head. */
async function readRequest(conn: Deno.Conn): Promise<string> {
  let got = "";
  const buf = new Uint8Array(4096);
  while (!got.includes("\r\n\r\n")) {
    const n = await conn.read(buf);
    if (n === null) break;
    got += text(buf.subarray(0, n));
  }
  return got;
}

const keyOf = (request: string) => /Sec-WebSocket-Key: (\S+)/.exec(request)![1];

/** A client handshake against a scripted server; resolves with its result or error. */
async function clientAgainst(
  server: (conn: Deno.Conn) => Promise<void>,
  extra: Partial<Parameters<typeof clientHandshake>[1]> = {},
) {
  const peer = scriptedPeer(server);
  const conn = await connectToPeer(peer);
  const url = parseWsUrl(`ws://127.0.0.1:${peer.port}/path?q=1`);
  try {
    return await clientHandshake(conn, { url, peerName: url.text, ...extra });
  } finally {
    conn.close();
    await peer.done;
  }
}

/** A server handshake against a raw client sending `request`; the error and what was answered. */
async function serverAgainst(request: string, extra: { subprotocols?: string[] } = {}) {
  let answer = "";
  const peer = scriptedPeer(async (conn) => {
    await serverHandshake(conn, { peerName: "client", ...extra }).catch((e) => {
      answer = `error: ${e.message}`;
    });
  });
  const conn = await connectToPeer(peer);
  await writeAll(conn, utf8(request));
  const reply = await readRequest(conn);
  await peer.done;
  conn.close();
  return { reply, answer };
}

Deno.test("acceptKey gives RFC 6455's example answer", async () => {
  assert.equal(await acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

Deno.test("clientHandshake sends path, Host, headers and subprotocols, and keeps frames sent with the 101", async () => {
  let request = "";
  const result = await clientAgainst(async (conn) => {
    request = await readRequest(conn);
    await writeAll(
      conn,
      new Uint8Array([
        ...utf8(
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n" +
            `Sec-WebSocket-Accept: ${await acceptKey(keyOf(request))}\r\n` +
            "Sec-WebSocket-Protocol: chat\r\n\r\n",
        ),
        0x81,
        0x02,
        ...utf8("hi"),
      ]),
    );
  }, { headers: [["X-Token", "abc"], ["Origin", "http://o.test"]], subprotocols: ["chat", "v2"] });
  assert.match(request, /^GET \/path\?q=1 HTTP\/1\.1\r\n/);
  assert.match(request, /\r\nHost: 127\.0\.0\.1:\d+\r\n/);
  assert.match(request, /\r\nSec-WebSocket-Version: 13\r\n/);
  assert.match(request, /\r\nSec-WebSocket-Protocol: chat, v2\r\n/);
  assert.match(request, /\r\nX-Token: abc\r\nOrigin: http:\/\/o\.test\r\n\r\n$/);
  assert.equal(result.protocol, "chat");
  assert.deepEqual([...result.leftover], [0x81, 0x02, 0x68, 0x69]);
});

Deno.test("clientHandshake: a --header Host replaces the URL's", async () => {
  let request = "";
  await clientAgainst(async (conn) => {
    request = await readRequest(conn);
  }, { headers: [["Host", "virtual.test"]] }).catch(() => {});
  assert.equal(request.match(/\r\nHost: /g)?.length, 1);
  assert.match(request, /\r\nHost: virtual\.test\r\n/);
});

Deno.test("clientHandshake says what a server answered instead of 101, escaped", async () => {
  await assert.rejects(
    () =>
      clientAgainst(async (conn) => {
        await readRequest(conn);
        await writeAll(conn, utf8("HTTP/1.1 302 Found\x1b[2J\r\nLocation: /login\r\n\r\n"));
      }),
    (e: Error) =>
      e instanceof SocktoolError && e.exitCode === 1 &&
      /WebSocket handshake with ws:\/\/127\.0\.0\.1:\d+\/path\?q=1: the server answered 302 Found\\033\[2J \(it redirects to \/login\), not 101/
        .test(e.message),
  );
});

Deno.test("clientHandshake refuses a wrong Sec-WebSocket-Accept, a peer that is not HTTP, and a silent close", async () => {
  await assert.rejects(
    () =>
      clientAgainst(async (conn) => {
        await readRequest(conn);
        await writeAll(
          conn,
          utf8(
            "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n",
          ),
        );
      }),
    /Sec-WebSocket-Accept does not match/,
  );
  await assert.rejects(
    () =>
      clientAgainst(async (conn) => {
        await readRequest(conn);
        await writeAll(conn, utf8("SSH-2.0-OpenSSH_9.6\r\n\r\n"));
      }),
    /the server does not speak HTTP \(it sent 'SSH-2\.0-OpenSSH_9\.6'\)/,
  );
  await assert.rejects(
    () => clientAgainst(async (conn) => void await readRequest(conn)),
    /the server closed the connection without a word/,
  );
});

Deno.test("clientHandshake refuses a subprotocol it did not offer", async () => {
  await assert.rejects(
    () =>
      clientAgainst(async (conn) => {
        const request = await readRequest(conn);
        await writeAll(
          conn,
          utf8(
            "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
              `Sec-WebSocket-Accept: ${await acceptKey(
                keyOf(request),
              )}\r\nSec-WebSocket-Protocol: evil\r\n\r\n`,
          ),
        );
      }),
    /chose the subprotocol 'evil', which was not offered/,
  );
});

Deno.test("clientHandshake times out on a server that never answers", async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => release = r);
  const peer = scriptedPeer(async (conn) => {
    await readRequest(conn);
    await held;
  });
  const conn = await connectToPeer(peer);
  const url = parseWsUrl(`ws://127.0.0.1:${peer.port}/`);
  await assert.rejects(
    () => clientHandshake(conn, { url, peerName: url.text, timeoutMs: 50 }),
    /: timed out$/,
  );
  conn.close();
  release();
  await peer.done;
});

const GOOD_REQUEST =
  "GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

Deno.test("serverHandshake answers 101 with the accept key and the subprotocol both accept", async () => {
  const { reply } = await serverAgainst(
    `${GOOD_REQUEST}Sec-WebSocket-Protocol: v1, chat\r\n\r\n`,
    { subprotocols: ["chat"] },
  );
  assert.match(reply, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(reply, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
  assert.match(reply, /\r\nSec-WebSocket-Protocol: chat\r\n/);
});

Deno.test("serverHandshake answers a plain HTTP GET with 426, and fails saying why", async () => {
  const { reply, answer } = await serverAgainst("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  assert.match(reply, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
  assert.match(reply, /\r\nUpgrade: websocket\r\n/);
  assert.match(
    answer,
    /WebSocket handshake with client: not a WebSocket request \(GET \/ without 'Upgrade: websocket'\)/,
  );
});

Deno.test("serverHandshake refuses a bad key, another version, POST, and no subprotocol in common", async () => {
  const cases: [string, { subprotocols?: string[] }, RegExp, RegExp][] = [
    [
      GOOD_REQUEST.replace("dGhlIHNhbXBsZSBub25jZQ==", "short") + "\r\n",
      {},
      /^HTTP\/1\.1 400/,
      /bad Sec-WebSocket-Key/,
    ],
    [
      GOOD_REQUEST.replace("Version: 13", "Version: 8") + "\r\n",
      {},
      /^HTTP\/1\.1 426/,
      /version '8' is not supported/,
    ],
    [
      GOOD_REQUEST.replace("GET", "POST") + "\r\n",
      {},
      /^HTTP\/1\.1 405/,
      /a POST request, not GET/,
    ],
    [
      `${GOOD_REQUEST}Sec-WebSocket-Protocol: v1\r\n\r\n`,
      { subprotocols: ["chat"] },
      /^HTTP\/1\.1 400/,
      /no subprotocol in common \(the client offered v1\)/,
    ],
  ];
  for (const [request, o, status, why] of cases) {
    const { reply, answer } = await serverAgainst(request, o);
    assert.match(reply, status);
    assert.match(answer, why);
  }
});
