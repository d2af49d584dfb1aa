/**
 * End-to-end tests of issue 2's TCP sessions: the real CLI, real loopback
 * sockets, bytes compared.
 */
import assert from "node:assert/strict";
import {
  randomBytes,
  readConnToEnd,
  sha256,
  spawn,
  spawnSocktool,
  writeConnAll,
} from "./_test_utils/harness.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("socktool -l and socktool HOST PORT carry a 16 MiB random file byte-exact", async () => {
  const data = randomBytes(16 * 1024 * 1024, 42);
  const server = spawnSocktool(["-lv", "127.0.0.1", "0"], { stdin: "null" });
  const port = await server.listeningPort();
  const client = spawnSocktool(["127.0.0.1", String(port)]);
  await client.write(data);
  await client.closeStdin();
  const [s, c] = await Promise.all([server.finish(), client.finish()]);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(await sha256(s.stdout), await sha256(data));
});

Deno.test("both directions flow in one session: each side's input reaches the other", async () => {
  const server = spawnSocktool(["-lv", "127.0.0.1", "0"]);
  const port = await server.listeningPort();
  const client = spawnSocktool(["127.0.0.1", String(port)]);
  await server.waitForStderr(/connection from/);
  await client.write("from client\n");
  await server.write("from server\n");
  await server.closeStdin(); // Ctrl-D on the listener: it half-closes...
  await client.closeStdin(); // ...and the client's own EOF ends the session
  const [s, c] = await Promise.all([server.finish(), client.finish()]);
  assert.equal(dec(s.stdout), "from client\n");
  assert.equal(dec(c.stdout), "from server\n");
  assert.equal(s.code, 0);
  assert.equal(c.code, 0);
});

Deno.test("half-close: an HTTP/1.0-style request gets the whole response after stdin EOF", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const body = "x".repeat(100_000);
  const serverSide = (async () => {
    const conn = await listener.accept();
    const request = dec(await readConnToEnd(conn)); // EOF only comes from the client's half-close
    await writeConnAll(conn, enc(`HTTP/1.0 200 OK\r\n\r\n${request.length}:${body}`));
    conn.close();
  })();
  const client = spawnSocktool(["127.0.0.1", String(listener.addr.port)]);
  await client.write("GET / HTTP/1.0\r\n\r\n");
  await client.closeStdin();
  const c = await client.finish();
  await serverSide;
  assert.equal(c.code, 0, c.stderr);
  assert.equal(dec(c.stdout), `HTTP/1.0 200 OK\r\n\r\n18:${body}`);
});

Deno.test("a listener serves a whole piped file to a client that half-closed at once (nc -N </dev/null)", async () => {
  const data = randomBytes(4 * 1024 * 1024, 7);
  const server = spawnSocktool(["-lv", "127.0.0.1", "0"]);
  const port = await server.listeningPort();
  const client = spawn("nc", ["-N", "127.0.0.1", String(port)], { stdin: "null" });
  await server.waitForStderr(/connection from/);
  await server.write(data);
  await server.closeStdin();
  const [s, c] = await Promise.all([server.finish(), client.finish()]);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(await sha256(c.stdout), await sha256(data));
});

Deno.test("with stdin a terminal, socktool exits at once when the server hangs up", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serverSide = (async () => {
    const conn = await listener.accept();
    await writeConnAll(conn, enc("goodbye\n"));
    conn.close();
  })();
  const cmd = [
    ...(await import("./_test_utils/harness.ts")).socktoolCommand(),
    "127.0.0.1",
    String(listener.addr.port),
  ]
    .map((a) => `'${a}'`).join(" ");
  // `script` gives socktool a pseudo-terminal as stdin; the test never closes it.
  const term = spawn("script", ["-qec", cmd, "/dev/null"]);
  await term.write(""); // hold the terminal's input open: only the hang-up may end the session
  const r = await term.finish(15_000);
  await term.closeStdin();
  await serverSide;
  assert.equal(r.code, 0, r.stderr);
  assert.match(dec(r.stdout), /goodbye/);
});

