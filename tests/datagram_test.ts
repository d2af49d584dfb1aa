/**
 * End-to-end tests of datagram hardening (issue 11): Unix datagram peers
 * known by file, not by spelling; `-ulk` peers that expire; undeliverable
 * datagrams that end the session with a line; hostile datagram peers.
 */
import assert from "node:assert/strict";
import { spawn, spawnSocktool } from "./_test_utils/harness.ts";
import { exists, inTempDir, waitForFile } from "./_test_utils/files.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function udpSocket(): Deno.DatagramConn & { port: number } {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  return Object.assign(sock, { port: (sock.addr as Deno.NetAddr).port });
}

/** The next datagram's text, or `null` if none comes within `ms`. */
async function receiveWithin(sock: Deno.DatagramConn, ms: number): Promise<string | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const receiving = sock.receive(new Uint8Array(65536)).then(([d]) => dec(d));
  try {
    return await Promise.race([
      receiving,
      new Promise<null>((r) => timer = setTimeout(r, ms, null)),
    ]);
  } finally {
    clearTimeout(timer);
    receiving.catch(() => {}); // rejects when the socket closes
  }
}

// --- Unix datagram paths are compared as files -----------------------------

Deno.test("-uU with relative paths: socktool -luU srv.sock and -uU srv.sock talk both ways", () =>
  inTempDir(async (dir) => {
    const listener = spawnSocktool(["-luvU", "-w", "2", "srv.sock"], { cwd: dir });
    await listener.waitForStderr(/listening on /);
    const client = spawnSocktool(["-uvvU", "-w", "2", "srv.sock"], { cwd: dir });
    await client.write("from client\n");
    await listener.waitForStderr(/datagram from /);
    await listener.write("from listener\n");
    await listener.closeStdin();
    await client.closeStdin();
    const [l, c] = await Promise.all([listener.finish(), client.finish()]);
    assert.equal(dec(l.stdout), "from client\n");
    assert.equal(dec(c.stdout), "from listener\n", c.stderr);
    assert.doesNotMatch(c.stderr, /ignored a datagram/);
    assert.equal(c.code, 0, c.stderr);
  }));

Deno.test("-uU srv.sock (relative) gets the replies of nc -luU bound at the absolute path", () =>
  inTempDir(async (dir) => {
    const nc = spawn("nc", ["-luU", `${dir}/srv.sock`]);
    try {
      await waitForFile(`${dir}/srv.sock`);
      const client = spawnSocktool(["-uvvU", "-w", "2", "srv.sock"], { cwd: dir });
      await client.write("to nc\n");
      // nc reads the datagram, then answers the client's socket from srv.sock.
      await nc.write("from nc\n");
      await client.closeStdin();
      const c = await client.finish();
      assert.equal(dec(c.stdout), "from nc\n", c.stderr);
      assert.equal(c.code, 0, c.stderr);
    } finally {
      nc.kill();
      await nc.finish();
    }
  }));

Deno.test("-uU -s me.sock binds me.sock in the working directory; a relative nc -uU reaches -luU", () =>
  inTempDir(async (dir) => {
    const listener = spawnSocktool(["-luvU", "-w", "1", "srv.sock"], { cwd: dir });
    await listener.waitForStderr(/listening on /);
    const client = spawnSocktool(["-uvU", "-w", "1", "-s", "me.sock", "srv.sock"], { cwd: dir });
    await client.write("one\n");
    const [, from] = await listener.waitForStderr(/datagram from (\S+)/);
    assert.equal(from, `${await Deno.realPath(dir)}/me.sock`);
    assert.ok(await exists(`${dir}/me.sock`));
    await listener.write("two\n");
    await listener.closeStdin();
    await client.closeStdin();
    const [l, c] = await Promise.all([listener.finish(), client.finish()]);
    assert.equal(dec(c.stdout), "two\n", c.stderr);
    assert.equal(dec(l.stdout), "one\n");
    assert.ok(!(await exists(`${dir}/me.sock`)), "the -s socket file is removed");

    // The other way: nc as the client, by a relative path, in the same directory.
    const again = spawnSocktool(["-luvU", "-w", "1", "srv.sock"], { cwd: dir });
    await again.waitForStderr(/listening on /);
    const nc = spawn("nc", ["-uU", "-w", "1", "srv.sock"], { cwd: dir });
    await nc.write("from nc\n");
    await again.waitForStderr(/datagram from /);
    await again.write("to nc\n");
    await again.closeStdin();
    const [a, n] = await Promise.all([again.finish(), nc.finish()]);
    assert.equal(dec(a.stdout), "from nc\n");
    assert.equal(dec(n.stdout), "to nc\n");
  }));

