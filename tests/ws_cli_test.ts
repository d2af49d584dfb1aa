/**
 * The WebSocket options on the command line as a user types them: bad values
 * are one line and exit 2 before any socket opens, and `--help` lists them.
 */
import assert from "node:assert/strict";
import { spawnSocktool } from "./_test_utils/harness.ts";

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function refused(args: string[]): Promise<string> {
  const r = await spawnSocktool(args, { stdin: "null" }).finish();
  assert.equal(r.code, 2, r.stderr);
  assert.equal(dec(r.stdout), "");
  assert.equal(r.stderr.split("\n").length, 2, `one line: ${r.stderr}`);
  return r.stderr;
}

Deno.test("a malformed ws:// URL is one line, exit 2", async () => {
  assert.equal(
    await refused(["ws://127.0.0.1:99999/x"]),
    "socktool: bad URL 'ws://127.0.0.1:99999/x': bad port '99999': must be a number from 1 to 65535 (see 'socktool --help')\n",
  );
});

Deno.test("a --header without a colon is one line, exit 2", async () => {
  assert.equal(
    await refused(["--header", "X-Token abc", "ws://127.0.0.1:1/"]),
    "socktool: bad value 'X-Token abc' for --header: expected 'Name: value' (see 'socktool --help')\n",
  );
});

Deno.test("--binary without a WebSocket endpoint is one line, exit 2", async () => {
  assert.match(
    await refused(["--binary", "127.0.0.1", "1"]),
    /^socktool: option --binary needs a WebSocket endpoint: ws:\/\/HOST:PORT\/PATH, wss:\/\/\.\.\., -l --ws PORT or --forward ws:\/\/\.\.\. \(see 'socktool --help'\)\n$/,
  );
});

Deno.test("--help lists the WebSocket options", async () => {
  const r = await spawnSocktool(["--help"], { stdin: "null" }).finish();
  assert.equal(r.code, 0);
  const help = dec(r.stdout);
  for (
    const option of [
      "ws://HOST",
      "--ws",
      "--binary",
      "--header",
      "--subprotocol",
    ]
  ) {
    assert.ok(help.includes(option), `--help lacks ${option}`);
  }
  assert.match(
    help,
    /--forward TARGET[^]*ws:\/\/\.\.\. or wss:\/\/\.\.\./,
    "--forward names ws://",
  );
});
