/**
 * End-to-end tests of `-l --proxy-server socks5|http` (and ncat's spelling
 * `-l --proxy-type http`): real clients (curl, ncat, socktool's own
 * `--proxy` client) through a socktool proxy to real servers on loopback (a
 * Python HTTP server, targets in this file), half-close kept end to end,
 * credentials, `-m` and `--allow`/`--deny`, and each protocol's answer for a
 * target that cannot be reached.
 */

import assert from "node:assert/strict";
import {
  freePort,
  randomBytes,
  readConnToEnd,
  type Running,
  sha256,
  spawn,
  spawnSocktool,
  waitForPort,
  writeConnAll,
} from "./_test_utils/harness.ts";
import {
  closeQuietly,
  connect,
  dec,
  enc,
  readToEndWithin,
  readUntil,
  within,
} from "./_test_utils/client.ts";
import { readExact } from "../lib/io/read_exact.ts";

/** A socktool proxy server on 127.0.0.1; resolves once it listens. */
async function startProxy(args: string[]): Promise<{ proc: Running; port: number }> {
  const proc = spawnSocktool(["-lv", ...args, "127.0.0.1", "0"], { stdin: "null" });
  return { proc, port: await proc.listeningPort() };
}

async function stop(proc: Running): Promise<string> {
  proc.kill();
  return (await proc.finish()).stderr;
}

/**
 * A target that reads each client's request to its end (only a half-close
 * ends it) and only then answers `reply to REQUEST`: what ssh, an HTTP/1.0
 * client or `printf ... | nc` need of a tunnel.
 */
function halfCloseTarget(): { port: number; stop(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const sessions: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      sessions.push((async () => {
        try {
          const request = await readConnToEnd(conn);
          await writeConnAll(conn, enc(`reply to ${dec(request)}`));
        } catch {
          // A client that fails its test may go at any point.
        } finally {
          closeQuietly(conn);
        }
      })());
    }
  })();
  return {
    port: listener.addr.port,
    async stop() {
      listener.close();
      await accepting.catch(() => {});
      await Promise.all(sessions);
    },
  };
}

/** Python's HTTP server on loopback, serving `dir`. */
async function startHttpServer(dir: string): Promise<{ port: number; proc: Running }> {
  const port = freePort();
  const proc = spawn("python3", ["-m", "http.server", "-b", "127.0.0.1", "-d", dir, String(port)], {
    stdin: "null",
  });
  await waitForPort(port);
  return { port, proc };
}

/** A loopback port whose accept queue is full: a connect to it hangs until its timeout. */
async function startBlackhole(): Promise<{ port: number; proc: Running }> {
  const script = `
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
port = s.getsockname()[1]
fill = []
for i in range(8):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.1", port))
    except BlockingIOError: pass
    fill.append(c)
print(port, file=sys.stderr, flush=True)
sys.stdin.read()
`;
  const proc = spawn("python3", ["-c", script]);
  const m = await proc.waitForStderr(/^(\d+)$/m);
  return { port: Number(m[1]), proc };
}

/** A SOCKS5 client by hand: the method byte chosen and the 10-byte reply to CONNECT. */
async function socks5Connect(
  proxyPort: number,
  target: number[],
): Promise<{ conn: Deno.Conn; reply: number[] }> {
  const conn = await connect(proxyPort);
  await writeConnAll(conn, new Uint8Array([5, 1, 0]));
  assert.deepEqual([...await readExact(conn, 2)], [5, 0]);
  await writeConnAll(conn, new Uint8Array([5, 1, 0, ...target]));
  const reply = [...await readExact(conn, 4)];
  const rest = reply[3] === 4 ? 18 : 6;
  return { conn, reply: [...reply, ...await readExact(conn, rest)] };
}

const v4 = (port: number) => [1, 127, 0, 0, 1, port >> 8, port & 0xff];

