/**
 * End-to-end tests of UDP sessions (issue 3): the real CLI against datagram
 * sockets of the test, `nc -u` and `socat UDP`, datagrams compared whole.
 */
import assert from "node:assert/strict";
import { randomBytes, socktoolCommand, spawn, spawnSocktool } from "./_test_utils/harness.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function udpSocket(hostname = "127.0.0.1"): Deno.DatagramConn & { port: number } {
  const sock = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
  return Object.assign(sock, { port: (sock.addr as Deno.NetAddr).port });
}

/** A free UDP port on loopback, for peers that cannot report theirs. */
function freeUdpPort(): number {
  const s = udpSocket();
  s.close();
  return s.port;
}

/** The next datagram (a copy) and its sender, or a rejection at the deadline. */
async function receive(
  sock: Deno.DatagramConn,
  timeoutMs = 10_000,
): Promise<[Uint8Array, Deno.NetAddr]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      sock.receive(new Uint8Array(65536)).then(([d, a]) =>
        [d.slice(), a as Deno.NetAddr] as [Uint8Array, Deno.NetAddr]
      ),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no datagram before the deadline")), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Echoes `count` datagrams back to their senders. */
async function echo(sock: Deno.DatagramConn, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const [data, from] = await receive(sock);
    await sock.send(data, from);
  }
}

Deno.test("printf ping | socktool -u -w1 HOST PORT prints the echo after stdin ends, exits 0", async () => {
  const server = udpSocket();
  try {
    const echoing = echo(server, 1);
    const started = performance.now();
    const client = spawnSocktool(["-u", "-w1", "127.0.0.1", String(server.port)]);
    await client.write("ping");
    await client.closeStdin();
    const c = await client.finish();
    await echoing;
    assert.equal(c.code, 0, c.stderr);
    assert.equal(dec(c.stdout), "ping");
    assert.equal(c.stderr, "");
    assert.ok(performance.now() - started < 15_000);
  } finally {
    server.close();
  }
});

Deno.test("a UDP client keeps receiving after stdin EOF until -q ends it", async () => {
  const server = udpSocket();
  try {
    const client = spawnSocktool(["-u", "-q", "1", "127.0.0.1", String(server.port)]);
    await client.write("question");
    await client.closeStdin();
    // Reply well after stdin ended, and more than once: every datagram is printed.
    const [data, from] = await receive(server);
    assert.equal(dec(data), "question");
    await server.send(enc("answer 1;"), from);
    await server.send(enc("answer 2"), from);
    const c = await client.finish();
    assert.equal(c.code, 0, c.stderr);
    assert.equal(dec(c.stdout), "answer 1;answer 2");
  } finally {
    server.close();
  }
});

Deno.test("-ul answers the peer of the first datagram and ignores any other", async () => {
  const listener = spawnSocktool(["-ulvv", "-w", "1", "127.0.0.1", "0"]);
  const port = await listener.listeningPort();
  const first = udpSocket();
  const other = udpSocket();
  try {
    const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
    await first.send(enc("hello from first\n"), to);
    await listener.waitForStderr(/datagram from 127\.0\.0\.1:\d+/);
    await other.send(enc("intruder\n"), to);
    await listener.waitForStderr(/ignored a datagram from/);
    await listener.write("reply\n");
    const [reply] = await receive(first);
    assert.equal(dec(reply), "reply\n");
    await listener.closeStdin();
    const l = await listener.finish(); // -w1: a datagram session ends after 1 s quiet
    assert.equal(l.code, 0, l.stderr);
    assert.equal(dec(l.stdout), "hello from first\n");
  } finally {
    first.close();
    other.close();
  }
});

