/**
 * End-to-end tests of paths under /dev and /proc, which Deno opens only with
 * `--allow-all` (`lib/io/fd_path.ts`): `-o`/`-x` to the process's own stdout,
 * stderr and inherited descriptors, files given by process substitution
 * `<(...)` and `/dev/stdin`, and one clear line for any other such path.
 * Each runs the CLI as a user types it, through bash where the shell makes
 * the path.
 */
import assert from "node:assert/strict";
import {
  readConnToEnd,
  type Running,
  socktoolCommand,
  spawn,
  spawnSocktool,
} from "./_test_utils/harness.ts";
import { inTempDir } from "./_test_utils/files.ts";
import { makeTestCerts } from "./_test_utils/tls_certs.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/**
 * Runs socktool under bash, `script` being what follows the command (it may
 * use `<(...)`, redirections and `$A`, `$B` from `env`).
 */
function socktoolInBash(script: string, env: Record<string, string> = {}): Running {
  return spawn("bash", ["-c", `exec "$@" ${script}`, "bash", ...socktoolCommand()], { env });
}

/** A loopback server that reads one line and answers `reply`, then closes; resolves with the port. */
function answeringServer(reply: string): { port: number; heard: Promise<string> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const heard = (async () => {
    using conn = await listener.accept();
    listener.close();
    const buf = new Uint8Array(1024);
    let got = "";
    while (!got.endsWith("\n")) {
      const n = await conn.read(buf);
      if (n === null) break;
      got += dec(buf.subarray(0, n));
    }
    await conn.write(enc(reply));
    return got;
  })();
  return { port: (listener.addr as Deno.NetAddr).port, heard };
}

for (const path of ["/dev/stderr", "/dev/fd/2", "/proc/self/fd/2"]) {
  Deno.test(`-o ${path}: both directions are written to stderr, beside the -v lines`, async () => {
    const server = answeringServer("answer\n");
    const client = spawnSocktool(["-v", "-o", path, "127.0.0.1", String(server.port)]);
    await client.write("question\n");
    await client.closeStdin();
    assert.equal(await server.heard, "question\n");
    const r = await client.finish();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(dec(r.stdout), "answer\n");
    assert.match(r.stderr, /^socktool: connected to 127\.0\.0\.1:\d+\n/);
    assert.ok(r.stderr.includes("question\nanswer\n"), r.stderr);
  });
}

Deno.test("-x /dev/stderr with --append-output: the hex dump goes to stderr", async () => {
  const server = answeringServer("pong\n");
  const client = spawnSocktool([
    "-x",
    "/dev/stderr",
    "--append-output",
    "127.0.0.1",
    `${server.port}`,
  ]);
  await client.write("ping\n");
  await client.closeStdin();
  await server.heard;
  const r = await client.finish();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^> 0000 {3}70 69 6e 67 0a .*ping\.\s*$/m);
  assert.match(r.stderr, /^< 0000 {3}70 6f 6e 67 0a .*pong\.\s*$/m);
});

Deno.test("-o /dev/stdout: the log interleaves with the data; stdout stays open for it after the peer's EOF", async () => {
  // The peer answers and half-closes first: socktool's data on stdout ends
  // there, but the log of what stdin still sends must reach stdout too.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const heard = (async () => {
    using conn = await listener.accept();
    listener.close();
    await conn.write(enc("answer\n"));
    await conn.closeWrite();
    return dec(await readConnToEnd(conn));
  })();
  const port = (listener.addr as Deno.NetAddr).port;
  const client = spawnSocktool(["-vv", "-o", "/dev/stdout", "127.0.0.1", String(port)]);
  await client.waitForStderr(/remote side closed/);
  await client.write("question\n");
  await client.closeStdin();
  assert.equal(await heard, "question\n");
  const r = await client.finish();
  assert.equal(r.code, 0, r.stderr);
  assert.equal(dec(r.stdout), "answer\nanswer\nquestion\n");
});

