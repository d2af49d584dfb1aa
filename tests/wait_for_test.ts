/**
 * End-to-end tests of `--wait-for SECS TARGET...`: services that come up
 * late, targets that never do, Unix sockets, `--json`, and bad input.
 */
import assert from "node:assert/strict";
import { freePort, spawnSocktool } from "./_test_utils/harness.ts";

/** Resolves after `ms`: the scenario's own timeline (a service starting late), not a wait for sync. */
const after = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("--wait-for exits 0 within a fraction of a second of a listener that comes up after 1 s, quietly", async () => {
  const port = freePort();
  const proc = spawnSocktool(["--wait-for", "20", `127.0.0.1:${port}`], { stdin: "null" });
  await after(1000);
  using listener = Deno.listen({ hostname: "127.0.0.1", port });
  const upAt = performance.now();
  const r = await proc.finish();
  const late = performance.now() - upAt;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.equal(r.stdout.length, 0);
  assert.ok(late < 500, `exited ${late.toFixed(0)} ms after the listener came up`);
  listener.close();
});

Deno.test("--wait-for -v names each target as it comes up, and waits for the last (TCP, [::1], unix:)", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/late.sock`;
  const v4 = freePort();
  const v6 = freePort("::1");
  const proc = spawnSocktool(
    ["--wait-for", "20", "-v", `127.0.0.1:${v4}`, `[::1]:${v6}`, `unix:${path}`],
    { stdin: "null" },
  );
  const opened: Deno.Listener[] = [];
  try {
    await after(300);
    opened.push(Deno.listen({ hostname: "127.0.0.1", port: v4 }));
    await proc.waitForStderr(new RegExp(`127\\.0\\.0\\.1:${v4} is up after`));
    opened.push(Deno.listen({ hostname: "::1", port: v6 }));
    await proc.waitForStderr(new RegExp(`\\[::1\\]:${v6} is up after`));
    assert.doesNotMatch(proc.stderrText(), /unix:/, "the socket is not there yet");
    opened.push(Deno.listen({ transport: "unix", path }));
    const upAt = performance.now();
    const r = await proc.finish();
    assert.equal(r.code, 0, r.stderr);
    assert.ok(performance.now() - upAt < 500);
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 3, r.stderr);
    assert.match(
      lines[0],
      new RegExp(`^socktool: 127\\.0\\.0\\.1:${v4} is up after [\\d.]+ s \\(attempt \\d+\\)$`),
    );
    assert.match(lines[1], new RegExp(`^socktool: \\[::1\\]:${v6} is up after `));
    assert.match(lines[2], new RegExp(`^socktool: unix:${path} is up after `));
  } finally {
    for (const l of opened) l.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--wait-for at the deadline: one line per target still down, exit 1, on time", async () => {
  using live = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dead = freePort();
  const started = performance.now();
  const r = await spawnSocktool(
    [
      "--wait-for",
      "1",
      `127.0.0.1:${live.addr.port}`,
      `127.0.0.1:${dead}`,
      "unix:/nonexistent/x.sock",
    ],
    { stdin: "null" },
  ).finish();
  const took = performance.now() - started;
  assert.equal(r.code, 1);
  const lines = r.stderr.trimEnd().split("\n");
  assert.deepEqual(lines.map((l) => l.replace(/ \(\d+ attempts\)$/, "")), [
    `socktool: wait for 127.0.0.1:${dead}: still down after 1 s: connection refused`,
    "socktool: wait for unix:/nonexistent/x.sock: still down after 1 s: no such file or directory",
  ]);
  for (const line of lines) {
    const attempts = Number(/\((\d+) attempts\)$/.exec(line)?.[1]);
    // 1 s of backing off: 100, 150, 225, 250, 250 ms pauses; never a busy loop.
    assert.ok(attempts >= 4 && attempts <= 7, line);
  }
  assert.ok(took >= 1000 && took < 2500, `took ${took.toFixed(0)} ms`);
});

Deno.test("--wait-for --json: one JSON line per target on stdout, up as it comes, down at the deadline", async () => {
  const late = freePort();
  const dead = freePort();
  const proc = spawnSocktool(
    ["--wait-for", "1.5", "--json", `127.0.0.1:${late}`, `localhost:${dead}`],
    { stdin: "null" },
  );
  await after(500);
  using listener = Deno.listen({ hostname: "127.0.0.1", port: late });
  const r = await proc.finish();
  assert.equal(r.code, 1);
  const objects = new TextDecoder().decode(r.stdout).trimEnd().split("\n").map((l) =>
    JSON.parse(l)
  );
  assert.equal(objects.length, 2);
  assert.deepEqual(
    { ...objects[0], attempts: 0, ms: 0 },
    { target: `127.0.0.1:${late}`, state: "up", address: `127.0.0.1:${late}`, attempts: 0, ms: 0 },
  );
  assert.ok(
    objects[0].attempts >= 2 && objects[0].attempts <= 5,
    `${objects[0].attempts} attempts`,
  );
  assert.ok(objects[0].ms >= 400 && objects[0].ms < 1200, `${objects[0].ms} ms`);
  assert.equal(objects[1].target, `localhost:${dead}`);
  assert.equal(objects[1].state, "down");
  assert.equal(objects[1].reason, "connection refused");
  assert.match(
    r.stderr,
    new RegExp(`^socktool: wait for localhost:${dead}: still down after 1\\.5 s: `),
  );
  listener.close();
});

Deno.test("--wait-for is ended by SIGINT at once: exit 130", async () => {
  const proc = spawnSocktool(["--wait-for", "60", "-vv", "unix:/nonexistent/x.sock"], {
    stdin: "null",
  });
  await proc.waitForStderr(/attempt 1\)/);
  const t0 = performance.now();
  proc.kill("SIGINT");
  const r = await proc.finish();
  assert.equal(r.code, 130);
  assert.ok(performance.now() - t0 < 1000);
});

const BAD: [string[], RegExp][] = [
  [
    ["--wait-for", "soon", "127.0.0.1:80"],
    /^socktool: bad value 'soon' for --wait-for: must be seconds/,
  ],
  [["--wait-for", "5"], /^socktool: missing target: socktool --wait-for SECS HOST:PORT/],
  [
    ["--wait-for", "5", "localhost"],
    /^socktool: bad value 'localhost' for --wait-for: expected HOST:PORT/,
  ],
  [["--wait-for", "5", "::1:80"], /an IPv6 address goes in brackets/],
  [["--wait-for", "5", "unix:"], /the socket path is empty/],
  [["--wait-for", "5", "h:99999"], /^socktool: bad port '99999'/],
  [["-u", "--wait-for", "5", "127.0.0.1:53"], /^socktool: option --wait-for cannot wait for UDP: /],
  [["--wait-for", "5", "udp:127.0.0.1:53"], /a UDP port cannot be waited for/],
  [
    ["--wait-for", "5", "-l", "127.0.0.1:80"],
    /^socktool: options --wait-for and -l cannot be used together/,
  ],
  [
    ["--wait-for", "5", "-n", "db:5432"],
    /^socktool: option -n forbids name lookup, but 'db' is a name/,
  ],
  [["--wait-for", "3000000", "127.0.0.1:80"], /at most 2147483\.647 s/],
];
for (const [args, re] of BAD) {
  Deno.test(`bad input: socktool ${args.join(" ")} exits 2 with one line`, async () => {
    const r = await spawnSocktool(args, { stdin: "null" }).finish();
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
  });
}

Deno.test("--help lists issue 14's options: --wait-for, --size, -L/--rate-limit, --forward's targets", async () => {
  const r = await spawnSocktool(["--help"], { stdin: "null" }).finish();
  assert.equal(r.code, 0);
  const help = new TextDecoder().decode(r.stdout);
  for (
    const re of [
      /^ {2}socktool --wait-for SECS TARGET\.\.\. +wait until every TARGET accepts$/m,
      /^ {6}--wait-for SECS +wait until every TARGET/m,
      /^ {6}--size N +the bytes --progress expects/m,
      /^ {2}-L, --rate-limit RATE +at most RATE bytes per second each way/m,
      /^ {6}--forward TARGET +relay each client in-process to HOST:PORT,\n +unix:PATH, ws:\/\/\.\.\. or wss:\/\/\.\.\., or \(with -u\)\n +udp:HOST:PORT$/m,
    ]
  ) assert.match(help, re);
});
