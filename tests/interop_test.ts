/**
 * Interop with the real peers as separate processes: nc (netcat-openbsd),
 * ncat and socat, each on either end, each direction, checksums compared.
 */
import assert from "node:assert/strict";
import {
  freePort,
  randomBytes,
  type Running,
  sha256,
  spawn,
  spawnSocktool,
} from "./_test_utils/harness.ts";

const DATA = randomBytes(4 * 1024 * 1024, 99);

interface Peer {
  name: string;
  /** A listener on `port` that prints `data`-receiving bytes to stdout. */
  receiveListener(port: number): Running;
  /** A listener on `port` that sends its stdin, half-closing at EOF. */
  sendListener(port: number): Running;
  /** A client that sends its stdin and half-closes at EOF. */
  sendClient(port: number): Running;
  /** A client that only receives. */
  receiveClient(port: number): Running;
  /** What the listener prints when it is ready. */
  ready: RegExp;
}

const peers: Peer[] = [
  {
    name: "nc",
    receiveListener: (p) => spawn("nc", ["-lv", "127.0.0.1", String(p)], { stdin: "null" }),
    sendListener: (p) => spawn("nc", ["-lvN", "127.0.0.1", String(p)]),
    sendClient: (p) => spawn("nc", ["-N", "127.0.0.1", String(p)]),
    receiveClient: (p) => spawn("nc", ["-d", "127.0.0.1", String(p)], { stdin: "null" }),
    ready: /Listening on/,
  },
  {
    name: "ncat",
    receiveListener: (p) =>
      spawn("ncat", ["-lv", "--recv-only", "127.0.0.1", String(p)], { stdin: "null" }),
    sendListener: (p) => spawn("ncat", ["-lv", "127.0.0.1", String(p)]),
    sendClient: (p) => spawn("ncat", ["127.0.0.1", String(p)]),
    receiveClient: (p) => spawn("ncat", ["--recv-only", "127.0.0.1", String(p)], { stdin: "null" }),
    ready: /Listening on/,
  },
  {
    name: "socat",
    receiveListener: (p) =>
      spawn("socat", ["-d", "-d", "-u", `TCP-LISTEN:${p},bind=127.0.0.1,reuseaddr`, "STDOUT"], {
        stdin: "null",
      }),
    sendListener: (p) =>
      spawn("socat", ["-d", "-d", "-u", "STDIN", `TCP-LISTEN:${p},bind=127.0.0.1,reuseaddr`]),
    sendClient: (p) => spawn("socat", ["-u", "STDIN", `TCP:127.0.0.1:${p}`]),
    receiveClient: (p) => spawn("socat", ["-u", `TCP:127.0.0.1:${p}`, "STDOUT"], { stdin: "null" }),
    ready: /listening on/,
  },
];

const expected = await sha256(DATA);

for (const peer of peers) {
  Deno.test(`interop: socktool client sends a file to a ${peer.name} listener`, async () => {
    const port = freePort();
    const listener = peer.receiveListener(port);
    await listener.waitForStderr(peer.ready);
    const client = spawnSocktool(["127.0.0.1", String(port)]);
    await client.write(DATA);
    await client.closeStdin();
    const [l, c] = await Promise.all([listener.finish(), client.finish()]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(await sha256(l.stdout), expected, `${peer.name} received different bytes`);
  });

  Deno.test(`interop: a ${peer.name} client sends a file to a socktool listener`, async () => {
    const server = spawnSocktool(["-lv", "127.0.0.1", "0"], { stdin: "null" });
    const port = await server.listeningPort();
    const client = peer.sendClient(port);
    await client.write(DATA);
    await client.closeStdin();
    const [s, c] = await Promise.all([server.finish(), client.finish()]);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(await sha256(s.stdout), expected, "socktool received different bytes");
  });

  Deno.test(`interop: a socktool listener serves a file to a ${peer.name} client`, async () => {
    const server = spawnSocktool(["-lv", "127.0.0.1", "0"]);
    const port = await server.listeningPort();
    const client = peer.receiveClient(port);
    await server.waitForStderr(/connection from/);
    await server.write(DATA);
    await server.closeStdin();
    const [s, c] = await Promise.all([server.finish(), client.finish()]);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(await sha256(c.stdout), expected, `${peer.name} received different bytes`);
  });

  Deno.test(`interop: a socktool client downloads a file from a ${peer.name} listener`, async () => {
    const port = freePort();
    const listener = peer.sendListener(port);
    await listener.waitForStderr(peer.ready);
    // nc and ncat listeners quit when the client half-closes at once, so a
    // download from them is spelled with --recv-only (no stdin, no half-close).
    const client = spawnSocktool(["--recv-only", "127.0.0.1", String(port)], { stdin: "null" });
    await listener.write(DATA);
    await listener.closeStdin();
    const [l, c] = await Promise.all([listener.finish(), client.finish()]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(l.code, 0, l.stderr);
    assert.equal(await sha256(c.stdout), expected, "socktool received different bytes");
  });
}
