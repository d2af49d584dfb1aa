import assert from "node:assert/strict";
import { type Duplex, relay } from "./relay.ts";
import { SocktoolError } from "../errors.ts";

/** A local side driven by the test: feed input chunks, end input, read what was written. */
class ScriptedLocal implements Duplex {
  #input: Uint8Array[] = [];
  #ended = false;
  #wake: (() => void) | undefined;
  output: number[] = [];
  /** Make writes fail as a closed stdout does. */
  brokenOutput = false;
  /** Delay each write by this many ms (a slow reader). */
  writeDelayMs = 0;

  feed(data: Uint8Array | string) {
    this.#input.push(typeof data === "string" ? new TextEncoder().encode(data) : data);
    this.#wake?.();
  }
  endInput() {
    this.#ended = true;
    this.#wake?.();
  }
  async read(p: Uint8Array): Promise<number | null> {
    while (this.#input.length === 0) {
      if (this.#ended) return null;
      await new Promise<void>((r) => (this.#wake = r));
    }
    const head = this.#input[0];
    const n = Math.min(head.length, p.length);
    p.set(head.subarray(0, n));
    if (n === head.length) this.#input.shift();
    else this.#input[0] = head.subarray(n);
    return n;
  }
  async write(p: Uint8Array): Promise<number> {
    if (this.brokenOutput) throw new Deno.errors.BrokenPipe("stdout closed");
    if (this.writeDelayMs) await new Promise((r) => setTimeout(r, this.writeDelayMs));
    for (const b of p) this.output.push(b);
    return p.length;
  }
  closeWrite() {
    return Promise.resolve();
  }
  close() {}
  text() {
    return new TextDecoder().decode(new Uint8Array(this.output));
  }
}

/** A connected pair of loopback TCP sockets. */
async function tcpPair(): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [a, b] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
  return [a, b];
}

async function readToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const chunks: number[] = [];
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return new Uint8Array(chunks);
    for (let i = 0; i < n; i++) chunks.push(buf[i]);
  }
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("relay rule 1: local EOF half-closes the remote side and the reply still arrives", async () => {
  const [mine, peer] = await tcpPair();
  const local = new ScriptedLocal();
  local.feed("GET / HTTP/1.0\r\n\r\n");
  local.endInput();
  const done = relay(local, mine);
  // The peer sees EOF only if we half-closed; it answers after that, as an HTTP/1.0 server does.
  assert.equal(dec(await readToEnd(peer)), "GET / HTTP/1.0\r\n\r\n");
  await peer.write(enc("HTTP/1.0 200 OK\r\n\r\nbody"));
  peer.close();
  const result = await done;
  assert.equal(local.text(), "HTTP/1.0 200 OK\r\n\r\nbody");
  assert.equal(result.end, "done");
  assert.equal(result.sent, 18);
  assert.equal(result.received, 23);
});

Deno.test("relay rule 2: remote EOF ends at once when the local side is a terminal", async () => {
  const [mine, peer] = await tcpPair();
  const local = new ScriptedLocal(); // input never ends, as a user who types nothing
  const done = relay(local, mine, { localIsTerminal: true });
  await peer.write(enc("bye\n"));
  peer.close();
  const result = await done;
  assert.equal(result.end, "remote-closed");
  assert.equal(local.text(), "bye\n");
});

Deno.test("relay rule 2: remote EOF keeps sending piped input until it ends", async () => {
  const [mine, peer] = await tcpPair();
  const local = new ScriptedLocal();
  const done = relay(local, mine, { localIsTerminal: false });
  await peer.closeWrite(); // the peer half-closes at once, as `nc -N host port </dev/null`
  let settled = false;
  done.finally(() => (settled = true));
  local.feed("part one, ");
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(settled, false, "relay must not end while piped input remains");
  local.feed("part two");
  local.endInput();
  assert.equal(dec(await readToEnd(peer)), "part one, part two");
  const result = await done;
  assert.equal(result.end, "done");
  peer.close();
});

Deno.test("relay rule 4: quitAfterEofMs ends the session after local EOF, keeping replies that arrived", async () => {
  const [mine, peer] = await tcpPair();
  const local = new ScriptedLocal();
  local.feed("ping");
  local.endInput();
  const done = relay(local, mine, { quitAfterEofMs: 300 });
  await readToEnd(peer); // our half-close arrived
  await peer.write(enc("pong")); // the peer answers but never closes
  const t0 = performance.now();
  const result = await done;
  const waited = performance.now() - t0;
  assert.equal(result.end, "quit-after-eof");
  assert.equal(local.text(), "pong");
  assert.ok(waited < 2000, `ended ${waited} ms after EOF`);
  peer.close();
});

Deno.test("relay rule 4: quitAfterEofMs 0 ends as soon as local input ends", async () => {
  const [mine, peer] = await tcpPair();
  const local = new ScriptedLocal();
  local.endInput();
  const result = await relay(local, mine, { quitAfterEofMs: 0 });
  assert.equal(result.end, "quit-after-eof");
  peer.close();
});

Deno.test("relay rule 5: an idle session fails with timed out", async () => {
  const [mine, peer] = await tcpPair();
  const local = new ScriptedLocal();
  await assert.rejects(
    relay(local, mine, { idleTimeoutMs: 150, remoteName: "peer" }),
    (err: unknown) =>
      err instanceof SocktoolError && err.exitCode === 1 && /timed out/.test(err.message),
  );
  peer.close();
});

Deno.test("relay rule 5: traffic keeps an idle timeout from firing", async () => {
  const [mine, peer] = await tcpPair();
  const local = new ScriptedLocal();
  const done = relay(local, mine, { idleTimeoutMs: 400 });
  for (let i = 0; i < 6; i++) {
    await peer.write(enc("x"));
    await new Promise((r) => setTimeout(r, 100));
  }
  peer.close();
  local.endInput();
  const result = await done;
  assert.equal(result.received, 6);
});

Deno.test("relay rule 6: a closed local output ends the session quietly", async () => {
  const [mine, peer] = await tcpPair();
  const local = new ScriptedLocal();
  local.brokenOutput = true;
  const done = relay(local, mine);
  await peer.write(enc("data nobody reads"));
  const result = await done;
  assert.equal(result.end, "local-output-closed");
  peer.close();
});

Deno.test("relay rule 7: an abort signal ends the session", async () => {
  const [mine, peer] = await tcpPair();
  const local = new ScriptedLocal();
  const ac = new AbortController();
  const done = relay(local, mine, { signal: ac.signal });
  ac.abort();
  assert.equal((await done).end, "aborted");
  peer.close();
});

Deno.test("relay rule 9: a remote reset while local input is open and idle fails with its cause", async () => {
  // node:net can reset a connection on purpose (SO_LINGER 0).
  const net = await import("node:net");
  const server = net.createServer((s) => {
    s.write("bye\n", () => setTimeout(() => s.resetAndDestroy(), 20));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  try {
    const port = (server.address() as { port: number }).port;
    const mine = await Deno.connect({ hostname: "127.0.0.1", port });
    const local = new ScriptedLocal(); // input open, nothing typed
    const err = await relay(local, mine, { remoteName: "127.0.0.1:1" }).then(() => null, (e) => e);
    assert.ok(err instanceof SocktoolError, `rejected with a SocktoolError, got ${err}`);
    assert.equal(err.message, "127.0.0.1:1: connection reset by peer");
    assert.equal(err.exitCode, 1);
    assert.equal(local.text(), "bye\n", "what arrived before the reset was written out");
  } finally {
    server.close();
  }
});

Deno.test("relay rule 9: a SocktoolError from the remote side (a TLS alert) fails the session with it", async () => {
  const refused = new SocktoolError(
    "TLS session with x: the server requires a client certificate",
    1,
  );
  // Reading fails (the alert arrives on the first read).
  const readSide: Duplex = {
    read: () => Promise.reject(refused),
    write: (p) => Promise.resolve(p.length),
    closeWrite: () => Promise.resolve(),
    close: () => {},
  };
  const local = new ScriptedLocal();
  await assert.rejects(relay(local, readSide), (e) => e === refused);
  // Writing fails, with --send-only (nothing reads the remote side).
  const writeSide: Duplex = {
    read: () => new Promise(() => {}),
    write: () => Promise.reject(refused),
    closeWrite: () => Promise.resolve(),
    close: () => {},
  };
  const sender = new ScriptedLocal();
  sender.feed("hello");
  await assert.rejects(relay(sender, writeSide, { direction: "send" }), (e) => e === refused);
});

Deno.test("relay with halfClose false keeps the remote write side open after local EOF", async () => {
  const [mine, peer] = await tcpPair();
  const local = new ScriptedLocal();
  local.feed("abc");
  local.endInput();
  const done = relay(local, mine, { halfClose: false });
  const buf = new Uint8Array(16);
  assert.equal(await peer.read(buf), 3);
  // No EOF follows: the peer can still reply, and the relay waits for it.
  await peer.write(enc("reply"));
  peer.close();
  await done;
  assert.equal(local.text(), "reply");
});

Deno.test("relay direction send ignores remote data and ends on local EOF", async () => {
  const [mine, peer] = await tcpPair();
  const local = new ScriptedLocal();
  await peer.write(enc("ignored"));
  local.feed("only this way");
  local.endInput();
  const result = await relay(local, mine, { direction: "send" });
  assert.equal(dec(await readToEnd(peer)), "only this way");
  assert.equal(local.text(), "");
  assert.equal(result.end, "done");
  peer.close();
});

Deno.test("relay direction recv never reads local input and ends on remote EOF", async () => {
  const [mine, peer] = await tcpPair();
  const local = new ScriptedLocal();
  local.feed("must not be sent");
  const done = relay(local, mine, { direction: "recv" });
  await peer.write(enc("incoming"));
  await peer.closeWrite();
  const result = await done;
  assert.equal(local.text(), "incoming");
  assert.equal(result.sent, 0);
  assert.equal(dec(await readToEnd(peer)), "", "nothing was sent");
  peer.close();
});

Deno.test("relay carries 32 MiB each way at once without deadlock or corruption", async () => {
  const size = 32 * 1024 * 1024;
  const [mine, peer] = await tcpPair();
  const up = new Uint8Array(size);
  const down = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    up[i] = (i * 7 + 3) & 0xff;
    down[i] = (i * 13 + 5) & 0xff;
  }
  const local = new ScriptedLocal();
  local.output = new Array<number>();
  for (let off = 0; off < size; off += 1 << 20) local.feed(up.subarray(off, off + (1 << 20)));
  local.endInput();
  const done = relay(local, mine);
  const peerRead = readToEnd(peer);
  let off = 0;
  while (off < size) off += await peer.write(down.subarray(off, off + (1 << 20)));
  await peer.closeWrite();
  const got = await peerRead;
  await done;
  peer.close();
  assert.equal(got.length, size);
  assert.ok(got.every((b, i) => b === up[i]), "upstream bytes differ");
  assert.equal(local.output.length, size);
  assert.ok(local.output.every((b, i) => b === down[i]), "downstream bytes differ");
});

Deno.test("relay applies backpressure: a slow local reader still gets every byte in order", async () => {
  const [mine, peer] = await tcpPair();
  const local = new ScriptedLocal();
  local.writeDelayMs = 2;
  local.endInput();
  const size = 4 * 1024 * 1024;
  const data = new Uint8Array(size).map((_, i) => i % 251);
  const done = relay(local, mine, { bufferSize: 64 * 1024 });
  let off = 0;
  while (off < size) off += await peer.write(data.subarray(off));
  peer.close();
  await done;
  assert.equal(local.output.length, size);
  assert.ok(local.output.every((b, i) => b === data[i]));
});
