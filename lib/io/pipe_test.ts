import assert from "node:assert/strict";
import { PIPE_BYTES } from "./pipe.ts";

/**
 * Runs `code` (which may import pipe.ts as PIPE) in a child whose stdout is a pipe that is
 * not read until the child has ended.
 */
async function child(code: string) {
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/child.ts`;
    const mod = new URL("./pipe.ts", import.meta.url).href;
    await Deno.writeTextFile(script, `import * as PIPE from ${JSON.stringify(mod)};\n${code}`);
    const cmd = new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "--allow-read", "--allow-ffi", script],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    // Stdout is read only once the child has ended (its stderr is closed).
    const err = await new Response(cmd.stderr).text();
    const out = new Uint8Array(await new Response(cmd.stdout).arrayBuffer());
    const status = await cmd.status;
    return { out, err, code: status.code };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("enlargePipe raises a pipe to 1 MiB; pipeWriterNow writes only what fits, never waiting", async () => {
  // Nobody reads the pipe while the child writes: a write that waited would hang it.
  const r = await child(`
const size = PIPE.enlargePipe(1);
const now = PIPE.pipeWriterNow(1);
const chunk = new Uint8Array(256 * 1024).fill(7);
let total = 0;
for (let i = 0; i < 8; i++) total += now(chunk);
console.error(JSON.stringify({ size, total, full: now(chunk) }));
`);
  assert.equal(r.code, 0, r.err);
  const { size, total, full } = JSON.parse(r.err);
  assert.equal(size, PIPE_BYTES);
  assert.equal(full, 0);
  assert.ok(total > PIPE_BYTES - 16384 && total <= PIPE_BYTES, `wrote ${total}`);
  assert.equal(r.out.length, total);
  assert.ok(r.out.every((b) => b === 7));
});

Deno.test("enlargePipe and pipeWriterNow leave what is not a pipe alone", async () => {
  // In a child whose stdout is a regular file.
  const file = await Deno.makeTempFile();
  try {
    const mod = new URL("./pipe.ts", import.meta.url).href;
    const code = `import * as P from ${JSON.stringify(mod)};
console.error(JSON.stringify([P.enlargePipe(1) ?? null, P.pipeWriterNow(1) ?? null, P.enlargePipe(1000) ?? null]));`;
    const out = await new Deno.Command("sh", {
      args: ["-c", `exec "$0" run -q --allow-read --allow-ffi - > "$1"`, Deno.execPath(), file],
      stdin: "piped",
      stderr: "piped",
    }).spawn();
    const w = out.stdin.getWriter();
    await w.write(new TextEncoder().encode(code));
    await w.close();
    const { stderr } = await out.output();
    assert.deepEqual(JSON.parse(new TextDecoder().decode(stderr)), [null, null, null]);
  } finally {
    await Deno.remove(file);
  }
});
