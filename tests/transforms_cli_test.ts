/**
 * Issue 5's transforms end to end: the CLI's options through real loopback
 * sockets, bytes compared; `--progress` under a real terminal (tmux).
 */
import assert from "node:assert/strict";
import {
  readConnToEnd,
  socktoolCommand,
  spawnSocktool,
  writeConnAll,
} from "./_test_utils/harness.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs a client with `args` against a one-shot server that sends `reply` after our half-close. */
async function session(args: string[], input: Uint8Array | string, reply: Uint8Array | string) {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const server = (async () => {
    const conn = await listener.accept();
    const got = await readConnToEnd(conn);
    await writeConnAll(conn, typeof reply === "string" ? enc(reply) : reply);
    conn.close();
    return got;
  })();
  const client = spawnSocktool([...args, "127.0.0.1", String(listener.addr.port)]);
  await client.write(input);
  await client.closeStdin();
  const r = await client.finish();
  return { ...r, serverGot: await server };
}

Deno.test("-C sends LF as CRLF and leaves an existing CRLF alone", async () => {
  const r = await session(["-C"], "one\ntwo\r\nthree\n", "");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(dec(r.serverGot), "one\r\ntwo\r\nthree\r\n");
});

Deno.test("-i paces the lines sent", async () => {
  const t0 = performance.now();
  const r = await session(["-i", "0.3"], "a\nb\nc\n", "");
  const took = performance.now() - t0;
  assert.equal(dec(r.serverGot), "a\nb\nc\n");
  assert.ok(took >= 550, `three lines 0.3 s apart took only ${took.toFixed(0)} ms`);
});

Deno.test("--timestamp prefixes each received line and changes nothing else", async () => {
  const r = await session(["--timestamp"], "x", "first\nsecond\n");
  assert.match(
    dec(r.stdout),
    /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] first\n\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] second\n$/,
  );
  assert.equal(dec(r.serverGot), "x");
});

Deno.test("-o logs both directions byte-exact, -x as a hex dump with directions marked", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const sent = new Uint8Array([0, 1, 2, 255, 10, 0xe2, 0x82, 0xac]);
    const r = await session(["-o", `${dir}/raw`, "-x", `${dir}/hex`], sent, "reply\n");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.serverGot, sent);
    assert.equal(dec(r.stdout), "reply\n");
    const raw = await Deno.readFile(`${dir}/raw`);
    assert.deepEqual(raw, new Uint8Array([...sent, ...enc("reply\n")]));
    const hex = await Deno.readTextFile(`${dir}/hex`);
    assert.match(hex, /^> 0000 +00 01 02 ff 0a e2 82 ac/m);
    assert.match(hex, /^< 0000 +72 65 70 6c 79 0a/m);
    // --append-output adds to the same file
    await session(["-o", `${dir}/raw`, "--append-output"], "more", "");
    assert.equal((await Deno.readFile(`${dir}/raw`)).length, raw.length + 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("-v ends the session with one summary line of bytes each way, time and rate", async () => {
  const r = await session(["-v"], "12345", "abc");
  assert.match(
    r.stderr,
    /^socktool: 127\.0\.0\.1:\d+: sent 5 bytes, received 3 bytes in \d+\.\d\d s \([\d.]+ [KMG]?i?B\/s\)$/m,
  );
  assert.equal(dec(r.stdout), "abc", "nothing but payload on stdout");
});

Deno.test("bad transform input: -o to an unwritable path and -i negative are usage errors", async () => {
  const a = await spawnSocktool(["-o", "/nonexistent-dir/x", "127.0.0.1", "9"], { stdin: "null" })
    .finish();
  assert.equal(a.code, 2, a.stderr);
  assert.match(a.stderr, /^socktool: .*\/nonexistent-dir\/x.*no such file or directory/);
  assert.equal(a.stderr.trimEnd().split("\n").length, 1);
  const b = await spawnSocktool(["-i", "-1", "127.0.0.1", "9"], { stdin: "null" }).finish();
  assert.equal(b.code, 2);
  assert.match(b.stderr, /-i/);
});

Deno.test("--progress with stderr not a terminal prints nothing", async () => {
  const r = await session(["--progress"], "data", "back");
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "");
});

Deno.test("--progress draws one live line in place under a real terminal (tmux)", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  // A slow reader keeps the transfer going long enough to watch.
  const server = (async () => {
    const conn = await listener.accept();
    const buf = new Uint8Array(64 * 1024);
    let total = 0;
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      total += n;
      await new Promise((r) => setTimeout(r, 20));
    }
    conn.close();
    return total;
  })();
  const tmuxServer = `socktool-e2e-progress-${Deno.pid}`;
  const tmux = (...args: string[]) =>
    new Deno.Command("tmux", {
      args: ["-L", tmuxServer, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const cmd = [...socktoolCommand(), "--progress", "127.0.0.1", String(listener.addr.port)]
    .map((a) => `'${a}'`).join(" ");
  try {
    await tmux(
      "new-session",
      "-d",
      "-x",
      "150",
      "-y",
      "20",
      `head -c 8000000 /dev/zero | ${cmd}; echo EXITED; sleep 30`,
    );
    let screen = "";
    const seen = new Set<string>();
    const deadline = performance.now() + 30_000;
    while (!/EXITED/.test(screen)) {
      if (performance.now() > deadline) throw new Error(`no end on screen:\n${screen}`);
      screen = dec((await tmux("capture-pane", "-p")).stdout);
      for (const l of screen.split("\n")) if (l.startsWith("socktool: sent")) seen.add(l.trim());
      await new Promise((r) => setTimeout(r, 100));
    }
    const lines = screen.split("\n").filter((l) => l.startsWith("socktool: sent"));
    assert.equal(lines.length, 1, `one line, redrawn in place:\n${screen}`);
    // The last line drawn gives the average rate (issue 14).
    assert.match(lines[0], /^socktool: sent 7\.63 MiB, received 0 B in \d:\d\d:\d\d \(average /);
    assert.ok(seen.size >= 2, `the line changed while running: ${[...seen].join(" | ")}`);
  } finally {
    await tmux("kill-server");
  }
  assert.equal(await server, 8_000_000);
});
