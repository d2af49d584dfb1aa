/**
 * End-to-end tests of issue 14's forward recipes: `--forward unix:PATH` (the
 * docker.sock recipe, socat's `TCP-LISTEN,fork UNIX-CONNECT:PATH`) against a
 * real HTTP server on a Unix socket reached with curl, and `--forward
 * udp:HOST:PORT` (socat's `UDP-LISTEN,fork UDP:HOST:PORT`) with a DNS-style
 * exchange of many peers at once.
 */
import assert from "node:assert/strict";
import { spawn, spawnSocktool } from "./_test_utils/harness.ts";
import { within } from "./_test_utils/client.ts";

const HTTP_SERVER = new URL("./_test_utils/unix_http_server.py", import.meta.url).pathname;
const UDP_RESPONDER = new URL("./_test_utils/udp_responder.py", import.meta.url).pathname;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs curl with `args`; returns its exit code and output. */
async function curl(...args: string[]) {
  const r = await new Deno.Command("curl", {
    args: ["-sS", "--max-time", "10", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, body: dec(r.stdout), err: dec(r.stderr) };
}

Deno.test("--forward unix:PATH: curl reaches an HTTP server on a Unix socket through a TCP listener", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/docker.sock`;
  const http = spawn("python3", [HTTP_SERVER, path], { stdin: "null" });
  const fwd = spawnSocktool(["-lk", "-v", "--forward", `unix:${path}`, "127.0.0.1", "0"], {
    stdin: "null",
  });
  try {
    await http.waitForStderr(/READY/);
    const port = await fwd.listeningPort();
    const one = await curl(`http://127.0.0.1:${port}/containers/json`);
    assert.equal(one.code, 0, one.err);
    assert.equal(one.body, "hello from unix socket: /containers/json\n");
    // Several clients at once, each its own connection to the socket.
    const many = await Promise.all(
      Array.from({ length: 5 }, (_, i) => curl(`http://127.0.0.1:${port}/v1/item/${i}`)),
    );
    many.forEach((r, i) => assert.equal(r.body, `hello from unix socket: /v1/item/${i}\n`, r.err));
    // Two requests on one kept-alive connection.
    const kept = await curl(
      `http://127.0.0.1:${port}/a`,
      `http://127.0.0.1:${port}/b`,
    );
    assert.equal(kept.body, "hello from unix socket: /a\nhello from unix socket: /b\n");
    await fwd.waitForStderr(new RegExp(`forwarded\\): sent \\d+ bytes`));
    assert.doesNotMatch(fwd.stderrText(), /refused|error/i);
  } finally {
    fwd.kill();
    http.kill();
    await fwd.finish();
    await http.finish();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--forward unix:PATH to a missing socket: with -k the client is closed, -v says why, the listener goes on", async () => {
  const fwd = spawnSocktool(
    ["-lk", "-v", "--forward", "unix:/nonexistent/docker.sock", "127.0.0.1", "0"],
    { stdin: "null" },
  );
  try {
    const port = await fwd.listeningPort();
    for (let i = 0; i < 2; i++) {
      const r = await curl(`http://127.0.0.1:${port}/`);
      assert.notEqual(r.code, 0, "no answer through a dead target");
    }
    await fwd.waitForStderr(
      /forward to unix:\/nonexistent\/docker\.sock: no such file or directory[\s\S]*forward to unix:\/nonexistent\/docker\.sock: no such file or directory/,
    );
  } finally {
    fwd.kill();
    const r = await fwd.finish();
    assert.equal(r.code, 143);
  }
});

/** Receives datagrams on `sock` until `count` have come, or rejects at the deadline. */
async function receiveCount(
  sock: Deno.DatagramConn,
  count: number,
  ms = 10_000,
): Promise<string[]> {
  const got: string[] = [];
  await within(
    (async () => {
      while (got.length < count) got.push(dec((await sock.receive())[0]));
    })(),
    ms,
    `${count} datagrams (got ${got.length}: ${got.join(", ")})`,
  );
  return got;
}

/** Starts the UDP responder; returns its process and port. */
async function udpResponder() {
  const proc = spawn("python3", [UDP_RESPONDER], { stdin: "null" });
  const port = Number((await proc.waitForStderr(/PORT (\d+)/))[1]);
  return { proc, port };
}

Deno.test("--forward udp: 20 peers at once, 5 queries each, every answer back to the peer that asked", async () => {
  const responder = await udpResponder();
  const fwd = spawnSocktool(
    ["-ulk", "-v", "--forward", `udp:127.0.0.1:${responder.port}`, "127.0.0.1", "0"],
    { stdin: "null" },
  );
  const clients = Array.from(
    { length: 20 },
    () => Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 }),
  );
  try {
    const port = await fwd.listeningPort();
    const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
    const answers = await Promise.all(clients.map(async (sock, i) => {
      const receiving = receiveCount(sock, 5);
      for (let q = 0; q < 5; q++) await sock.send(enc(`peer ${i} query ${q}`), to);
      return await receiving;
    }));
    answers.forEach((got, i) => {
      assert.deepEqual(
        got.sort(),
        [0, 1, 2, 3, 4].map((q) => `answer:peer ${i} query ${q}`),
        `peer ${i}`,
      );
    });
    // Each peer had its own upstream socket: the responder saw 20 source ports.
    await responder.proc.waitForStderr(/SOURCES 20$/m);
    assert.doesNotMatch(responder.proc.stderrText(), /SOURCES 21/);
    const peers = fwd.stderrText().match(/datagram from 127\.0\.0\.1:\d+: forwarding to udp:/g);
    assert.equal(peers?.length, 20, fwd.stderrText());
  } finally {
    for (const c of clients) c.close();
    fwd.kill();
    responder.proc.kill();
    assert.equal((await fwd.finish()).code, 143);
    await responder.proc.finish();
  }
});

