/**
 * `--serve` and `--allow`/`--deny` on a UDP listener, through real loopback
 * datagrams.
 */
import assert from "node:assert/strict";
import { spawnSocktool } from "./_test_utils/harness.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Sends `text` from a fresh socket and waits up to `ms` for one reply (null: none came). */
async function ask(port: number, text: string, ms = 3000): Promise<string | null> {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    await sock.send(enc(text), { transport: "udp", hostname: "127.0.0.1", port });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reply = await Promise.race([
      sock.receive().then(([d]) => dec(d)),
      new Promise<null>((r) => timer = setTimeout(r, ms, null)),
    ]);
    clearTimeout(timer);
    return reply;
  } finally {
    sock.close();
  }
}

Deno.test("-ulk --serve upper answers every sender's datagrams", async () => {
  const srv = spawnSocktool(["-ulkv", "--serve", "upper", "127.0.0.1", "0"], { stdin: "null" });
  try {
    const port = await srv.listeningPort();
    assert.equal(await ask(port, "hello udp\n"), "HELLO UDP\n");
    assert.equal(await ask(port, "from another socket\n"), "FROM ANOTHER SOCKET\n");
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("-ul --serve echo without -k answers only the first sender", async () => {
  const srv = spawnSocktool(["-ulv", "--serve", "echo", "127.0.0.1", "0"], { stdin: "null" });
  try {
    const port = await srv.listeningPort();
    const first = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    try {
      const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
      await first.send(enc("one"), to);
      assert.equal(dec((await first.receive())[0]), "one");
      assert.equal(await ask(port, "a stranger", 500), null, "a second sender gets no answer");
      await first.send(enc("two"), to);
      assert.equal(dec((await first.receive())[0]), "two");
    } finally {
      first.close();
    }
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("--deny on a UDP listener: a refused sender is neither answered nor printed", async () => {
  const served = spawnSocktool([
    "-ulkv",
    "--serve",
    "echo",
    "--deny",
    "127.0.0.0/8",
    "127.0.0.1",
    "0",
  ], {
    stdin: "null",
  });
  try {
    const port = await served.listeningPort();
    assert.equal(await ask(port, "let me in", 500), null);
    await served.waitForStderr(
      /refused datagrams from 127\.0\.0\.1:\d+: not allowed by --allow\/--deny/,
    );
  } finally {
    served.kill();
    await served.finish();
  }
  const plain = spawnSocktool(["-ulkv", "--deny", "127.0.0.1", "127.0.0.1", "0"], {
    stdin: "null",
  });
  const port = await plain.listeningPort();
  await ask(port, "must not be printed", 50);
  await plain.waitForStderr(/refused datagrams from/);
  plain.kill();
  const r = await plain.finish();
  assert.equal(dec(r.stdout), "");
});