// --- -ulk peers expire ------------------------------------------------------

Deno.test("-ulk -w 1: a peer quiet for 1 s no longer gets stdin; one that keeps sending does", async () => {
  const listener = spawnSocktool(["-ulkv", "-w", "1", "127.0.0.1", "0"]);
  const port = await listener.listeningPort();
  const quiet = udpSocket();
  const active = udpSocket();
  const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
  let keeping: ReturnType<typeof setInterval> | undefined;
  try {
    await quiet.send(enc("Q\n"), to);
    await listener.waitForStderr(new RegExp(`datagram from 127\\.0\\.0\\.1:${quiet.port}`));
    await active.send(enc("A\n"), to);
    await listener.waitForStderr(new RegExp(`datagram from 127\\.0\\.0\\.1:${active.port}`));
    await listener.write("before\n");
    assert.equal(await receiveWithin(quiet, 5000), "before\n");
    assert.equal(await receiveWithin(active, 5000), "before\n");
    // The active peer speaks every 200 ms; the quiet one says nothing more.
    keeping = setInterval(() => active.send(enc("."), to).catch(() => {}), 200);
    const quietSince = performance.now();
    while (performance.now() - quietSince < 1300) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await listener.write("after\n");
    assert.equal(await receiveWithin(active, 5000), "after\n");
    await listener.waitForStderr(
      new RegExp(`127\\.0\\.0\\.1:${quiet.port}: quiet too long, no longer sent stdin`),
    );
    assert.equal(await receiveWithin(quiet, 300), null, "the quiet peer is forgotten");
    // A forgotten peer that speaks again is a peer again.
    await quiet.send(enc("back\n"), to);
    await listener.waitForStderr(
      new RegExp(
        `datagram from 127\\.0\\.0\\.1:${quiet.port}[^]*datagram from 127\\.0\\.0\\.1:${quiet.port}`,
      ),
    );
    await listener.write("again\n");
    assert.equal(await receiveWithin(quiet, 5000), "again\n");
  } finally {
    clearInterval(keeping);
    listener.kill("SIGTERM");
    await listener.finish();
    quiet.close();
    active.close();
  }
});

Deno.test("-ulk keeps at most 1024 peers: past that, the one heard from longest ago is dropped", async () => {
  const listener = spawnSocktool(["-ulkv", "127.0.0.1", "0"]);
  const port = await listener.listeningPort();
  const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
  const peers = Array.from({ length: 1030 }, () => udpSocket());
  try {
    for (const p of peers) {
      await p.send(enc("."), to);
      // One at a time, so that the listener hears them in this order.
      await listener.waitForStderr(new RegExp(`datagram from 127\\.0\\.0\\.1:${p.port}\\n`));
    }
    await listener.write("to the table\n");
    const newest = peers.slice(-1024);
    const got = await Promise.all(newest.map((p) => receiveWithin(p, 5000)));
    assert.ok(got.every((g) => g === "to the table\n"));
    for (const p of peers.slice(0, 6)) assert.equal(await receiveWithin(p, 200), null);
  } finally {
    listener.kill("SIGTERM");
    await listener.finish();
    for (const p of peers) p.close();
  }
});