Deno.test("--forward udp: an idle peer is forgotten after -w, the table holds -m peers, the quietest leave first", async () => {
  const responder = await udpResponder();
  const fwd = spawnSocktool(
    [
      "-ulk",
      "-v",
      "-w",
      "1",
      "-m",
      "3",
      "--forward",
      `udp:127.0.0.1:${responder.port}`,
      "127.0.0.1",
      "0",
    ],
    { stdin: "null" },
  );
  const clients = Array.from(
    { length: 5 },
    () => Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 }),
  );
  const name = (i: number) => `127.0.0.1:${(clients[i].addr as Deno.NetAddr).port}`;
  try {
    const port = await fwd.listeningPort();
    const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
    const ask = async (i: number, text: string) => {
      const receiving = receiveCount(clients[i], 1);
      await clients[i].send(enc(text), to);
      assert.deepEqual(await receiving, [`answer:${text}`]);
    };
    // Five peers in turn through a table of three: peers 0 and 1 make room.
    for (let i = 0; i < 5; i++) await ask(i, `q${i}`);
    const full = [...fwd.stderrText().matchAll(/(\S+): 3 peers at once \(-m\): forgotten/g)]
      .map((m) => m[1]);
    assert.deepEqual(full, [name(0), name(1)]);
    // Silent for -w 1: the other three are forgotten too.
    for (const i of [2, 3, 4]) {
      await fwd.waitForStderr(
        new RegExp(`${name(i)}: idle for 1 s: forgotten \\(1 datagrams forwarded, 1 back\\)`),
      );
    }
    // A forgotten peer that speaks again gets a new upstream socket and its answer.
    await ask(0, "again");
    await responder.proc.waitForStderr(/SOURCES 6$/m);
  } finally {
    for (const c of clients) c.close();
    fwd.kill();
    responder.proc.kill();
    await fwd.finish();
    await responder.proc.finish();
  }
});

Deno.test("--forward udp: without -k only the first peer is served, and the forwarder ends when it goes idle", async () => {
  const responder = await udpResponder();
  const fwd = spawnSocktool(
    ["-ul", "-v", "-w", "1", "--forward", `udp:127.0.0.1:${responder.port}`, "127.0.0.1", "0"],
    { stdin: "null" },
  );
  const first = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const other = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const port = await fwd.listeningPort();
    const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
    const receiving = receiveCount(first, 1);
    await first.send(enc("hello"), to);
    assert.deepEqual(await receiving, ["answer:hello"]);
    await other.send(enc("me too"), to);
    const r = await fwd.finish(10_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /idle for 1 s: forgotten \(1 datagrams forwarded, 1 back\)/);
    assert.doesNotMatch(
      responder.proc.stderrText(),
      /SOURCES 2/,
      "the other peer was never forwarded",
    );
  } finally {
    first.close();
    other.close();
    fwd.kill();
    responder.proc.kill();
    await responder.proc.finish();
  }
});

const BAD: [string[], RegExp][] = [
  [
    ["-l", "0", "--forward", "udp:127.0.0.1:53"],
    /^socktool: a udp: --forward target needs a -u listener/,
  ],
  [
    ["-ul", "0", "--forward", "127.0.0.1:53"],
    /^socktool: option --forward on a -u listener needs a udp:HOST:PORT target/,
  ],
  [
    ["-l", "0", "--forward", "unix:"],
    /^socktool: bad value 'unix:' for --forward: the socket path is empty/,
  ],
  [
    ["-l", "0", "--forward", "udp:nohost"],
    /^socktool: bad value 'udp:nohost' for --forward: expected /,
  ],
  [["-l", "0", "--forward", "ws://"], /^socktool: bad value 'ws:\/\/' for --forward: /],
  [
    ["-luU", "/tmp/x.sock", "--forward", "udp:127.0.0.1:53"],
    /^socktool: option --forward cannot be used with -uU/,
  ],
  [
    ["-ulk", "0", "--forward", "udp:127.0.0.1:53", "-x", "/tmp/x"],
    /^socktool: options --forward udp: and -x cannot be used together/,
  ],
];
for (const [args, re] of BAD) {
  Deno.test(`bad input: socktool ${args.join(" ")} exits 2 with one line`, async () => {
    const r = await spawnSocktool(args, { stdin: "null" }).finish();
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  });
}
