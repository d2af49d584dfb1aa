/**
 * Bad input and faults (SPEC §4): one `socktool: ...` line on stderr, the
 * documented exit code, no stack trace, nothing hanging.
 */
import assert from "node:assert/strict";
import {
  freePort,
  randomBytes,
  readConnToEnd,
  socktoolCommand,
  spawn,
  spawnSocktool,
} from "./_test_utils/harness.ts";
import { describeFailure } from "../main.ts";
import { SocktoolError } from "../lib/errors.ts";

async function runFails(args: string[], code: number, re: RegExp) {
  const r = await spawnSocktool(args, { stdin: "null" }).finish(15_000);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(r.code, code, `exit code of socktool ${args.join(" ")}: ${r.stderr}`);
  assert.equal(lines.length, 1, `exactly one line: ${r.stderr}`);
  assert.match(lines[0], /^socktool: /);
  assert.match(lines[0], re);
  assert.doesNotMatch(r.stderr, /\bat .*:\d+:\d+/, "no stack trace");
  assert.equal(r.stdout.length, 0, "nothing on stdout");
}

const usage: [string[], RegExp][] = [
  [["-y", "127.0.0.1", "1"], /unknown option -y/],
  [["127.0.0.1"], /missing port/],
  [["127.0.0.1", "0"], /bad port '0'/],
  [["127.0.0.1", "70000"], /bad port '70000'/],
  [["127.0.0.1", "abc"], /bad port 'abc'/],
  [["-n", "localhost", "80"], /-n forbids name lookup/],
  [["-l", "-s", "1.2.3.999", "-p", "4444"], /bad address '1.2.3.999'/],
  [["", "80"], /empty HOST/],
  [["-s", "", "127.0.0.1", "80"], /empty value for -s/],
  [["-U", ""], /empty PATH/],
  [["-lU", ""], /empty PATH/],
  [["--proxy", "", "127.0.0.1", "80"], /bad value '' for --proxy/],
  [["-w", "3000000", "127.0.0.1", "1"], /for -w: at most 2147483\.647 s/],
  [["-q", "3000000", "127.0.0.1", "1"], /for -q: at most 2147483\.647 s/],
  [["-i", "3000000", "127.0.0.1", "1"], /for -i: at most 2147483\.647 s/],
  [["-l", "--proxy-auth", "u:p", "0"], /option --proxy-auth with -l needs --proxy-server/],
  [["-l", "--proxy-type", "socks4", "0"], /bad value 'socks4' for --proxy-type with -l/],
  [["-l", "--broker", "--send-only", "0"], /options --broker and --send-only/],
  [["-l", "--chat", "--recv-only", "0"], /options --chat and --recv-only/],
  [["-lU", "/nonexistent/dir/s.sock"], /listen \/nonexistent\/dir\/s\.sock: no such directory/],
];
for (const [args, re] of usage) {
  Deno.test(`bad input: socktool ${args.join(" ")} exits 2 with one line`, () =>
    runFails(args, 2, re));
}

Deno.test("fault: connection refused exits 1 naming the address", () => {
  const port = freePort();
  return runFails(
    ["127.0.0.1", String(port)],
    1,
    new RegExp(`connect 127\\.0\\.0\\.1:${port}: connection refused`),
  );
});

Deno.test("fault: a refused connect with -v is still one line, not told twice", () => {
  const port = freePort();
  return runFails(
    ["-v", "127.0.0.1", String(port)],
    1,
    new RegExp(`connect 127\\.0\\.0\\.1:${port}: connection refused`),
  );
});

