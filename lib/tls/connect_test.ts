import assert from "node:assert/strict";
import { SocktoolError } from "../errors.ts";
import { connectTls, type TlsSession } from "./connect.ts";
import { fingerprintOf } from "./info.ts";
import { acceptTls, createTlsServer, type TlsServer } from "./listen.ts";
import { generateSelfSigned } from "./self_signed.ts";
import { randomBytes, readConnToEnd } from "../../tests/_test_utils/harness.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function writeAllTo(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  for (let off = 0; off < data.length;) off += await conn.write(data.subarray(off, off + 70_000));
}

/** A TLS client and server session over loopback. */
async function tlsPair(server: TlsServer, alpn?: string[]): Promise<[TlsSession, TlsSession]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const accepted = listener.accept().then((c) => acceptTls(c, server));
    const tcp = await dial(listener);
    const client = await connectTls(tcp, {
      serverName: "localhost",
      caCerts: [server.cert],
      alpnProtocols: alpn,
    });
    return [client, await accepted];
  } finally {
    listener.close();
  }
}

/** Connects to a loopback listener. */
function dial(listener: Deno.Listener): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port });
}

function digest(b: Uint8Array): Promise<string> {
  return crypto.subtle.digest("SHA-256", b as Uint8Array<ArrayBuffer>).then((d) =>
    [...new Uint8Array(d)].map((x) => x.toString(16).padStart(2, "0")).join("")
  );
}

Deno.test("a TLS session carries every byte both ways at once, and half-closes each way", async () => {
  const server = await createTlsServer({ alpnProtocols: ["x-test"] });
  const [client, accepted] = await tlsPair(server, ["x-test"]);
  assert.equal(client.info.alpn, "x-test");
  assert.equal(accepted.info.alpn, "x-test");
  assert.equal(client.info.peerFingerprint, server.fingerprint);
  const up = randomBytes(3_000_000, 1);
  const down = randomBytes(2_000_000, 2);
  const serverSide = (async () => {
    const [got] = await Promise.all([
      readConnToEnd(accepted.conn),
      writeAllTo(accepted.conn, down.subarray(0, 1_000_000)),
    ]);
    // The client has ended its side; the server can still send.
    await writeAllTo(accepted.conn, down.subarray(1_000_000));
    await accepted.conn.closeWrite();
    return got;
  })();
  const [gotDown] = await Promise.all([
    readConnToEnd(client.conn),
    writeAllTo(client.conn, up).then(() => client.conn.closeWrite()),
  ]);
  assert.equal(await digest(await serverSide), await digest(up));
  assert.equal(await digest(gotDown), await digest(down));
  accepted.conn.close();
  client.conn.close();
});

Deno.test("the TLS connection rejects a pending read on close, and any use after it", async () => {
  const server = await createTlsServer({});
  const [client, accepted] = await tlsPair(server);
  const pending = client.conn.read(new Uint8Array(10));
  client.conn.close();
  await assert.rejects(pending, Deno.errors.BadResource);
  await assert.rejects(client.conn.write(enc.encode("x")), Deno.errors.BadResource);
  client.conn.close(); // twice is harmless
  assert.equal(await accepted.conn.read(new Uint8Array(10)), null);
  accepted.conn.close();
});

Deno.test("createTlsServer serves a given certificate and reports its fingerprint", async () => {
  const given = await generateSelfSigned({ commonName: "given" });
  const server = await createTlsServer({ cert: given.cert, key: given.key });
  assert.equal(server.generated, false);
  assert.equal(server.subject, "CN=given");
  assert.equal(server.fingerprint, fingerprintOf(given.cert));
  const [client, accepted] = await tlsPair(server);
  assert.equal(client.info.peerSubject, "CN=given");
  assert.equal(client.info.verified, true);
  await client.conn.write(enc.encode("ping"));
  const buf = new Uint8Array(4);
  assert.equal(await accepted.conn.read(buf), 4);
  assert.equal(dec.decode(buf), "ping");
  client.conn.close();
  accepted.conn.close();
});

Deno.test("an ALPN mismatch fails both handshakes", async () => {
  const server = await createTlsServer({ alpnProtocols: ["h2"] });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept().then((c) => acceptTls(c, server));
  const tcp = await dial(listener);
  const client = connectTls(tcp, { serverName: "localhost", alpnProtocols: ["x-other"] });
  await assert.rejects(accepted, /TLS handshake with 127\.0\.0\.1:\d+: /);
  await assert.rejects(client, SocktoolError);
  listener.close();
});

Deno.test("acceptTls names a plain-TCP client and one that hangs up", async () => {
  const server = await createTlsServer({});
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const plain = listener.accept().then((c) => acceptTls(c, server));
  const c1 = await dial(listener);
  await c1.write(enc.encode("GET / HTTP/1.0\r\n\r\n"));
  await assert.rejects(plain, /: the peer does not speak TLS \(a plain TCP service\?\)$/);
  c1.close();
  const hangup = listener.accept().then((c) => acceptTls(c, server));
  (await dial(listener)).close();
  await assert.rejects(hangup, /: the peer closed the connection during the handshake$/);
  listener.close();
});

Deno.test("connectTls times out a silent peer, and stops when its signal aborts", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const silent: Deno.Conn[] = [];
  const accepting = (async () => {
    for (let i = 0; i < 2; i++) silent.push(await listener.accept());
  })();
  const tcp1 = await dial(listener);
  const err = await connectTls(tcp1, { serverName: "localhost", timeoutMs: 100 }).catch((e) => e);
  assert.ok(err instanceof SocktoolError);
  assert.match(err.message, /^TLS handshake with 127\.0\.0\.1:\d+: timed out$/);
  const ac = new AbortController();
  const tcp2 = await dial(listener);
  const attempt = connectTls(tcp2, { serverName: "localhost", signal: ac.signal });
  ac.abort(new Error("interrupted"));
  await assert.rejects(attempt, /interrupted/);
  await accepting;
  for (const c of silent) c.close();
  listener.close();
});

Deno.test("a TLS session is disposable: using closes it and the connection under it", async () => {
  const server = await createTlsServer();
  const [client, accepted] = await tlsPair(server);
  {
    using _session = client;
  }
  // The peer sees the end of the connection, and the client's conn is closed.
  assert.equal(await accepted.conn.read(new Uint8Array(16)), null);
  await assert.rejects(client.conn.write(enc.encode("x")));
  accepted[Symbol.dispose]();
});
