/**
 * End-to-end tests of IPv6 and the family options (issue 3): `-6 -l`,
 * `socktool ::1 PORT`, and `-4`/`-6` against literals of the other family.
 */
import assert from "node:assert/strict";
import { readConnToEnd, spawnSocktool, writeConnAll } from "./_test_utils/harness.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("socktool -6 -l PORT listens on [::] and serves an IPv6 client both ways", async () => {
  const listener = spawnSocktool(["-6", "-lv", "0"]);
  const port = await listener.listeningPort();
  assert.match(listener.stderrText(), /listening on \[::\]:\d+/);
  const conn = await Deno.connect({ hostname: "::1", port });
  try {
    await listener.waitForStderr(/connection from \[::1\]:\d+/);
    await writeConnAll(conn, enc("over ipv6\n"));
    await conn.closeWrite();
    await listener.write("and back\n");
    await listener.closeStdin();
    assert.equal(dec(await readConnToEnd(conn)), "and back\n");
  } finally {
    conn.close();
  }
  const l = await listener.finish();
  assert.equal(l.code, 0, l.stderr);
  assert.equal(dec(l.stdout), "over ipv6\n");
});

Deno.test("socktool -l ::1 0 listens on [::1] only", async () => {
  const listener = spawnSocktool(["-lv", "::1", "0"], { stdin: "null" });
  const port = await listener.listeningPort();
  assert.match(listener.stderrText(), new RegExp(`listening on \\[::1\\]:${port}`));
  await assert.rejects(() => Deno.connect({ hostname: "127.0.0.1", port }));
  const conn = await Deno.connect({ hostname: "::1", port });
  conn.close();
  const l = await listener.finish();
  assert.equal(l.code, 0, l.stderr);
});

Deno.test("socktool ::1 PORT and socktool [::1] PORT connect over IPv6", async () => {
  for (const host of ["::1", "[::1]"]) {
    using server = Deno.listen({ hostname: "::1", port: 0 });
    const serving = (async () => {
      const conn = await server.accept();
      const got = dec(await readConnToEnd(conn));
      await writeConnAll(conn, enc(`echo: ${got}`));
      conn.close();
    })();
    const client = spawnSocktool(["-v", host, String(server.addr.port)]);
    await client.write("hi");
    await client.closeStdin();
    const c = await client.finish();
    await serving;
    assert.equal(c.code, 0, c.stderr);
    assert.equal(dec(c.stdout), "echo: hi");
    assert.match(c.stderr, /connected to \[::1\]:\d+/);
  }
});

Deno.test("socktool -6 to a refused IPv6 port: one line naming [::1], exit 1", async () => {
  const probe = Deno.listen({ hostname: "::1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const r = await spawnSocktool(["-6", "::1", String(port)], { stdin: "null" }).finish();
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `socktool: connect [::1]:${port}: connection refused\n`);
});

for (
  const [args, message] of [
    [["-4", "::1", "80"], "option -4 cannot be used with the IPv6 address ::1"],
    [["-4", "[::1]", "80"], "option -4 cannot be used with the IPv6 address ::1"],
    [["-6", "127.0.0.1", "80"], "option -6 cannot be used with the IPv4 address 127.0.0.1"],
    [["-4", "-l", "::1", "80"], "option -4 cannot be used with the IPv6 address ::1"],
    [["-4", "-6", "-l", "80"], "options -4 and -6 cannot be used together"],
    [["-u", "-4", "::1", "53"], "option -4 cannot be used with the IPv6 address ::1"],
  ] as const
) {
  Deno.test(`bad input: socktool ${args.join(" ")} exits 2 with one line`, async () => {
    const r = await spawnSocktool([...args], { stdin: "null" }).finish();
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `socktool: ${message} (see 'socktool --help')\n`);
    assert.equal(r.stdout.length, 0);
  });
}