Deno.test("-q SECS ends the session after stdin EOF even if the peer never closes, keeping its reply", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let held: Deno.Conn | undefined;
  const serverSide = (async () => {
    held = await listener.accept();
    await readConnToEnd(held);
    await writeConnAll(held, enc("reply\n")); // ...then stays open, as a lazy server does
  })();
  const client = spawnSocktool(["-q", "1", "127.0.0.1", String(listener.addr.port)]);
  await client.write("request\n");
  await client.closeStdin();
  const t0 = Date.now();
  const c = await client.finish(10_000);
  await serverSide;
  held?.close();
  assert.equal(c.code, 0, c.stderr);
  assert.equal(dec(c.stdout), "reply\n");
  assert.ok(Date.now() - t0 < 5000, "-q 1 must not wait for the peer");
});

Deno.test("socktool -l with no address accepts IPv4 and IPv6 clients", async () => {
  for (const host of ["127.0.0.1", "::1"]) {
    const server = spawnSocktool(["-lv", "0"], { stdin: "null" });
    const port = await server.listeningPort();
    const conn = await Deno.connect({ hostname: host, port });
    await writeConnAll(conn, enc(`hello over ${host}`));
    await conn.closeWrite();
    await readConnToEnd(conn);
    conn.close();
    const s = await server.finish();
    assert.equal(dec(s.stdout), `hello over ${host}`);
  }
});

Deno.test("--no-shutdown keeps the write half open after stdin EOF", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = spawnSocktool(["--no-shutdown", "127.0.0.1", String(listener.addr.port)]);
  const conn = await listener.accept();
  await client.write("abc");
  await client.closeStdin();
  const buf = new Uint8Array(8);
  assert.equal(await conn.read(buf), 3);
  // If socktool had half-closed, this read would see EOF; instead our reply goes through.
  await writeConnAll(conn, enc("still open"));
  conn.close();
  const c = await client.finish();
  assert.equal(dec(c.stdout), "still open");
});

Deno.test("--send-only sends stdin and prints nothing received; --recv-only sends nothing", async () => {
  {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const client = spawnSocktool(["--send-only", "127.0.0.1", String(listener.addr.port)]);
    const conn = await listener.accept();
    await writeConnAll(conn, enc("not shown"));
    await client.write("outbound");
    await client.closeStdin();
    assert.equal(dec(await readConnToEnd(conn)), "outbound");
    conn.close();
    const c = await client.finish();
    assert.equal(dec(c.stdout), "");
  }
  {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const client = spawnSocktool(["--recv-only", "127.0.0.1", String(listener.addr.port)]);
    const conn = await listener.accept();
    await client.write("never sent");
    await writeConnAll(conn, enc("inbound"));
    await conn.closeWrite();
    const c = await client.finish();
    assert.equal(dec(await readConnToEnd(conn)), "");
    conn.close();
    assert.equal(dec(c.stdout), "inbound");
  }
});

Deno.test("-N is accepted and half-closes as the default does", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = spawnSocktool(["-N", "127.0.0.1", String(listener.addr.port)]);
  const conn = await listener.accept();
  await client.write("n");
  await client.closeStdin();
  assert.equal(dec(await readConnToEnd(conn)), "n");
  conn.close();
  assert.equal((await client.finish()).code, 0);
});

Deno.test("a peer that resets ends the session with exit 1 and one line, its data out (stdin open, or ended)", async () => {
  const net = await import("node:net");
  // The peer greets, then resets (SO_LINGER 0): it accepts nothing more.
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on("error", () => {});
    s.write("bye\n", () => setTimeout(() => s.resetAndDestroy(), 50));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    for (const stdinEnds of [false, true]) {
      const client = spawnSocktool(["127.0.0.1", String(port)]);
      try {
        // stdin: a pipe held open with nothing typed, or one that ends at once.
        if (stdinEnds) await client.closeStdin();
        else await client.write(new Uint8Array());
        const r = await client.finish(5000);
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.stderr, `socktool: 127.0.0.1:${port}: connection reset by peer\n`);
        assert.equal(dec(r.stdout), "bye\n");
      } finally {
        client.kill();
      }
    }
  } finally {
    server.close();
  }
});
