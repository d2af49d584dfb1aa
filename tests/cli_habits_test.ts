/**
 * The command line meets people's habits, through the real CLI: a close
 * guess for a mistyped option, a port glued to `-l`, `HOST:PORT` as one
 * argument, a bare port, and ncat's `--ssl-verify`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSocktool } from "./_test_utils/harness.ts";
import { makeTestCerts } from "./_test_utils/tls_certs.ts";

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs socktool to its end with no stdin. */
const runSocktool = (args: string[]) => spawnSocktool(args, { stdin: "null" }).finish();

Deno.test("a mistyped long option gets exit 2 and the closest option as a hint", async () => {
  const r = await runSocktool(["--sslx", "127.0.0.1", "1"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "socktool: unknown option --sslx (did you mean --ssl?)\n");
  const far = await runSocktool(["--frobnicate"]);
  assert.equal(far.stderr, "socktool: unknown option --frobnicate (see 'socktool --help')\n");
});

Deno.test("socktool 9999 says how to listen on 9999, exit 2", async () => {
  const r = await runSocktool(["9999"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "socktool: to listen on 9999, type socktool -l 9999 (to connect, give the host too: socktool HOST 9999)\n",
  );
});

Deno.test("-lv0 listens (the port glued to the flags) and socktool 127.0.0.1:PORT reaches it", async () => {
  const srv = spawnSocktool(["-lv0"], { stdin: "null" });
  const port = await srv.listeningPort();
  const client = spawnSocktool([`127.0.0.1:${port}`]);
  await client.write("glued and joined\n");
  await client.closeStdin();
  const [s, c] = await Promise.all([srv.finish(), client.finish()]);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(dec(s.stdout), "glued and joined\n");
});

Deno.test("[::1]:PORT as one argument connects over IPv6", async () => {
  const srv = spawnSocktool(["-lv", "::1", "0"], { stdin: "null" });
  const port = await srv.listeningPort();
  const client = spawnSocktool(["-v", `[::1]:${port}`]);
  await client.write("v6\n");
  await client.closeStdin();
  const [s, c] = await Promise.all([srv.finish(), client.finish()]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, new RegExp(`connected to \\[::1\\]:${port}`));
  assert.equal(dec(s.stdout), "v6\n");
});

Deno.test("--ssl-verify is ncat's --ssl that verifies: a self-signed server is refused, a trusted one served", async () => {
  const selfSigned = spawnSocktool(["-l", "--ssl", "127.0.0.1", "0", "-v"], { stdin: "null" });
  try {
    const port = await selfSigned.listeningPort();
    const r = await runSocktool(["--ssl-verify", "127.0.0.1", String(port)]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /certificate/);
  } finally {
    selfSigned.kill();
    await selfSigned.finish();
  }
  const certs = await makeTestCerts();
  try {
    const srv = spawnSocktool(
      [
        "-lv",
        "--ssl",
        "--ssl-cert",
        certs.serverCert,
        "--ssl-key",
        certs.serverKey,
        "127.0.0.1",
        "0",
      ],
      { stdin: "null" },
    );
    const port = await srv.listeningPort();
    const client = spawnSocktool([
      "--ssl-verify",
      "--ssl-trustfile",
      certs.caCert,
      "localhost",
      String(port),
    ]);
    await client.write("verified\n");
    await client.closeStdin();
    const [s, c] = await Promise.all([srv.finish(), client.finish()]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(dec(s.stdout), "verified\n");
  } finally {
    await certs.remove();
  }
});
