/**
 * End-to-end tests of `--allow` / `--deny` / `--allowfile` / `--denyfile`.
 * A listener on `::` sees IPv4 clients as IPv4-mapped IPv6 addresses
 * (`::ffff:127.0.0.1`), so these tests cover that form too.
 */
import assert from "node:assert/strict";
import { spawnSocktool, writeConnAll } from "./_test_utils/harness.ts";
import {
  closeQuietly,
  connect,
  dec,
  enc,
  readToEndWithin,
  sendAndReceive,
} from "./_test_utils/client.ts";

Deno.test("--deny 127.0.0.0/8 on [::]: an IPv4 client gets nothing, an IPv6 one is served", async () => {
  const srv = spawnSocktool(["-lkv", "--deny", "127.0.0.0/8", "--serve", "echo", "::", "0"], {
    stdin: "null",
  });
  try {
    const port = await srv.listeningPort();
    const denied = await connect(port, "127.0.0.1");
    await writeConnAll(denied, enc("let me in"));
    assert.equal((await readToEndWithin(denied)).length, 0, "a denied client receives nothing");
    closeQuietly(denied);
    await srv.waitForStderr(
      /refused connection from 127\.0\.0\.1:\d+: not allowed by --allow\/--deny/,
    );
    assert.equal(dec(await sendAndReceive(await connect(port, "::1"), enc("v6"))), "v6");
    assert.doesNotMatch(srv.stderrText(), /connection from 127\.0\.0\.1:\d+\n/);
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("--allow ::1 without -k: refused clients do not end the listener; the allowed one is served", async () => {
  const srv = spawnSocktool(["-lv", "--allow", "::1", "::", "0"]);
  const port = await srv.listeningPort();
  for (let i = 0; i < 3; i++) {
    const c = await connect(port, "127.0.0.1");
    assert.equal((await readToEndWithin(c)).length, 0);
    closeQuietly(c);
  }
  const ok = await connect(port, "::1");
  await srv.write("hello v6\n");
  await srv.closeStdin();
  await writeConnAll(ok, enc("hi\n"));
  await ok.closeWrite();
  assert.equal(dec(await readToEndWithin(ok)), "hello v6\n");
  closeQuietly(ok);
  const s = await srv.finish();
  assert.equal(s.code, 0, s.stderr);
  assert.equal(dec(s.stdout), "hi\n");
  assert.equal(s.stderr.match(/refused connection/g)?.length, 3);
});

Deno.test("--allowfile and --denyfile: entries per line, comments, deny wins", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/allow`, "# loopback only\n127.0.0.0/8   # v4\n\n::1\n");
    await Deno.writeTextFile(`${dir}/deny`, "# not v6\n::1/128\n");
    const srv = spawnSocktool([
      "-lkv",
      "--allowfile",
      `${dir}/allow`,
      "--denyfile",
      `${dir}/deny`,
      "--serve",
      "upper",
      "::",
      "0",
    ], { stdin: "null" });
    try {
      const port = await srv.listeningPort();
      assert.equal(dec(await sendAndReceive(await connect(port, "127.0.0.1"), enc("ok"))), "OK");
      const v6 = await connect(port, "::1");
      assert.equal((await readToEndWithin(v6)).length, 0);
      closeQuietly(v6);
      await srv.waitForStderr(/refused connection from \[::1\]:\d+/);
    } finally {
      srv.kill();
      await srv.finish();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a malformed CIDR is one usage line, exit 2, before anything listens", async () => {
  for (
    const [args, re] of [
      [
        ["--allow", "10.0.0.0/33"],
        /^socktool: bad rule '10\.0\.0\.0\/33' in --allow: prefix length must be 0-32/,
      ],
      [
        ["--deny", "1.2.3"],
        /^socktool: bad rule '1\.2\.3' in --deny: not an IP address or address range/,
      ],
      [
        ["--allowfile", "/nonexistent/allow"],
        /^socktool: --allowfile \/nonexistent\/allow: no such file or directory/,
      ],
    ] as const
  ) {
    const r = await spawnSocktool(["-lkv", ...args, "127.0.0.1", "0"], { stdin: "null" }).finish();
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

Deno.test("an allow list that names nobody admits nobody: one warning, every client closed unread", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/allow`, "# nobody yet\n\n");
    for (const flags of [["--allow", ""], ["--allow", ","], ["--allowfile", `${dir}/allow`]]) {
      const srv = spawnSocktool(["-lkv", ...flags, "127.0.0.1", "0"]);
      try {
        const port = await srv.listeningPort();
        await srv.write("secret for clients\n");
        for (let i = 0; i < 2; i++) {
          const c = await connect(port, "127.0.0.1");
          await writeConnAll(c, enc("let me in\n")).catch(() => {});
          assert.equal((await readToEndWithin(c)).length, 0, `${flags.join(" ")}: nothing sent`);
          closeQuietly(c);
        }
        await srv.waitForStderr(/(refused connection from 127\.0\.0\.1:\d+.*\n.*){2}/s);
      } finally {
        srv.kill();
        const r = await srv.finish();
        assert.equal(r.stdout.length, 0, `${flags.join(" ")}: nothing read from a refused client`);
        const warnings = r.stderr.match(/names no address: every client will be refused\n/g);
        assert.equal(warnings?.length, 1, r.stderr);
        assert.match(r.stderr, /^socktool: --allow(file)? names no address/, "the first line");
        assert.doesNotMatch(r.stderr, /connection from 127\.0\.0\.1:\d+\n/);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ncat's address sets: --allowfile with a wildcard and two rules on a line, --deny with an octet range", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/allow`, "127.0.*.* ::2   # loopback v4, not ::1\n");
    const srv = spawnSocktool(
      [
        "-lkv",
        "--allowfile",
        `${dir}/allow`,
        "--deny",
        "127.0.0.2-9",
        "--serve",
        "upper",
        "::",
        "0",
      ],
      { stdin: "null" },
    );
    try {
      const port = await srv.listeningPort();
      assert.equal(dec(await sendAndReceive(await connect(port, "127.0.0.1"), enc("ok"))), "OK");
      const v6 = await connect(port, "::1");
      assert.equal((await readToEndWithin(v6)).length, 0, "::1 is in no allow rule");
      closeQuietly(v6);
      await srv.waitForStderr(/refused connection from \[::1\]:\d+: not allowed/);
    } finally {
      srv.kill();
      await srv.finish();
    }
    const bad = await spawnSocktool(["-l", "--deny", "127.0.0.9-2", "0"], { stdin: "null" })
      .finish();
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /^socktool: bad rule '127\.0\.0\.9-2' in --deny: octet range '9-2' runs backwards/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