Deno.test("-o /dev/fd/3 with 3> a file, and 3> a process substitution", () =>
  inTempDir(async (dir) => {
    for (
      const [redirect, file] of [[`3>"$A"`, `${dir}/a.log`], [`3> >(cat > "$A")`, `${dir}/b.log`]]
    ) {
      const server = answeringServer("answer\n");
      const client = socktoolInBash(`-o /dev/fd/3 127.0.0.1 ${server.port} ${redirect}`, {
        A: file,
      });
      await client.write("question\n");
      await client.closeStdin();
      await client.closeStdin();
      await server.heard;
      const r = await client.finish();
      assert.equal(r.code, 0, r.stderr);
      assert.equal(dec(r.stdout), "answer\n");
      // The substitution's cat may finish a moment after socktool: wait for its bytes.
      const deadline = Date.now() + 5_000;
      let logged = "";
      while ((logged = await Deno.readTextFile(file).catch(() => "")) !== "question\nanswer\n") {
        if (Date.now() > deadline) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      assert.equal(logged, "question\nanswer\n", redirect);
    }
  }));

Deno.test("a path under /dev that Deno refuses: one line that says why, exit 2", async () => {
  for (const [flag, path] of [["-o", "/dev/shm/socktool-never"], ["-x", "/proc/self/status"]]) {
    const r = await spawnSocktool(["-l", "127.0.0.1", "0", flag, path], { stdin: "null" }).finish();
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `socktool: open ${flag} file ${path}: refused by Deno, which opens files under /dev, /proc ` +
        "and /sys only with --allow-all (socktool's permission set names what it needs); " +
        "use a path elsewhere (see 'socktool --help')\n",
    );
  }
});

Deno.test("a Unix socket under /dev/shm: listening (exit 2) and connecting (exit 1) say why Deno refuses", async () => {
  const reason = "refused by Deno, which opens files under /dev, /proc and /sys only with " +
    "--allow-all (socktool's permission set names what it needs); use a path elsewhere";
  const path = "/dev/shm/socktool-never.sock";
  const listen = await spawnSocktool(["-lU", path], { stdin: "null" }).finish();
  assert.equal(listen.code, 2);
  assert.equal(listen.stderr, `socktool: listen ${path}: ${reason} (see 'socktool --help')\n`);
  const connect = await spawnSocktool(["-U", path], { stdin: "null" }).finish();
  assert.equal(connect.code, 1);
  assert.equal(connect.stderr, `socktool: connect ${path}: ${reason}\n`);
});

Deno.test("--ssl-cert and --ssl-key from process substitutions <(...); a client trusts --ssl-trustfile <(...)", async () => {
  const certs = await makeTestCerts();
  try {
    const env = { A: certs.serverCert, B: certs.serverKey };
    const server = socktoolInBash(
      `-lv --ssl --ssl-cert <(cat "$A") --ssl-key <(cat "$B") 127.0.0.1 0`,
      env,
    );
    const port = await server.listeningPort();
    const client = socktoolInBash(
      `--ssl --ssl-verify --ssl-trustfile <(cat "$A") localhost ${port}`,
      {
        A: certs.caCert,
      },
    );
    await client.write("over tls\n");
    await client.closeStdin();
    await server.waitForStderr(/connection from/);
    await server.write("back\n");
    await server.closeStdin();
    const [s, c] = await Promise.all([server.finish(), client.finish()]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(dec(s.stdout), "over tls\n");
    assert.equal(dec(c.stdout), "back\n");
  } finally {
    await certs.remove();
  }
});

Deno.test("--allowfile <(...) and --denyfile /dev/stdin: both files are read, deny wins", async () => {
  const server = socktoolInBash(
    `-lkv --allowfile <(echo 127.0.0.0/8) --denyfile /dev/stdin 127.0.0.1 0 <<< 127.0.0.1`,
  );
  try {
    const port = await server.listeningPort();
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    await server.waitForStderr(/refused connection from 127\.0\.0\.1:\d+: not allowed/);
  } finally {
    server.kill();
    await server.finish();
  }
});

Deno.test("-o /dev/stdout whose reader leaves: socktool ends quietly, as without -o", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    using conn = await listener.accept();
    listener.close();
    await conn.write(new Uint8Array(4 << 20)).catch(() => {});
  })();
  const port = (listener.addr as Deno.NetAddr).port;
  const run = spawn("bash", [
    "-c",
    `"$@" -o /dev/stdout 127.0.0.1 ${port} </dev/null | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`,
    "bash",
    ...socktoolCommand(),
  ]);
  const r = await run.finish();
  await served;
  assert.equal(r.stderr, "");
  assert.equal(dec(r.stdout), "0\n");
});
