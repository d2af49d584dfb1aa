/**
 * End-to-end tests of Unix domain sockets (issue 3): stream (`-U`) and
 * datagram (`-uU`), against socat and `nc -U`, and the life of the socket
 * file: replaced when stale, refused when in use, removed on every exit.
 */
import assert from "node:assert/strict";
import { spawn, spawnSocktool } from "./_test_utils/harness.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs `fn` with a fresh directory, removed afterwards. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "socktool-unix-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

/** Resolves once `path` exists, or rejects at the deadline. */
async function waitForFile(path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await exists(path))) {
    if (Date.now() > deadline) throw new Error(`${path} never appeared`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Files left in `dir`. */
async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("-lU with a socat UNIX-CONNECT client: both directions; the socket file is removed", () =>
  inTempDir(async (dir) => {
    const path = `${dir}/s.sock`;
    const listener = spawnSocktool(["-lvU", path]);
    await listener.waitForStderr(/listening on /);
    const client = spawn("socat", ["-t", "5", "-", `UNIX-CONNECT:${path}`]);
    await listener.waitForStderr(/connection from/);
    await client.write("from socat\n");
    await listener.write("from socktool\n");
    await client.closeStdin();
    await listener.closeStdin();
    const [l, c] = await Promise.all([listener.finish(), client.finish()]);
    assert.equal(l.code, 0, l.stderr);
    assert.equal(dec(l.stdout), "from socat\n");
    assert.equal(dec(c.stdout), "from socktool\n");
    assert.deepEqual(await listDir(dir), []);
  }));

Deno.test("-U to a socat UNIX-LISTEN server: half-close delivers the whole reply", () =>
  inTempDir(async (dir) => {
    const path = `${dir}/echo.sock`;
    const server = spawn("socat", [`UNIX-LISTEN:${path}`, "EXEC:tr a-z A-Z"], { stdin: "null" });
    try {
      await waitForFile(path);
      const client = spawnSocktool(["-U", path]);
      await client.write("shout this\n");
      await client.closeStdin();
      const c = await client.finish();
      assert.equal(c.code, 0, c.stderr);
      assert.equal(dec(c.stdout), "SHOUT THIS\n");
    } finally {
      server.kill();
      await server.finish();
    }
  }));

Deno.test("interop with nc -U: nc client to socktool -lU, socktool -U to nc -lU", () =>
  inTempDir(async (dir) => {
    const a = `${dir}/a.sock`;
    const listener = spawnSocktool(["-lvU", a]);
    await listener.waitForStderr(/listening on /);
    const nc = spawn("nc", ["-N", "-U", a]);
    await nc.write("nc to socktool\n");
    await nc.closeStdin();
    await listener.waitForStderr(/connection from/);
    await listener.write("socktool to nc\n");
    await listener.closeStdin();
    const [l, n] = await Promise.all([listener.finish(), nc.finish()]);
    assert.equal(dec(l.stdout), "nc to socktool\n");
    assert.equal(dec(n.stdout), "socktool to nc\n");

    const b = `${dir}/b.sock`;
    const server = spawn("nc", ["-lU", b]);
    try {
      await waitForFile(b);
      await server.write("nc server says hi\n");
      const client = spawnSocktool(["-U", b]);
      await client.write("socktool client\n");
      await client.closeStdin();
      // nc -lU ends its side only when its own stdin ends.
      await server.closeStdin();
      const c = await client.finish();
      assert.equal(c.code, 0, c.stderr);
      assert.equal(dec(c.stdout), "nc server says hi\n");
    } finally {
      server.kill();
      const s = await server.finish();
      assert.equal(dec(s.stdout), "socktool client\n");
    }
  }));

Deno.test("a stale socket file (its listener killed) is replaced by -lU", () =>
  inTempDir(async (dir) => {
    const path = `${dir}/stale.sock`;
    const dead = spawn("socat", [`UNIX-LISTEN:${path}`, "STDOUT"], { stdin: "null" });
    await waitForFile(path);
    dead.kill("SIGKILL"); // no chance to clean up: the file stays
    await dead.finish();
    assert.ok(await exists(path));
    const listener = spawnSocktool(["-lvU", path]);
    await listener.waitForStderr(/listening on /);
    const client = spawnSocktool(["-U", path]);
    await client.write("after the stale file\n");
    await client.closeStdin();
    await listener.closeStdin();
    const [l, c] = await Promise.all([listener.finish(), client.finish()]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(dec(l.stdout), "after the stale file\n");
    assert.deepEqual(await listDir(dir), []);
  }));

Deno.test("a path another listener holds: one line, exit 1, and that listener is undisturbed", () =>
  inTempDir(async (dir) => {
    const path = `${dir}/busy.sock`;
    const owner = spawn("socat", [`UNIX-LISTEN:${path},fork`, "EXEC:cat"], { stdin: "null" });
    try {
      await waitForFile(path);
      for (const args of [["-lU", path], ["-luU", path]]) {
        const r = await spawnSocktool(args, { stdin: "null" }).finish();
        assert.equal(r.code, 1);
        assert.equal(
          r.stderr,
          `socktool: listen ${path}: address already in use (another process listens there)\n`,
        );
      }
      const client = spawnSocktool(["-U", path]);
      await client.write("still served\n");
      await client.closeStdin();
      const c = await client.finish();
      assert.equal(dec(c.stdout), "still served\n");
      assert.ok(await exists(path));
    } finally {
      owner.kill();
      await owner.finish();
    }
  }));

Deno.test("-lU beside a live one-shot nc -lU: refused without connecting, nc still waits for its client", () =>
  inTempDir(async (dir) => {
    const path = `${dir}/nc.sock`;
    // nc -lU serves one client and ends: a probe connect would be that client.
    const nc = spawn("nc", ["-lU", path]);
    try {
      await waitForFile(path);
      const r = await spawnSocktool(["-lU", path], { stdin: "null" }).finish();
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        `socktool: listen ${path}: address already in use (another process listens there)\n`,
      );
      const client = spawnSocktool(["-U", path]);
      await client.write("the real client\n");
      await client.closeStdin();
      await nc.write("nc answers\n");
      await nc.closeStdin();
      const c = await client.finish();
      assert.equal(c.code, 0, c.stderr);
      assert.equal(dec(c.stdout), "nc answers\n");
    } finally {
      nc.kill();
      const n = await nc.finish();
      assert.equal(dec(n.stdout), "the real client\n");
    }
  }));

for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`${sig} removes the socket file: -lU while waiting, -luU mid-session`, () =>
    inTempDir(async (dir) => {
      const stream = `${dir}/stream.sock`;
      const listener = spawnSocktool(["-lvU", stream]);
      await listener.waitForStderr(/listening on /);
      listener.kill(sig);
      const l = await listener.finish();
      assert.equal(l.code, code, l.stderr);
      assert.equal(l.stderr, `socktool: listening on ${stream}\n`);

      const dgram = `${dir}/dgram.sock`;
      const dl = spawnSocktool(["-luvU", dgram]);
      await dl.waitForStderr(/listening on /);
      const peer = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/peer.sock` });
      try {
        await peer.send(enc("hi\n"), { transport: "unixpacket", path: dgram });
        await dl.waitForStderr(/datagram from/);
        dl.kill(sig);
        const d = await dl.finish();
        assert.equal(d.code, code, d.stderr);
        assert.equal(dec(d.stdout), "hi\n");
      } finally {
        peer.close();
      }
      await Deno.remove(`${dir}/peer.sock`);
      assert.deepEqual(await listDir(dir), []);
    }));
}

Deno.test("-uU: socktool -luU and socktool -uU exchange datagrams both ways", () =>
  inTempDir(async (dir) => {
    const path = `${dir}/d.sock`;
    const listener = spawnSocktool(["-luvU", "-w", "1", path]);
    await listener.waitForStderr(/listening on /);
    const client = spawnSocktool(["-uvU", "-w", "1", path]);
    await client.write("one\n");
    await listener.waitForStderr(/datagram from /);
    await listener.write("two\n");
    await listener.closeStdin();
    await client.closeStdin();
    const [l, c] = await Promise.all([listener.finish(), client.finish()]);
    assert.equal(l.code, 0, l.stderr);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(dec(l.stdout), "one\n");
    assert.equal(dec(c.stdout), "two\n");
    assert.deepEqual(await listDir(dir), [], "both socket files are removed");
    // The client's own socket was in $TMPDIR or /tmp; it is gone too.
    const own = /sending datagrams to .* from (\S+)/.exec(c.stderr)?.[1];
    assert.ok(own && !(await exists(own)), c.stderr);
  }));

Deno.test("-uU interop: nc -uU client to socktool -luU; socktool -uU to a socat echo", () =>
  inTempDir(async (dir) => {
    const path = `${dir}/nc.sock`;
    const listener = spawnSocktool(["-luvU", "-w", "1", path]);
    await listener.waitForStderr(/listening on /);
    const nc = spawn("nc", ["-uU", "-w", "2", path]);
    await nc.write("from nc\n");
    await listener.waitForStderr(/datagram from /);
    // nc connect()s its socket to ours: the reply must come from the same socket.
    await listener.write("reply to nc\n");
    await listener.closeStdin();
    const [l, n] = await Promise.all([listener.finish(), nc.finish()]);
    assert.equal(dec(l.stdout), "from nc\n");
    assert.equal(dec(n.stdout), "reply to nc\n");

    const echoPath = `${dir}/echo.sock`;
    const echo = spawn("socat", [`UNIX-RECVFROM:${echoPath},fork`, "EXEC:cat"], {
      stdin: "null",
    });
    try {
      await waitForFile(echoPath);
      const client = spawnSocktool(["-uU", "-w", "1", "-s", `${dir}/mine.sock`, echoPath]);
      await client.write("echo me\n");
      await client.closeStdin();
      const c = await client.finish();
      assert.equal(c.code, 0, c.stderr);
      assert.equal(dec(c.stdout), "echo me\n");
      assert.ok(!(await exists(`${dir}/mine.sock`)), "-s names the client's socket, removed");
    } finally {
      echo.kill();
      await echo.finish();
    }
  }));

Deno.test("-U connect failures name the path: missing file, datagram socket", () =>
  inTempDir(async (dir) => {
    const missing = await spawnSocktool(["-U", `${dir}/none.sock`], { stdin: "null" }).finish();
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      `socktool: connect ${dir}/none.sock: no such file or directory\n`,
    );
    const dgramMissing = await spawnSocktool(["-uU", `${dir}/none.sock`], { stdin: "null" })
      .finish();
    assert.equal(dgramMissing.code, 1);
    assert.match(dgramMissing.stderr, /^socktool: connect .*none\.sock: no such file/);
    const sock = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/d.sock` });
    try {
      const wrong = await spawnSocktool(["-U", `${dir}/d.sock`], { stdin: "null" }).finish();
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /a datagram socket, not a stream socket \(add -u\)/);
    } finally {
      sock.close();
    }
  }));

for (
  const [args, message] of [
    [["-lU", "-p", "4000", "/tmp/x.sock"], "option -U takes a socket PATH, not a port"],
    [["-U", "-p", "4000", "/tmp/x.sock"], "option -p gives a port, but -U uses a socket PATH"],
    [["-uU"], "missing socket path: socktool -U PATH"],
    [["-luU"], "missing socket path: socktool -lU PATH"],
    [["-U", "localhost", "80"], "option -U takes a socket PATH, not a HOST and PORT"],
    [
      ["-U", "-s", "127.0.0.1", "/tmp/x.sock"],
      "option -s gives an address, but -U connects to a socket PATH",
    ],
  ] as const
) {
  Deno.test(`bad input: socktool ${args.join(" ")} exits 2 with one line`, async () => {
    const r = await spawnSocktool([...args], { stdin: "null" }).finish();
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `socktool: ${message} (see 'socktool --help')\n`);
    assert.equal(r.stdout.length, 0);
  });
}
