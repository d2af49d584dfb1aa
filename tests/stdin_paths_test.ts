/**
 * Stdin of every kind through the real CLI to a real socket, bytes compared:
 * a pipe fed in bursts with waits between them, a FIFO, a file read from the
 * shell's offset, a socket (the worker ring's path). A pipe is read on the
 * main thread with no worker (lib/io/stdin_direct.ts).
 */
import assert from "node:assert/strict";
import {
  randomBytes,
  sha256,
  socktoolCommand,
  spawn,
  spawnSocktool,
} from "./_test_utils/harness.ts";

/** A loopback listener that collects one connection's bytes; `until(n)` resolves once n have come. */
function receiver() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const parts: Uint8Array[] = [];
  let got = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const done = (async () => {
    const conn = await listener.accept();
    listener.close();
    const buf = new Uint8Array(256 * 1024);
    for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
      parts.push(buf.slice(0, n));
      got += n;
      for (const w of waiters.filter((w) => got >= w.n)) w.resolve();
    }
    // EOF: socktool half-closed; our close ends its session.
    conn.close();
    const all = new Uint8Array(got);
    let off = 0;
    for (const p of parts) all.set(p, (off += p.length) - p.length);
    return all;
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    done,
    until: (n: number) =>
      got >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
  };
}

/** The names of a process's threads (Linux; read by `cat`: Deno asks for --allow-all to read /proc). */
function threadNames(pid: number): string[] {
  const out = new Deno.Command("bash", { args: ["-c", `cat /proc/${pid}/task/*/comm`] })
    .outputSync();
  return new TextDecoder().decode(out.stdout).split("\n").filter((n) => n !== "");
}

const SIZES = [1, 65536, 3 * 1024 * 1024 + 5, 2, 200_001];

Deno.test("stdin a pipe fed in bursts, each sent before the next is written: byte-exact, no worker, EOF half-closes", async () => {
  const rx = receiver();
  const client = spawnSocktool(["127.0.0.1", String(rx.port)]);
  const sent: Uint8Array[] = [];
  let total = 0;
  for (const [i, size] of SIZES.entries()) {
    const burst = randomBytes(size, i + 1);
    sent.push(burst);
    total += size;
    await client.write(burst);
    // All of it went out: socktool found the pipe empty and now waits on it.
    await rx.until(total);
  }
  // No second JavaScript runtime was started to read stdin (its thread is "worker-N").
  const threads = threadNames(client.child.pid);
  assert.ok(threads.includes("deno"), threads.join());
  assert.deepEqual(threads.filter((n) => n.startsWith("worker")), []);
  await client.closeStdin();
  const [data, c] = await Promise.all([rx.done, client.finish()]);
  assert.equal(c.code, 0, c.stderr);
  const all = new Uint8Array(total);
  let off = 0;
  for (const p of sent) all.set(p, (off += p.length) - p.length);
  assert.equal(data.length, total);
  assert.equal(await sha256(data), await sha256(all));
});

Deno.test("stdin a FIFO written in bursts: byte-exact, and the FIFO's EOF ends the session", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fifo = `${dir}/in.fifo`;
    new Deno.Command("mkfifo", { args: [fifo] }).outputSync();
    const rx = receiver();
    const st = socktoolCommand().map((s) => `'${s}'`).join(" ");
    const client = spawn("bash", ["-c", `exec ${st} 127.0.0.1 ${rx.port} < '${fifo}'`], {
      stdin: "null",
    });
    // Opening for writing waits for socktool's shell to open it for reading.
    const w = await Deno.open(fifo, { write: true });
    const data = randomBytes(5 * 1024 * 1024 + 3, 9);
    const cuts = [0, 1, 70_000, 2 * 1024 * 1024, data.length];
    for (let i = 1; i < cuts.length; i++) {
      const part = data.subarray(cuts[i - 1], cuts[i]);
      for (let off = 0; off < part.length;) off += await w.write(part.subarray(off));
      await rx.until(cuts[i]);
    }
    w.close();
    const [got, c] = await Promise.all([rx.done, client.finish()]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(got.length, data.length);
    assert.equal(await sha256(got), await sha256(data));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stdin a file: socktool sends from the shell's offset to the end (as nc)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = randomBytes(4 * 1024 * 1024 + 1, 5);
    await Deno.writeFile(`${dir}/in.bin`, data);
    const rx = receiver();
    const st = socktoolCommand().map((s) => `'${s}'`).join(" ");
    // dd takes the first 10 bytes of the open file that the shell shares with socktool.
    const script =
      `{ dd bs=10 count=1 of=/dev/null 2>/dev/null; exec ${st} 127.0.0.1 ${rx.port}; } < in.bin`;
    const client = spawn("bash", ["-c", script], { stdin: "null", cwd: dir });
    const [got, c] = await Promise.all([rx.done, client.finish()]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(got.length, data.length - 10);
    assert.equal(await sha256(got), await sha256(data.subarray(10)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stdin a socket (read by the worker ring): byte-exact to the peer", async () => {
  const data = randomBytes(3 * 1024 * 1024 + 7, 11);
  // The source: whoever connects gets `data`, then EOF.
  using src = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const feeding = (async () => {
    const conn = await src.accept();
    for (let off = 0; off < data.length;) off += await conn.write(data.subarray(off));
    await conn.closeWrite();
    return conn;
  })();
  const rx = receiver();
  const st = socktoolCommand().map((s) => `'${s}'`).join(" ");
  const script = `exec ${st} 127.0.0.1 ${rx.port} 0<>/dev/tcp/127.0.0.1/${src.addr.port}`;
  const client = spawn("bash", ["-c", script], { stdin: "null" });
  const [got, c, conn] = await Promise.all([rx.done, client.finish(), feeding]);
  conn.close();
  assert.equal(c.code, 0, c.stderr);
  assert.equal(got.length, data.length);
  assert.equal(await sha256(got), await sha256(data));
});
