/**
 * End-to-end tests of `-e` / `-c`: the program's stdin/stdout are the
 * socket, listening (one program per client with `-k`) and connecting.
 */
import assert from "node:assert/strict";
import { randomBytes, sha256, spawn, spawnSocktool, writeConnAll } from "./_test_utils/harness.ts";
import {
  closeQuietly,
  connect,
  dec,
  enc,
  readToEndWithin,
  readUntil,
  sendAndReceive,
  within,
} from "./_test_utils/client.ts";

Deno.test("-lk -e cat: one program per client, each echoing its own bytes (Deno and nc)", async () => {
  const srv = spawnSocktool(["-lkv", "-e", "cat", "127.0.0.1", "0"], { stdin: "null" });
  try {
    const port = await srv.listeningPort();
    const viaDeno = Array.from({ length: 4 }, async (_, i) => {
      const data = randomBytes(512 * 1024, 100 + i);
      return await sha256(await sendAndReceive(await connect(port), data)) === await sha256(data);
    });
    const nc = spawn("nc", ["-N", "127.0.0.1", String(port)]);
    await nc.write("through nc\n");
    await nc.closeStdin();
    const [ok, r] = await Promise.all([Promise.all(viaDeno), nc.finish()]);
    assert.deepEqual(ok, [true, true, true, true]);
    assert.equal(dec(r.stdout), "through nc\n");
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("-c runs the command with sh and gives it the peer's address in the environment", async () => {
  const srv = spawnSocktool([
    "-lkv",
    "-c",
    'echo "peer $SOCKTOOL_PEER_ADDR $SOCKTOOL_PEER_PORT"; tr a-z A-Z',
    "127.0.0.1",
    "0",
  ], { stdin: "null" });
  try {
    const port = await srv.listeningPort();
    const c = await connect(port);
    const text = dec(await sendAndReceive(c, enc("$(touch /tmp/x) `id`\n")));
    // Network bytes are data for the program, never part of a command line.
    assert.equal(text, `peer 127.0.0.1 ${c.localAddr.port}\n$(TOUCH /TMP/X) \`ID\`\n`);
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("-e takes its words as argv: shell characters are plain arguments", async () => {
  const srv = spawnSocktool(["-lv", "-e", "echo a;b $HOME |c", "127.0.0.1", "0"], {
    stdin: "null",
  });
  const port = await srv.listeningPort();
  const c = await connect(port);
  assert.equal(dec(await readToEndWithin(c)), "a;b $HOME |c\n");
  closeQuietly(c);
  const s = await srv.finish();
  assert.equal(s.code, 0, s.stderr);
});

Deno.test("the program's exit ends the session even though the client keeps its side open", async () => {
  const srv = spawnSocktool(["-lkv", "-c", "echo bye", "127.0.0.1", "0"], { stdin: "null" });
  try {
    const port = await srv.listeningPort();
    const c = await connect(port); // never half-closes
    assert.equal(dec(await readToEndWithin(c, 5000)), "bye\n");
    closeQuietly(c);
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("the client closing ends the program: cat sees EOF and exits", async () => {
  const srv = spawnSocktool(["-lkvv", "-e", "cat", "127.0.0.1", "0"], { stdin: "null" });
  try {
    const port = await srv.listeningPort();
    const c = await connect(port);
    await writeConnAll(c, enc("x"));
    assert.equal(await readUntil(c, /x/), "x");
    closeQuietly(c);
    await srv.waitForStderr(/cat exited with status 0/);
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("a program that ignores EOF is stopped when the session ends (SIGTERM)", async () => {
  const srv = spawnSocktool(["-lvv", "-w", "1", "-e", "sleep 30", "127.0.0.1", "0"], {
    stdin: "null",
  });
  const port = await srv.listeningPort();
  const c = await connect(port);
  const s = await within(srv.finish(), 15_000, "socktool ends");
  closeQuietly(c);
  assert.match(s.stderr, /sleep exited with status 143/);
  assert.equal(s.code, 1, s.stderr); // -w expired: a network failure
});

Deno.test("connect mode -e: the program talks to the server", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const server = (async () => {
    const conn = await listener.accept();
    const got = await sendAndReceive(conn, enc("hello program\n"));
    return dec(got);
  })();
  const cli = spawnSocktool(["-v", "127.0.0.1", String(listener.addr.port), "-e", "tr a-z A-Z"], {
    stdin: "null",
  });
  const [got, r] = await Promise.all([server, cli.finish()]);
  assert.equal(got, "HELLO PROGRAM\n");
  assert.equal(r.code, 0, r.stderr);
});

Deno.test("a missing -e program is one usage line, exit 2, before listening or connecting", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let accepted = 0;
  const accepting = (async () => {
    for await (const c of listener) {
      accepted++;
      c.close();
    }
  })();
  const l = await spawnSocktool(["-lv", "-e", "no-such-program-xyz", "127.0.0.1", "0"], {
    stdin: "null",
  }).finish();
  assert.equal(l.code, 2);
  assert.match(l.stderr, /^socktool: exec no-such-program-xyz: program not found in PATH/);
  assert.equal(l.stderr.trim().split("\n").length, 1, l.stderr);
  const c = await spawnSocktool(
    ["-v", "127.0.0.1", String(listener.addr.port), "-e", "/nonexistent/prog"],
    { stdin: "null" },
  ).finish();
  assert.equal(c.code, 2);
  assert.match(c.stderr, /^socktool: exec \/nonexistent\/prog: no such executable file/);
  assert.equal(accepted, 0, "nothing connected");
  listener.close();
  await accepting.catch(() => {});
});