Deno.test("bad input: -e naming a file that is not executable says so, exit 2", async () => {
  const file = await Deno.makeTempFile();
  try {
    await runFails(["-e", file, "127.0.0.1", "1"], 2, /exec .*: is not executable/);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("bad input: -o FILE is left as it was when the command line is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/o.log`, "yesterday's session");
    for (
      const more of [
        ["-e", `${dir}/no-such-program`],
        ["-x", `${dir}/none/x.hex`],
        ["--ssl", "--ssl-cert", `${dir}/none.pem`],
      ]
    ) {
      const r = await spawnSocktool(["-o", `${dir}/o.log`, ...more, "127.0.0.1", "1"], {
        stdin: "null",
      }).finish();
      assert.equal(r.code, 2, r.stderr);
      assert.equal(await Deno.readTextFile(`${dir}/o.log`), "yesterday's session", more[0]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an error that is not a SocktoolError is named as an internal error, not a network one", () => {
  const bug = describeFailure(new TypeError("cannot read properties of undefined"));
  assert.deepEqual(bug, {
    line: "internal error: TypeError: cannot read properties of undefined",
    exitCode: 1,
  });
  assert.equal(describeFailure("thrown text").line, "internal error: thrown text");
  const expected = describeFailure(new SocktoolError("connect 127.0.0.1:9: connection refused", 1));
  assert.deepEqual(expected, { line: "connect 127.0.0.1:9: connection refused", exitCode: 1 });
});

Deno.test("fault: an unknown host exits 1 with no such host", () =>
  runFails(["no-such-host.invalid", "80"], 1, /no-such-host\.invalid: no such host/));

Deno.test("fault: address already in use exits 1", async () => {
  using busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await runFails(
    ["-l", "127.0.0.1", String(busy.addr.port)],
    1,
    /listen 127\.0\.0\.1:\d+: address already in use/,
  );
});

Deno.test("fault: a port in use on [::] is named as such, not retried on 0.0.0.0", async () => {
  using busy = Deno.listen({ hostname: "::", port: 0 });
  await runFails(
    ["-l", String(busy.addr.port)],
    1,
    new RegExp(`listen \\[::\\]:${busy.addr.port}: address already in use`),
  );
});

Deno.test("fault: a UDP port in use on [::] is named as such, not retried on 0.0.0.0", async () => {
  const busy = Deno.listenDatagram({ transport: "udp", hostname: "::", port: 0 });
  try {
    const port = (busy.addr as Deno.NetAddr).port;
    await runFails(
      ["-ul", String(port)],
      1,
      new RegExp(`listen \\[::\\]:${port}: address already in use`),
    );
  } finally {
    busy.close();
  }
});

Deno.test("fault: -w expiring on an idle session exits 1 with timed out", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = spawnSocktool(["-w", "1", "127.0.0.1", String(listener.addr.port)]);
  await client.write(""); // keep stdin open: the session is idle both ways
  const conn = await listener.accept();
  const r = await client.finish(10_000);
  await client.closeStdin();
  conn.close();
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^socktool: .*timed out\n$/);
});

for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`fault: ${sig} mid-transfer exits ${code} with no stack trace`, async () => {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const client = spawnSocktool(["127.0.0.1", String(listener.addr.port)]);
    const conn = await listener.accept();
    await client.write(randomBytes(1024 * 1024));
    const buf = new Uint8Array(65536);
    assert.ok((await conn.read(buf)) !== null, "transfer under way");
    client.kill(sig);
    const r = await client.finish(10_000);
    assert.equal(r.code, code, r.stderr);
    assert.doesNotMatch(r.stderr, /error|at /i);
    await readConnToEnd(conn).catch(() => {}); // the socket was closed by socktool
    conn.close();
  });
}

Deno.test("fault: SIGTERM while listening exits 143", async () => {
  const server = spawnSocktool(["-lv", "127.0.0.1", "0"], { stdin: "null" });
  await server.listeningPort();
  server.kill("SIGTERM");
  const r = await server.finish(10_000);
  assert.equal(r.code, 143, r.stderr);
});

Deno.test("fault: stdout closed early (| head -c 10) ends quietly", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const feeder = (async () => {
    const conn = await listener.accept();
    const chunk = randomBytes(65536);
    try {
      for (let i = 0; i < 1024; i++) await conn.write(chunk); // 64 MiB: far more than head takes
    } catch { /* socktool went away, as it should */ }
    conn.close();
  })();
  const cmd = [...socktoolCommand(), "127.0.0.1", String(listener.addr.port)].map((a) => `'${a}'`)
    .join(" ");
  const r = await spawn("bash", [
    "-c",
    `${cmd} </dev/null | head -c 10 >/dev/null; echo "rc=\${PIPESTATUS[0]}" >&2`,
  ], {
    stdin: "null",
  }).finish(15_000);
  await feeder;
  assert.equal(r.stderr, "rc=0\n", "no message, exit 0");
});

Deno.test("--help prints usage on stdout and exits 0; --version prints the version", async () => {
  const h = await spawnSocktool(["--help"], { stdin: "null" }).finish();
  assert.equal(h.code, 0);
  assert.match(new TextDecoder().decode(h.stdout), /^socktool .*\n\nUsage:/);
  assert.equal(h.stderr, "");
  const v = await spawnSocktool(["--version"], { stdin: "null" }).finish();
  assert.equal(v.code, 0);
  assert.match(new TextDecoder().decode(v.stdout), /^socktool \d+\.\d+\.\d+\n$/);
});