Deno.test("socks5 proxy server: curl --socks5-hostname and --socks5 fetch a file byte-exact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "socktool-proxy-" });
  const body = randomBytes(2_000_000, 7);
  await Deno.writeFile(`${dir}/blob`, body);
  const web = await startHttpServer(dir);
  const proxy = await startProxy(["--proxy-server", "socks5"]);
  try {
    for (const [flag, host] of [["--socks5-hostname", "localhost"], ["--socks5", "127.0.0.1"]]) {
      const curl = spawn("curl", [
        "-sS",
        "--max-time",
        "10",
        flag,
        `127.0.0.1:${proxy.port}`,
        `http://${host}:${web.port}/blob`,
      ], { stdin: "null" });
      const r = await curl.finish();
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await sha256(r.stdout), await sha256(body), flag);
    }
    await proxy.proc.waitForStderr(/\(socks5 proxy to localhost:\d+\): sent 2000\d{3} bytes/);
  } finally {
    await stop(proxy.proc);
    await stop(web.proc);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("http proxy server: curl -p -x tunnels through CONNECT, with Basic credentials required", async () => {
  const dir = await Deno.makeTempDir({ prefix: "socktool-proxy-" });
  await Deno.writeTextFile(`${dir}/hello.txt`, "hello through the tunnel\n");
  const web = await startHttpServer(dir);
  const proxy = await startProxy(["--proxy-server", "http", "--proxy-auth", "alice:s3cret"]);
  const curl = async (proxyUrl: string) => {
    const args = ["-sS", "--max-time", "10", "-p", "-x", proxyUrl];
    const r = await spawn("curl", [...args, `http://localhost:${web.port}/hello.txt`], {
      stdin: "null",
    }).finish();
    return { code: r.code, out: dec(r.stdout), err: r.stderr };
  };
  try {
    const good = await curl(`http://alice:s3cret@127.0.0.1:${proxy.port}`);
    assert.equal(good.code, 0, good.err);
    assert.equal(good.out, "hello through the tunnel\n");
    for (
      const bad of [`http://alice:wrong@127.0.0.1:${proxy.port}`, `http://127.0.0.1:${proxy.port}`]
    ) {
      const r = await curl(bad);
      assert.equal(r.code, 56, bad);
      assert.match(r.err, /CONNECT tunnel failed, response 407/);
    }
    await proxy.proc.waitForStderr(/http proxy: authentication refused \(user 'alice', wrong/);
    await proxy.proc.waitForStderr(
      /http proxy: authentication required: the client sent no credentials/,
    );
  } finally {
    await stop(proxy.proc);
    await stop(web.proc);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("proxy servers keep half-close end to end: a client that half-closes still gets the reply", async () => {
  const target = halfCloseTarget();
  try {
    for (const type of ["socks5", "http"]) {
      const proxy = await startProxy(["--proxy-server", type]);
      try {
        // socktool's own client, as ssh's ProxyCommand runs it: stdin ends, the reply still comes.
        const client = spawnSocktool([
          "--proxy",
          `127.0.0.1:${proxy.port}`,
          "--proxy-type",
          type,
          "127.0.0.1",
          String(target.port),
        ]);
        await client.write("SSH-2.0-like request");
        await client.closeStdin();
        const r = await client.finish(10_000);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(dec(r.stdout), "reply to SSH-2.0-like request", type);
        // And by hand, with a large request: the target only answers after the client's EOF.
        const request = "x".repeat(3_000_000);
        let conn: Deno.Conn;
        if (type === "socks5") {
          conn = (await socks5Connect(proxy.port, v4(target.port))).conn;
        } else {
          conn = await connect(proxy.port);
          await writeConnAll(conn, enc(`CONNECT 127.0.0.1:${target.port} HTTP/1.1\r\n\r\n`));
          await readUntil(conn, /\r\n\r\n$/);
        }
        await writeConnAll(conn, enc(request));
        await conn.closeWrite();
        const reply = await readToEndWithin(conn);
        closeQuietly(conn);
        assert.equal(reply.length, "reply to ".length + request.length, type);
      } finally {
        await stop(proxy.proc);
      }
    }
  } finally {
    await target.stop();
  }
});

Deno.test("socks5 proxy server: refused, timed-out and wrong-family targets get their reply codes, and the server goes on", async () => {
  const closed = freePort();
  const hole = await startBlackhole();
  const target = halfCloseTarget();
  const proxy = await startProxy(["-4", "-w", "1", "--proxy-server", "socks5"]);
  try {
    const refused = await socks5Connect(proxy.port, v4(closed));
    assert.deepEqual(refused.reply.slice(0, 2), [5, 5]);
    assert.equal((await readToEndWithin(refused.conn)).length, 0, "closed after the reply");
    closeQuietly(refused.conn);

    const started = performance.now();
    const slow = await socks5Connect(proxy.port, v4(hole.port));
    assert.deepEqual(slow.reply.slice(0, 2), [5, 6], "TTL expired for a timeout");
    assert.ok(performance.now() - started < 5000);
    closeQuietly(slow.conn);

    const v6 = await socks5Connect(proxy.port, [4, ...Array(15).fill(0), 1, 0, 80]);
    assert.deepEqual(v6.reply.slice(0, 2), [5, 3], "network unreachable under -4");
    closeQuietly(v6.conn);

    // The server goes on: the next client reaches its target, with the bound address given.
    const ok = await socks5Connect(proxy.port, v4(target.port));
    assert.deepEqual(ok.reply.slice(0, 5), [5, 0, 0, 1, 127]);
    await writeConnAll(ok.conn, enc("still here"));
    await ok.conn.closeWrite();
    assert.equal(dec(await readToEndWithin(ok.conn)), "reply to still here");
    closeQuietly(ok.conn);
    const log = await stop(proxy.proc);
    assert.match(
      log,
      new RegExp(
        `connect 127\\.0\\.0\\.1:${closed}: connection refused \\(answered SOCKS5 reply 'connection refused by destination host'\\)`,
      ),
    );
    assert.match(log, /timed out \(answered SOCKS5 reply 'TTL expired'\)/);
    assert.match(
      log,
      /an IPv6 address, but the proxy runs with -4 \(answered SOCKS5 reply 'network unreachable'\)/,
    );
  } finally {
    proxy.proc.kill();
    await proxy.proc.finish();
    hole.proc.kill();
    await hole.proc.finish();
    await target.stop();
  }
});

Deno.test("http proxy server (ncat's spelling -l --proxy-type http): 502 for a refused target, 504 for a timeout", async () => {
  const closed = freePort();
  const hole = await startBlackhole();
  const proxy = await startProxy(["-w", "1", "--proxy-type", "http"]);
  const ask = async (port: number) => {
    const conn = await connect(proxy.port);
    await writeConnAll(conn, enc(`CONNECT 127.0.0.1:${port} HTTP/1.0\r\n\r\n`));
    const answer = dec(await readToEndWithin(conn));
    closeQuietly(conn);
    return answer;
  };
  try {
    const refused = await ask(closed);
    assert.match(refused, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
    assert.match(
      refused,
      new RegExp(`\r\n\r\nconnect 127\\.0\\.0\\.1:${closed}: connection refused\n$`),
    );
    assert.match(await ask(hole.port), /^HTTP\/1\.1 504 Gateway Timeout\r\n/);
    const bad = await ask(0);
    assert.match(bad, /^HTTP\/1\.1 400 Bad Request\r\n/);
  } finally {
    await stop(proxy.proc);
    hole.proc.kill();
    await hole.proc.finish();
  }
});

Deno.test("socks5 proxy server with --proxy-auth: curl with the right password passes, the wrong one and none are refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "socktool-proxy-" });
  await Deno.writeTextFile(`${dir}/a.txt`, "authenticated\n");
  const web = await startHttpServer(dir);
  const proxy = await startProxy(["--proxy-server", "socks5", "--proxy-auth", "bob:pw"]);
  const curl = (user?: string) =>
    spawn("curl", [
      "-sS",
      "--max-time",
      "10",
      "-x",
      `socks5h://${user ? `${user}@` : ""}127.0.0.1:${proxy.port}`,
      `http://localhost:${web.port}/a.txt`,
    ], { stdin: "null" }).finish();
  try {
    const good = await curl("bob:pw");
    assert.equal(good.code, 0, good.stderr);
    assert.equal(dec(good.stdout), "authenticated\n");
    const wrong = await curl("bob:nope");
    assert.equal(wrong.code, 97, wrong.stderr);
    const none = await curl();
    assert.equal(none.code, 97, none.stderr);
    const log = await stop(proxy.proc);
    assert.match(
      log,
      /socks5 proxy: authentication refused \(user 'bob', wrong name or password\)/,
    );
    assert.match(log, /socks5 proxy: the client offers no user\/password authentication/);
  } finally {
    proxy.proc.kill();
    await proxy.proc.finish();
    await stop(web.proc);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("proxy servers honour -m and --deny like any listener", async () => {
  const target = halfCloseTarget();
  const limited = await startProxy(["-m", "1", "--proxy-server", "socks5"]);
  try {
    const first = await socks5Connect(limited.port, v4(target.port));
    assert.equal(first.reply[1], 0);
    const second = await connect(limited.port);
    assert.match(dec(await readToEndWithin(second)), /too many connections \(at most 1\)/);
    closeQuietly(second);
    await first.conn.closeWrite();
    assert.equal(dec(await readToEndWithin(first.conn)), "reply to ");
    closeQuietly(first.conn);
  } finally {
    await stop(limited.proc);
  }
  const denied = await startProxy(["--deny", "127.0.0.1", "--proxy-server", "http"]);
  try {
    const conn = await connect(denied.port);
    await writeConnAll(conn, enc(`CONNECT 127.0.0.1:${target.port} HTTP/1.0\r\n\r\n`)).catch(
      () => {},
    );
    assert.equal((await readToEndWithin(conn)).length, 0);
    closeQuietly(conn);
    await denied.proc.waitForStderr(/refused connection from 127\.0\.0\.1:\d+: not allowed/);
  } finally {
    await stop(denied.proc);
    await target.stop();
  }
});

Deno.test("ncat's client goes through socktool's proxy servers, with credentials", async () => {
  const target = halfCloseTarget();
  try {
    for (const type of ["socks5", "http"]) {
      const proxy = await startProxy(["--proxy-server", type, "--proxy-auth", "user:pass"]);
      try {
        const ncat = spawn("ncat", [
          "--proxy",
          `127.0.0.1:${proxy.port}`,
          "--proxy-type",
          type,
          "--proxy-auth",
          "user:pass",
          "127.0.0.1",
          String(target.port),
        ]);
        await ncat.write("from ncat");
        await ncat.closeStdin();
        const r = await within(ncat.finish(), 10_000, `ncat through ${type}`);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(dec(r.stdout), "reply to from ncat", type);
      } finally {
        await stop(proxy.proc);
      }
    }
  } finally {
    await target.stop();
  }
});

Deno.test("an open proxy is warned about; one on loopback, with a password or an allow list is not", async () => {
  const open = spawnSocktool(["-l", "--proxy-server", "socks5", "0"], { stdin: "null" });
  await open.waitForStderr(/warning: open proxy: anyone who can reach this port/);
  await stop(open);
  for (
    const args of [["127.0.0.1"], ["--proxy-auth", "u:p", "0.0.0.0"], [
      "--allow",
      "127.0.0.1",
      "0.0.0.0",
    ]]
  ) {
    const quiet = spawnSocktool(["-lv", "--proxy-server", "http", ...args, "0"], { stdin: "null" });
    await quiet.listeningPort();
    const log = await stop(quiet);
    assert.doesNotMatch(log, /open proxy/, args.join(" "));
  }
});

Deno.test("http proxy server with Digest: curl --proxy-digest and socktool's own client get through, a wrong password does not", async () => {
  const target = halfCloseTarget();
  const proxy = await startProxy(["-vv", "--proxy-server", "http", "--proxy-auth", "user:pa ss"]);
  try {
    const dir = await Deno.makeTempDir({ prefix: "socktool-proxy-" });
    await Deno.writeTextFile(`${dir}/d.txt`, "digest ok\n");
    const web = await startHttpServer(dir);
    try {
      const curl = (pass: string) =>
        spawn("curl", [
          "-sS",
          "--max-time",
          "10",
          "-p",
          "-x",
          `http://127.0.0.1:${proxy.port}`,
          "--proxy-digest",
          "--proxy-user",
          `user:${pass}`,
          `http://localhost:${web.port}/d.txt`,
        ], { stdin: "null" }).finish();
      const good = await curl("pa ss");
      assert.equal(good.code, 0, good.stderr);
      assert.equal(dec(good.stdout), "digest ok\n");
      const bad = await curl("nope");
      assert.equal(bad.code, 56, bad.stderr);
    } finally {
      await stop(web.proc);
      await Deno.remove(dir, { recursive: true });
    }
    const client = spawnSocktool([
      "--proxy",
      `127.0.0.1:${proxy.port}`,
      "--proxy-type",
      "http",
      "--proxy-auth",
      "user:pa ss",
      "127.0.0.1",
      String(target.port),
    ]);
    await client.write("via digest");
    await client.closeStdin();
    const r = await client.finish(10_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(dec(r.stdout), "reply to via digest");
    const log = await stop(proxy.proc);
    assert.match(log, /http proxy: authentication refused \(user 'user', wrong name or password\)/);
  } finally {
    proxy.proc.kill();
    await proxy.proc.finish();
    await target.stop();
  }
});

Deno.test("a proxy client that says nothing is closed at the -w limit, and the server goes on", async () => {
  const proxy = await startProxy(["-w", "1", "--proxy-server", "socks5"]);
  try {
    const started = performance.now();
    const silent = await connect(proxy.port);
    assert.equal((await readToEndWithin(silent, 5000)).length, 0);
    closeQuietly(silent);
    const waited = performance.now() - started;
    assert.ok(waited > 800 && waited < 3000, `closed after ${waited} ms`);
    await proxy.proc.waitForStderr(/socks5 proxy: the client sent no complete request in time/);
  } finally {
    await stop(proxy.proc);
  }
});

Deno.test("bad proxy server command lines: one line, exit 2, before anything listens", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["-l", "1", "--proxy-server", "socks4"],
      /^socktool: bad value 'socks4' for --proxy-server with -l: /,
    ],
    [
      ["-l", "--proxy-auth", "u:p", "1"],
      /^socktool: option --proxy-auth with -l needs --proxy-server/,
    ],
    [["--proxy-server", "http", "h", "1"], /^socktool: option --proxy-server needs -l/],
    [["-l", "1", "--ssl", "--ssl-pin", "nope"], /^socktool: bad value 'nope' for --ssl-pin: /],
  ];
  for (const [args, re] of cases) {
    const r = await spawnSocktool(args, { stdin: "null" }).finish();
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});
