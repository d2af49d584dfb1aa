/**
 * `-e`/`-c` programs find the session in ncat's variables too
 * (`NCAT_REMOTE_ADDR/PORT`, `NCAT_LOCAL_ADDR/PORT`, `NCAT_PROTO`), with the
 * values ncat gives, beside socktool's own `SOCKTOOL_PEER_*`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readConnToEnd, spawnSocktool } from "./_test_utils/harness.ts";
import { closeQuietly, connect, dec, readToEndWithin } from "./_test_utils/client.ts";

const PRINT_ENV = 'echo "$NCAT_REMOTE_ADDR|$NCAT_REMOTE_PORT|$NCAT_LOCAL_ADDR|$NCAT_LOCAL_PORT|' +
  '$NCAT_PROTO|$SOCKTOOL_PEER_ADDR|$SOCKTOOL_PEER_PORT"';

Deno.test("-l -c: the program sees ncat's NCAT_REMOTE/LOCAL_ADDR/PORT and NCAT_PROTO", async () => {
  const srv = spawnSocktool(["-l", "-c", PRINT_ENV, "127.0.0.1", "0", "-v"], { stdin: "null" });
  try {
    const port = await srv.listeningPort();
    const conn = await connect(port);
    const me = conn.localAddr;
    const line = dec(await readToEndWithin(conn));
    closeQuietly(conn);
    assert.equal(
      line,
      `127.0.0.1|${me.port}|127.0.0.1|${port}|TCP|127.0.0.1|${me.port}\n`,
    );
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("-e on an IPv6 listener: addresses without brackets, as ncat prints them", async () => {
  const srv = spawnSocktool(["-lv", "::1", "0", "-e", "/bin/sh -c env"], { stdin: "null" });
  try {
    const port = await srv.listeningPort();
    const conn = await connect(port, "::1");
    const env = dec(await readToEndWithin(conn));
    closeQuietly(conn);
    assert.match(env, /^NCAT_REMOTE_ADDR=::1$/m);
    assert.match(env, new RegExp(`^NCAT_REMOTE_PORT=${conn.localAddr.port}$`, "m"));
    assert.match(env, /^NCAT_LOCAL_ADDR=::1$/m);
    assert.match(env, new RegExp(`^NCAT_LOCAL_PORT=${port}$`, "m"));
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("connect -c: the program sees the server as remote and its own socket as local", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = spawnSocktool(["-c", PRINT_ENV, "127.0.0.1", String(listener.addr.port)], {
    stdin: "null",
  });
  const conn = await listener.accept();
  const line = dec(await readConnToEnd(conn));
  conn.close();
  const r = await client.finish();
  assert.equal(r.code, 0, r.stderr);
  const peer = conn.remoteAddr as Deno.NetAddr;
  const port = listener.addr.port;
  assert.equal(line, `127.0.0.1|${port}|127.0.0.1|${peer.port}|TCP|127.0.0.1|${port}\n`);
});

Deno.test("-lU -c: on a Unix socket ncat's addresses are 'localhost' and its ports empty", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/s.sock`;
  const srv = spawnSocktool(["-lUv", path, "-c", PRINT_ENV], { stdin: "null" });
  try {
    await srv.waitForStderr(/listening on /);
    const conn = await Deno.connect({ transport: "unix", path });
    const line = dec(await readConnToEnd(conn));
    conn.close();
    assert.match(line, /^localhost\|\|localhost\|\|TCP\|/);
  } finally {
    srv.kill();
    await srv.finish();
    await Deno.remove(dir, { recursive: true });
  }
});
