import assert from "node:assert/strict";
import { LIBC_PATHS } from "./libc.ts";

const MOD = new URL("./stdin_direct.ts", import.meta.url).href;

/**
 * Starts a program that imports `stdin_direct.ts` as D, with only the `ffi`
 * permission socktool has, its stdin a pipe we write (or whatever `bash -c`
 * redirects when `shell` is given), and a 10 s deadline.
 */
async function start(body: string, shell?: string) {
  const dir = await Deno.makeTempDir();
  const script = `${dir}/prog.ts`;
  await Deno.writeTextFile(script, `import * as D from ${JSON.stringify(MOD)};\n${body}\n`);
  const deno = [Deno.execPath(), "run", "-q", "--no-config", `--allow-ffi=${LIBC_PATHS.join(",")}`];
  const argv = shell === undefined
    ? deno.concat(script)
    : ["bash", "-c", `${shell.replace("PROG", deno.concat(script).join(" "))}`];
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const done = child.status.finally(() => clearTimeout(timer));
  return {
    child,
    done,
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

/** Echoes stdin to stdout through the direct reader, in reads of at most 64 KiB. */
const ECHO = `
const stdin = D.directStdinReader();
if (stdin === undefined) throw new Error("no direct reader for " + D.stdinKind());
console.error(D.stdinKind());
const buf = new Uint8Array(65536);
for (let n = await stdin.read(buf); n !== null; n = await stdin.read(buf)) {
  let off = 0;
  while (off < n) off += await Deno.stdout.write(buf.subarray(off, n));
}
`;

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + seed * 7 + (i >> 9)) & 0xff;
  return out;
}

Deno.test("direct stdin, a pipe: bursts with waits between them come out whole and in order, EOF ends it", async () => {
  const p = await start(ECHO);
  try {
    const out = p.child.stdout.getReader();
    const writer = p.child.stdin.getWriter();
    const sent: Uint8Array[] = [];
    let got = 0;
    const received: Uint8Array[] = [];
    // Each burst is read back before the next is written: the reader found
    // the pipe empty (EAGAIN) and waited; a burst larger than the pipe
    // (3 MiB) is read partly at once and partly after waits.
    const sizes = [1, 7, 65536, 65537, 300_000, 3 * 1024 * 1024 + 3, 1, 1_000_000];
    for (const [i, size] of sizes.entries()) {
      const burst = pattern(size, i);
      sent.push(burst);
      const want = got + size;
      await Promise.all([
        writer.write(burst),
        (async () => {
          while (got < want) {
            const r = await out.read();
            if (r.done) throw new Error(`stdout ended after ${got} bytes`);
            received.push(r.value);
            got += r.value.length;
          }
        })(),
      ]);
    }
    await writer.close();
    for (let r = await out.read(); !r.done; r = await out.read()) received.push(r.value);
    const status = await p.done;
    const stderr = new TextDecoder().decode(await new Response(p.child.stderr).arrayBuffer());
    assert.equal(status.code, 0, stderr);
    assert.equal(stderr.trim(), "pipe");
    const all = (parts: Uint8Array[]) => new Uint8Array(parts.flatMap((x) => [...x]));
    assert.deepEqual(all(received), all(sent));
  } finally {
    await p.cleanup();
  }
});

Deno.test("direct stdin, a regular file: read from the shell's offset, to EOF", async () => {
  const file = await Deno.makeTempFile();
  const data = pattern(2 * 1024 * 1024 + 11, 3);
  await Deno.writeFile(file, data);
  // dd takes the first 5 bytes of the shared open file; the program gets the rest.
  const p = await start(ECHO, `{ dd bs=5 count=1 of=/dev/null 2>/dev/null; exec PROG; } < ${file}`);
  try {
    await p.child.stdin.close();
    const [status, stdout, stderr] = await Promise.all([
      p.done,
      new Response(p.child.stdout).arrayBuffer(),
      new Response(p.child.stderr).text(),
    ]);
    assert.equal(status.code, 0, stderr);
    assert.equal(stderr.trim(), "file");
    assert.deepEqual(new Uint8Array(stdout), data.subarray(5));
  } finally {
    await p.cleanup();
    await Deno.remove(file);
  }
});

Deno.test("direct stdin: /dev/null reads as EOF at once; a socket is not read directly", async () => {
  const p = await start(
    `const r = D.directStdinReader(); console.log(D.stdinKind(), await r?.read(new Uint8Array(8)));`,
    "exec PROG < /dev/null",
  );
  try {
    await p.child.stdin.close();
    const [status, stdout] = await Promise.all([p.done, new Response(p.child.stdout).text()]);
    assert.equal(status.code, 0);
    assert.equal(stdout.trim(), "file null");
  } finally {
    await p.cleanup();
  }
  // A socket as stdin (bash opens a TCP connection to our listener as fd 0).
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const s = await start(
    `console.log(D.stdinKind(), D.directStdinReader() === undefined);`,
    `exec PROG 0<>/dev/tcp/127.0.0.1/${listener.addr.port}`,
  );
  try {
    await s.child.stdin.close();
    const [status, stdout] = await Promise.all([s.done, new Response(s.child.stdout).text()]);
    (await listener.accept()).close();
    assert.equal(status.code, 0);
    assert.equal(stdout.trim(), "other true");
  } finally {
    await s.cleanup();
  }
});

Deno.test("direct stdin: close() ends a pending wait on an open, empty pipe and the program exits", async () => {
  const p = await start(`
const stdin = D.directStdinReader()!;
const pending = stdin.read(new Uint8Array(16));
console.error("waiting");
setTimeout(() => stdin.close(), 50);
console.log("read:", await pending, await stdin.read(new Uint8Array(16)));
`);
  try {
    // Our end of the pipe stays open and empty: only close() can end the read.
    const [status, stdout, stderr] = await Promise.all([
      p.done,
      new Response(p.child.stdout).text(),
      new Response(p.child.stderr).text(),
    ]);
    assert.equal(status.code, 0, stderr);
    assert.equal(stdout.trim(), "read: null null");
  } finally {
    await p.child.stdin.close().catch(() => {});
    await p.cleanup();
  }
});