// --- An undeliverable datagram ends the session: exit 1 and a line ---------

Deno.test("-uU client: its -luU server killed, more stdin ends it with exit 1 and a line", () =>
  inTempDir(async (dir) => {
    const path = `${dir}/srv.sock`;
    const server = spawnSocktool(["-luvU", path]);
    await server.waitForStderr(/listening on /);
    const client = spawnSocktool(["-uU", path]);
    await client.write("one\n");
    await server.waitForStderr(/datagram from /);
    server.kill("SIGTERM");
    assert.equal((await server.finish()).code, 143);
    await client.write("two\n");
    const c = await client.finish(10_000);
    assert.equal(c.code, 1, c.stderr);
    assert.equal(c.stderr, `socktool: send to ${path}: no such file or directory\n`);
  }));

Deno.test("-uU client: nc -luU killed (its socket file left), more stdin: exit 1, connection refused", () =>
  inTempDir(async (dir) => {
    const path = `${dir}/nc.sock`;
    const nc = spawn("nc", ["-luU", path]);
    await waitForFile(path);
    const client = spawnSocktool(["-uvU", path]);
    await client.waitForStderr(/sending datagrams to /);
    await client.write("one\n");
    nc.kill("SIGTERM");
    await nc.finish();
    assert.ok(await exists(path), "nc leaves its socket file");
    await client.write("two\n");
    const c = await client.finish(10_000);
    assert.equal(c.code, 1, c.stderr);
    assert.match(c.stderr, new RegExp(`\nsocktool: send to ${path}: connection refused\n$`));
  }));

Deno.test("-luU: the first peer gone (its socket removed), stdin to it: exit 1 naming the peer", () =>
  inTempDir(async (dir) => {
    const path = `${dir}/srv.sock`;
    const server = spawnSocktool(["-luvU", path]);
    await server.waitForStderr(/listening on /);
    const client = spawnSocktool(["-uU", "-s", `${dir}/cli.sock`, path]);
    await client.write("hello\n");
    await server.waitForStderr(/datagram from /);
    client.kill("SIGTERM");
    await client.finish();
    assert.ok(!(await exists(`${dir}/cli.sock`)));
    await server.write("anyone?\n");
    const s = await server.finish(10_000);
    assert.equal(s.code, 1, s.stderr);
    assert.match(
      s.stderr,
      new RegExp(`socktool: send to ${dir}/cli\\.sock: no such file or directory\\n$`),
    );
    assert.equal(dec(s.stdout), "hello\n");
    assert.ok(!(await exists(path)));
  }));

// --- Hostile datagram peers -------------------------------------------------

