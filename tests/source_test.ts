/**
 * End-to-end tests of `-s` and `-p` on TCP connects (issue 3): Deno.connect
 * cannot bind a source, so these go through node:net; the session must
 * behave exactly like any other (bytes, half-close, failures).
 */
import assert from "node:assert/strict";
import {
  freePort,
  randomBytes,
  readConnToEnd,
  sha256,
  spawnSocktool,
  writeConnAll,
} from "./_test_utils/harness.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("-s ADDR -p PORT: the server sees that source; the reply after half-close arrives", async () => {
  using server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const sourcePort = freePort();
  const serving = (async () => {
    const conn = await server.accept();
    const from = conn.remoteAddr as Deno.NetAddr;
    const request = dec(await readConnToEnd(conn)); // EOF: the client half-closed
    await writeConnAll(conn, enc(`${from.hostname}:${from.port} said ${request}`));
    conn.close();
  })();
  const client = spawnSocktool([
    "-v",
    "-s",
    "127.0.0.2",
    "-p",
    String(sourcePort),
    "127.0.0.1",
    String(server.addr.port),
  ]);
  await client.write("hello");
  await client.closeStdin();
  const c = await client.finish();
  await serving;
  assert.equal(c.code, 0, c.stderr);
  assert.equal(dec(c.stdout), `127.0.0.2:${sourcePort} said hello`);
  assert.match(c.stderr, /connected to 127\.0\.0\.1:\d+/);
});

Deno.test("-p PORT alone carries 8 MiB each way at once, byte-exact", async () => {
  using server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const up = randomBytes(8 << 20, 3);
  const down = randomBytes(8 << 20, 4);
  const serving = (async () => {
    const conn = await server.accept();
    const [got] = await Promise.all([
      readConnToEnd(conn),
      writeConnAll(conn, down).then(() => conn.closeWrite()),
    ]);
    conn.close();
    return got;
  })();
  const client = spawnSocktool(["-p", String(freePort()), "127.0.0.1", String(server.addr.port)]);
  await client.write(up);
  await client.closeStdin();
  const [c, got] = await Promise.all([client.finish(60_000), serving]);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(await sha256(got), await sha256(up));
  assert.equal(await sha256(c.stdout), await sha256(down));
});

Deno.test("-p with a port in use: one line naming the bind, exit 1", async () => {
  using holder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const busy = holder.addr.port;
  const target = freePort();
  const r = await spawnSocktool([
    "-s",
    "127.0.0.1",
    "-p",
    String(busy),
    "127.0.0.1",
    String(target),
  ], {
    stdin: "null",
  }).finish();
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `socktool: bind 127.0.0.1:${busy}: address already in use\n`);
});

Deno.test("-s to a refused port: one line naming the target, exit 1", async () => {
  const target = freePort();
  const r = await spawnSocktool(["-s", "127.0.0.1", "127.0.0.1", String(target)], { stdin: "null" })
    .finish();
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `socktool: connect 127.0.0.1:${target}: connection refused\n`);
});

Deno.test("-s with an address of the other family than the target: exit 2 before connecting", async () => {
  const r = await spawnSocktool(["-s", "127.0.0.1", "::1", "80"], { stdin: "null" }).finish();
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "socktool: option -s gives an IPv4 address, but ::1 is an IPv6 address (see 'socktool --help')\n",
  );
});
