/**
 * The 1 GiB case of issue 2: `socktool -l PORT > out.bin` and
 * `socktool HOST PORT < in.bin`, both exiting by themselves, files identical.
 */
import assert from "node:assert/strict";
import { socktoolCommand, spawn } from "./_test_utils/harness.ts";

Deno.test("a 1 GiB random file goes through socktool -l > out and socktool < in byte-identical", async () => {
  const dir = await Deno.makeTempDir({ prefix: "socktool-1g-" });
  try {
    const q = (s: string) => `'${s}'`;
    const st = socktoolCommand().map(q).join(" ");
    // The shell does the redirections exactly as a user types them.
    const script = `
      set -e
      head -c 1073741824 /dev/urandom > in.bin
      ${st} -lv 127.0.0.1 0 > out.bin 2> server.err &
      server=$!
      for i in $(seq 1 200); do grep -q 'listening on' server.err && break; sleep 0.05; done
      port=$(sed -n 's/.*listening on .*:\\([0-9]*\\)$/\\1/p' server.err)
      ${st} 127.0.0.1 "$port" < in.bin
      wait "$server"
      cmp in.bin out.bin && echo identical
    `;
    const r = await spawn("bash", ["-c", script], { cwd: dir, stdin: "null" }).finish(120_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(new TextDecoder().decode(r.stdout), "identical\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