Deno.test("-luU: a 1 MiB Unix datagram, an empty one and a small one arrive whole, in order", () =>
  inTempDir(async (dir) => {
    const path = `${dir}/big.sock`;
    const server = spawnSocktool(["-luvU", "-w", "1", path]);
    await server.waitForStderr(/listening on /);
    const big = new Uint8Array(1 << 20).map((_, i) => i % 251);
    await Deno.writeFile(`${dir}/big.bin`, big);
    // socat with a block and a send buffer large enough sends the file as one datagram.
    const socat = spawn("socat", [
      "-b",
      "2000000",
      "-u",
      `OPEN:${dir}/big.bin`,
      `UNIX-SENDTO:${path},so-sndbuf=4000000,bind=${dir}/socat.sock`,
    ], { stdin: "null" });
    assert.equal((await socat.finish()).code, 0);
    // The rest from the same peer (the same path: -luU answers its first peer only).
    await Deno.remove(`${dir}/socat.sock`).catch(() => {});
    const me = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/socat.sock` });
    try {
      await me.send(new Uint8Array(0), { transport: "unixpacket", path });
      await me.send(enc("end"), { transport: "unixpacket", path });
    } finally {
      me.close();
    }
    await server.closeStdin();
    const s = await server.finish();
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.stdout.length, big.length + 3);
    assert.deepEqual(s.stdout.subarray(0, big.length), big);
    assert.equal(dec(s.stdout.subarray(big.length)), "end");
  }));

Deno.test("-luU: stdin for a peer with no socket path is dropped with a warning, not in silence", () =>
  inTempDir(async (dir) => {
    const path = `${dir}/srv.sock`;
    const server = spawnSocktool(["-luU", "-w", "1", path]);
    await waitForFile(path);
    // socat's UNIX-SENDTO sends from an unbound (nameless) socket.
    const socat = spawn("socat", ["-u", "-", `UNIX-SENDTO:${path}`]);
    await socat.write("hi\n");
    await socat.closeStdin();
    await socat.finish();
    await server.write("nowhere to go\n");
    await server.closeStdin();
    const s = await server.finish();
    assert.equal(dec(s.stdout), "hi\n");
    assert.equal(
      s.stderr,
      "socktool: the peer's socket has no path: stdin cannot reach it and is dropped\n",
    );
  }));

// --- -zu exit status ----------------------------------------------------------

/** A UDP port on loopback nothing listens on. */
function closedUdpPort(): number {
  const s = udpSocket();
  s.close();
  return s.port;
}

Deno.test("-zu on a closed loopback port: closed (port unreachable), exit 1", async () => {
  const port = closedUdpPort();
  const quiet = await spawnSocktool(["-zu", "127.0.0.1", String(port)], { stdin: "null" })
    .finish();
  assert.equal(quiet.code, 1, quiet.stderr);
  assert.equal(dec(quiet.stdout), "");
  assert.equal(quiet.stderr, "socktool: probe 127.0.0.1: no port open (1 probed)\n");
  const verbose = await spawnSocktool(["-zuv", "127.0.0.1", String(port)], { stdin: "null" })
    .finish();
  assert.equal(verbose.code, 1);
  assert.equal(dec(verbose.stdout), `127.0.0.1 ${port}/udp closed (port unreachable)\n`);
});

Deno.test("-zu: a socktool --serve echo port is open, an nc -ulk port open|filtered, exit 0", async () => {
  const echo = spawnSocktool(["-ulkv", "--serve", "echo", "127.0.0.1", "0"]);
  const echoPort = await echo.listeningPort();
  const silentPort = closedUdpPort();
  // -k: nc's socket stays unconnected and so hears every prober.
  const nc = spawn("nc", ["-ulk", "127.0.0.1", String(silentPort)]);
  const closed = closedUdpPort();
  try {
    // nc says nothing when it is ready: wait until the port stops refusing.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await spawnSocktool(["-zu", "-w", "0.3", "127.0.0.1", String(silentPort)], {
        stdin: "null",
      }).finish();
      if (r.code === 0) break;
      if (Date.now() > deadline) throw new Error("nc -ul never listened");
    }
    const ports = [echoPort, silentPort, closed].sort((a, b) => a - b);
    const r = await spawnSocktool(["-zuv", "-w", "0.5", "127.0.0.1", ...ports.map(String)], {
      stdin: "null",
    }).finish();
    assert.equal(r.code, 0, r.stderr);
    const byPort = new Map(
      dec(r.stdout).trimEnd().split("\n").map((l) => [Number(/ (\d+)\//.exec(l)![1]), l]),
    );
    assert.equal(byPort.get(echoPort), `127.0.0.1 ${echoPort}/udp open`);
    assert.equal(byPort.get(silentPort), `127.0.0.1 ${silentPort}/udp open|filtered (no reply)`);
    assert.equal(byPort.get(closed), `127.0.0.1 ${closed}/udp closed (port unreachable)`);
  } finally {
    echo.kill();
    nc.kill();
    await Promise.all([echo.finish(), nc.finish()]);
  }
});