Deno.test("-ulk hears every peer and sends stdin to each peer that has spoken", async () => {
  const listener = spawnSocktool(["-ulkv", "127.0.0.1", "0"]);
  const port = await listener.listeningPort();
  const a = udpSocket();
  const b = udpSocket();
  try {
    const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
    await a.send(enc("A1\n"), to);
    await listener.waitForStderr(new RegExp(`datagram from 127\\.0\\.0\\.1:${a.port}`));
    await b.send(enc("B1\n"), to);
    await listener.waitForStderr(new RegExp(`datagram from 127\\.0\\.0\\.1:${b.port}`));
    await listener.write("to all\n");
    assert.equal(dec((await receive(a))[0]), "to all\n");
    assert.equal(dec((await receive(b))[0]), "to all\n");
    // stdin's end only stops the broadcast: the listener still hears peers.
    await listener.closeStdin();
    await a.send(enc("A2\n"), to);
    await b.send(enc("B2\n"), to);
    // A new peer's log line comes after A2 and B2 were written out (one queue, in order).
    const c = udpSocket();
    await c.send(enc("C1\n"), to);
    await listener.waitForStderr(new RegExp(`datagram from 127\\.0\\.0\\.1:${c.port}`));
    c.close();
    listener.kill("SIGTERM");
    const l = await listener.finish();
    assert.equal(l.code, 143);
    const lines = dec(l.stdout).split("\n").filter((s) => s);
    assert.deepEqual(lines.slice(0, 4).sort(), ["A1", "A2", "B1", "B2"]);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("datagram boundaries: 1, 1000 and 65507-byte datagrams arrive whole both ways", async () => {
  const sizes = [1, 1000, 65507];
  const payloads = sizes.map((n, i) => randomBytes(n, i + 1));
  // Peer → socktool → stdout: every datagram written out whole, in order.
  const listener = spawnSocktool(["-ulv", "-w", "1", "127.0.0.1", "0"]);
  const port = await listener.listeningPort();
  const peer = udpSocket();
  try {
    const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
    for (const p of payloads) await peer.send(p, to);
    await listener.closeStdin();
    const l = await listener.finish();
    assert.equal(l.code, 0, l.stderr);
    const expected = new Uint8Array(sizes.reduce((a, b) => a + b));
    let off = 0;
    for (const p of payloads) {
      expected.set(p, off);
      off += p.length;
    }
    assert.deepEqual(l.stdout, expected);
  } finally {
    peer.close();
  }
  // stdin → socktool → peer: each write to stdin goes out as one datagram.
  const server = udpSocket();
  try {
    const client = spawnSocktool(["-u", "-q", "0", "127.0.0.1", String(server.port)]);
    for (const p of payloads) {
      await client.write(p);
      const [got] = await receive(server);
      assert.equal(got.length, p.length);
      assert.deepEqual(got, p);
    }
    await client.closeStdin();
    const c = await client.finish();
    assert.equal(c.code, 0, c.stderr);
  } finally {
    server.close();
  }
});

Deno.test("stdin data larger than a datagram is split into datagrams of at most 65507 bytes", async () => {
  const server = udpSocket();
  const big = randomBytes(200_000, 9);
  try {
    const file = await Deno.makeTempFile({ prefix: "socktool-udp-" });
    await Deno.writeFile(file, big);
    // From a file, stdin reads come in chunks larger than a datagram.
    const client = new Deno.Command("sh", {
      args: [
        "-c",
        `exec "$@" < "${file}"`,
        "sh",
        ...socktoolCommand(),
        "-uv",
        "-q",
        "0",
        "127.0.0.1",
        String(server.port),
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const got: Uint8Array[] = [];
    let total = 0;
    while (total < big.length) {
      const [d] = await receive(server);
      got.push(d);
      total += d.length;
    }
    const out = await client.output();
    await Deno.remove(file);
    assert.equal(out.code, 0, dec(out.stderr));
    assert.ok(got.every((d) => d.length <= 65507), got.map((d) => d.length).join(","));
    assert.deepEqual(new Uint8Array(got.flatMap((d) => [...d])), big);
    assert.match(dec(out.stderr), /sent as datagrams of at most 65507 bytes/);
  } finally {
    server.close();
  }
});

Deno.test("interop: socktool -ul with an nc -u client, both directions", async () => {
  const listener = spawnSocktool(["-ulv", "-w", "2", "127.0.0.1", "0"]);
  const port = await listener.listeningPort();
  const nc = spawn("nc", ["-u", "-w", "2", "127.0.0.1", String(port)]);
  await nc.write("from nc\n");
  await listener.waitForStderr(/datagram from/);
  await listener.write("from socktool\n");
  await listener.closeStdin();
  const [l, n] = await Promise.all([listener.finish(), nc.finish()]);
  assert.equal(dec(l.stdout), "from nc\n");
  assert.equal(dec(n.stdout), "from socktool\n");
  assert.equal(l.code, 0, l.stderr);
});

Deno.test("interop: socktool -u client with an nc -ul server, both directions", async () => {
  const port = freeUdpPort();
  const nc = spawn("nc", ["-u", "-l", "127.0.0.1", String(port)]);
  try {
    await waitUdpBound(port);
    // nc answers the first sender; what it reads from stdin goes back to us.
    await nc.write("hello socktool\n");
    const client = spawnSocktool(["-u", "-w", "1", "127.0.0.1", String(port)]);
    await client.write("hello nc\n");
    await client.closeStdin();
    const c = await client.finish();
    assert.equal(c.code, 0, c.stderr);
    assert.equal(dec(c.stdout), "hello socktool\n");
  } finally {
    nc.kill();
    const n = await nc.finish();
    assert.equal(dec(n.stdout), "hello nc\n");
  }
});

Deno.test("interop: socat UDP echo server and socktool -u; socat UDP client and socktool -ul", async () => {
  const port = freeUdpPort();
  const socat = spawn("socat", [`UDP-RECVFROM:${port},bind=127.0.0.1,fork`, "EXEC:cat"], {
    stdin: "null",
  });
  try {
    await waitUdpBound(port);
    const client = spawnSocktool(["-u", "-w", "1", "127.0.0.1", String(port)]);
    await client.write("via socat\n");
    await client.closeStdin();
    const c = await client.finish();
    assert.equal(c.code, 0, c.stderr);
    const echoed = dec(c.stdout);
    assert.equal(echoed, "via socat\n");
  } finally {
    socat.kill();
    await socat.finish();
  }
  const listener = spawnSocktool(["-ulv", "-w", "1", "127.0.0.1", "0"]);
  const lport = await listener.listeningPort();
  await listener.write("back to socat\n");
  const client = spawn("socat", ["-t", "2", "-", `UDP:127.0.0.1:${lport}`]);
  await client.write("socat says hi\n");
  await client.closeStdin();
  await listener.closeStdin();
  const [l, s] = await Promise.all([listener.finish(), client.finish()]);
  assert.equal(dec(l.stdout), "socat says hi\n");
  assert.equal(dec(s.stdout), "back to socat\n");
});

Deno.test("-u -p PORT -s ADDR sends from that source address and port", async () => {
  const server = udpSocket();
  const sourcePort = freeUdpPort();
  try {
    const client = spawnSocktool([
      "-u",
      "-q",
      "0",
      "-s",
      "127.0.0.2",
      "-p",
      String(sourcePort),
      "127.0.0.1",
      String(server.port),
    ]);
    await client.write("x");
    const [, from] = await receive(server);
    assert.equal(from.hostname, "127.0.0.2");
    assert.equal(from.port, sourcePort);
    await client.closeStdin();
    assert.equal((await client.finish()).code, 0);
  } finally {
    server.close();
  }
});

Deno.test("-u over IPv6: socktool -u ::1 PORT and -6 -ul", async () => {
  const server = udpSocket("::1");
  try {
    const echoing = echo(server, 1);
    const client = spawnSocktool(["-u", "-w", "1", "::1", String(server.port)]);
    await client.write("v6 ping");
    await client.closeStdin();
    const c = await client.finish();
    await echoing;
    assert.equal(c.code, 0, c.stderr);
    assert.equal(dec(c.stdout), "v6 ping");
  } finally {
    server.close();
  }
  const listener = spawnSocktool(["-6", "-ulv", "-w", "1", "0"]);
  const port = await listener.listeningPort();
  assert.match(listener.stderrText(), /listening on \[::\]:/);
  const peer = udpSocket("::1");
  try {
    await peer.send(enc("over v6\n"), { transport: "udp", hostname: "::1", port });
    await listener.closeStdin();
    const l = await listener.finish();
    assert.equal(l.code, 0, l.stderr);
    assert.equal(dec(l.stdout), "over v6\n");
  } finally {
    peer.close();
  }
});

/** Resolves once some process has bound UDP `port` on 127.0.0.1 (binding it fails). */
async function waitUdpBound(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port }).close();
    } catch (err) {
      if (err instanceof Deno.errors.AddrInUse) return;
      throw err;
    }
    if (Date.now() > deadline) throw new Error(`nothing bound UDP port ${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("SIGINT while -ul waits for its first datagram exits 130 with no message", async () => {
  const listener = spawnSocktool(["-ulv", "127.0.0.1", "0"], { stdin: "null" });
  const port = await listener.listeningPort();
  listener.kill("SIGINT");
  const l = await listener.finish();
  assert.equal(l.code, 130);
  assert.match(l.stderr, new RegExp(`^socktool: listening on 127\\.0\\.0\\.1:${port}\n`));
  assert.match(l.stderr, /received 0 bytes/);
  assert.doesNotMatch(l.stderr, /error|at /i);
});
