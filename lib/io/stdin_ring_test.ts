import assert from "node:assert/strict";
import { stdinRing } from "./stdin_ring.ts";

/** A child that copies its stdin to stdout through stdinRing, reading with `bufSize` buffers. */
async function copyThroughRing(input: Uint8Array, ringAfter: number, bufSize: number) {
  // The child waits (with a deadline) for the worker to be ready after its first read, so
  // that the hand-over happens mid-stream whatever the machine's speed; it reports the mode.
  const dir = await Deno.makeTempDir();
  try {
    const script = `${dir}/copy.ts`;
    const ring = new URL("./stdin_ring.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { stdinRing } from ${JSON.stringify(ring)};
const stdin = stdinRing({ ringAfter: ${ringAfter}, size: 65536 });
const buf = new Uint8Array(${bufSize});
for (let first = true;; first = false) {
  const n = await stdin.read(buf);
  if (first && stdin.mode !== "direct") {
    const end = Date.now() + 10_000;
    while (stdin.mode === "booting" && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  }
  if (n === null) break;
  let off = 0;
  while (off < n) off += Deno.stdout.writeSync(buf.subarray(off, n));
}
console.error(stdin.mode);
stdin.close();
Deno.exit(0);
`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "--allow-read", script],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    const out = new Response(child.stdout).arrayBuffer();
    const err = new Response(child.stderr).text();
    const w = child.stdin.getWriter();
    // Uneven writes, so that reads see every kind of boundary.
    for (let off = 0, i = 0; off < input.length; i++) {
      const n = Math.min(input.length - off, 1 + ((i * 7919) % 50000));
      await w.write(input.subarray(off, off + n));
      off += n;
    }
    await w.close();
    const status = await child.status;
    assert.equal(status.code, 0, await err);
    return { bytes: new Uint8Array(await out), mode: (await err).trim() };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 8)) & 0xff;
  return b;
}

Deno.test("stdinRing hands over from direct reads to the worker without losing or reordering a byte", async () => {
  const input = pattern(3 * 1024 * 1024 + 12345);
  const { bytes, mode } = await copyThroughRing(input, 1, 16384);
  assert.equal(mode, "ring");
  assert.equal(bytes.length, input.length);
  assert.ok(bytes.every((b, i) => b === input[i]), "bytes differ");
});

Deno.test("stdinRing reads a small input directly to its end", async () => {
  const input = pattern(5000);
  const { bytes, mode } = await copyThroughRing(input, 1024 * 1024, 4096);
  assert.equal(mode, "direct");
  assert.deepEqual(bytes, input);
});

Deno.test("stdinRing refuses a ring size that is not a power of two", () => {
  assert.throws(() => stdinRing({ size: 1000 }), RangeError);
});
