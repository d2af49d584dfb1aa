/**
 * End-to-end tests of port probing (`-z`, issue 3): real listeners on
 * loopback, results compared line by line.
 */
import assert from "node:assert/strict";
import { socktoolCommand, spawnSocktool } from "./_test_utils/harness.ts";

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/**
 * A block of `size` consecutive loopback ports below the ephemeral range with
 * listeners on the given offsets and nothing else listening: tried at random
 * bases until every listener binds and every other port refuses.
 */
async function portBlock(
  size: number,
  openOffsets: number[],
): Promise<{ base: number; listeners: Deno.TcpListener[]; close(): void }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (32_000 - 20_000 - size));
    const listeners: Deno.TcpListener[] = [];
    const close = () => listeners.forEach((l) => l.close());
    try {
      for (const off of openOffsets) {
        listeners.push(Deno.listen({ hostname: "127.0.0.1", port: base + off }));
      }
    } catch {
      close();
      continue;
    }
    // Someone else's listener inside the block would be reported too: look elsewhere.
    const others = await busyPorts(base, size, new Set(openOffsets.map((o) => base + o)));
    if (others.length === 0) return { base, listeners, close };
    close();
  }
  throw new Error("no free block of ports found");
}

/** Ports in base..base+size-1 that accept, other than `ours` (a quick local scan). */
async function busyPorts(base: number, size: number, ours: Set<number>): Promise<number[]> {
  const busy: number[] = [];
  for (let i = 0; i < size; i += 64) {
    await Promise.all(
      Array.from({ length: Math.min(64, size - i) }, async (_, j) => {
        const port = base + i + j;
        if (ours.has(port)) return;
        try {
          // A listener that never accepts (a full backlog) hangs a connect: busy too.
          (await Deno.connect({ hostname: "127.0.0.1", port, signal: AbortSignal.timeout(1000) }))
            .close();
          busy.push(port);
        } catch (err) {
          if (!(err instanceof Deno.errors.ConnectionRefused)) busy.push(port);
        }
      }),
    );
  }
  return busy;
}

/** Accepts and drops connections until the listener closes. */
function drain(listeners: Deno.TcpListener[]): Promise<void[]> {
  return Promise.all(listeners.map(async (l) => {
    try {
      for await (const c of l) c.close();
    } catch { /* closed */ }
  }));
}

Deno.test("-z prints one line per open port, ascending, and exits 0", async () => {
  const block = await portBlock(11, [7, 2, 9]);
  const draining = drain(block.listeners);
  try {
    const { base } = block;
    const r = await spawnSocktool(["-z", "127.0.0.1", `${base}-${base + 10}`], { stdin: "null" })
      .finish();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.equal(
      dec(r.stdout),
      [2, 7, 9].map((o) => `127.0.0.1 ${base + o}/tcp open\n`).join(""),
    );
  } finally {
    block.close();
    await draining;
  }
});

Deno.test("-zv prints every port in order, closed ones with the cause; lists and ranges mix", async () => {
  const block = await portBlock(6, [1, 4]);
  const draining = drain(block.listeners);
  try {
    const { base } = block;
    const r = await spawnSocktool([
      "-zv",
      "127.0.0.1",
      `${base + 3}-${base + 5}`,
      String(base),
      `${base + 1}`,
    ], { stdin: "null" }).finish();
    assert.equal(r.code, 0, r.stderr);
    const lines = dec(r.stdout).trimEnd().split("\n");
    assert.deepEqual(lines, [
      `127.0.0.1 ${base}/tcp closed (connection refused)`,
      `127.0.0.1 ${base + 1}/tcp open`,
      `127.0.0.1 ${base + 3}/tcp closed (connection refused)`,
      `127.0.0.1 ${base + 4}/tcp open`,
      `127.0.0.1 ${base + 5}/tcp closed (connection refused)`,
    ]);
    assert.match(r.stderr, /^socktool: probed 5 tcp ports on 127\.0\.0\.1 in [\d.]+ s: 2 open\n$/);
  } finally {
    block.close();
    await draining;
  }
});

Deno.test("-z --json prints one JSON object per port, open or not", async () => {
  const block = await portBlock(3, [1]);
  const draining = drain(block.listeners);
  try {
    const { base } = block;
    const range = `${base}-${base + 2}`;
    const all = await spawnSocktool(["-z", "--json", "127.0.0.1", range], { stdin: "null" })
      .finish();
    assert.equal(all.code, 0, all.stderr);
    const objects = dec(all.stdout).trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(objects.map((o) => [o.port, o.protocol, o.state, o.host, o.address]), [
      [base, "tcp", "closed", "127.0.0.1", "127.0.0.1"],
      [base + 1, "tcp", "open", "127.0.0.1", "127.0.0.1"],
      [base + 2, "tcp", "closed", "127.0.0.1", "127.0.0.1"],
    ]);
    assert.equal(objects[0].reason, "connection refused");
    assert.equal(typeof objects[1].ms, "number");
  } finally {
    block.close();
    await draining;
  }
});

Deno.test("-z with no port open: nothing on stdout, one line on stderr, exit 1", async () => {
  const block = await portBlock(5, []);
  const { base } = block;
  const r = await spawnSocktool(["-z", "127.0.0.1", `${base}-${base + 4}`], { stdin: "null" })
    .finish();
  assert.equal(r.code, 1);
  assert.equal(r.stdout.length, 0);
  assert.equal(r.stderr, "socktool: probe 127.0.0.1: no port open (5 probed)\n");
});

Deno.test("-z over 1000 loopback ports finds exactly the open ones, in well under the bound", async () => {
  const offsets = Array.from({ length: 10 }, (_, i) => i * 100 + 50);
  const block = await portBlock(1000, offsets);
  const draining = drain(block.listeners);
  try {
    const { base } = block;
    const started = performance.now();
    const r = await spawnSocktool(["-zv", "127.0.0.1", `${base}-${base + 999}`], {
      stdin: "null",
    }).finish();
    const ms = performance.now() - started;
    assert.equal(r.code, 0, r.stderr);
    const lines = dec(r.stdout).trimEnd().split("\n");
    assert.equal(lines.length, 1000);
    const open = lines.filter((l) => l.endsWith(" open")).map((l) =>
      Number(/ (\d+)\//.exec(l)![1])
    );
    assert.deepEqual(open, offsets.map((o) => base + o));
    const ports = lines.map((l) => Number(/ (\d+)\//.exec(l)![1]));
    assert.deepEqual(ports, [...ports].sort((a, b) => a - b));
    // The benchmark measures speed; here only a generous bound (process start included).
    console.log(
      `    1000-port probe: ${ms.toFixed(0)} ms wall, ${
        /in ([\d.]+ s)/.exec(r.stderr)?.[1]
      } probing`,
    );
    assert.ok(ms < 15_000, `took ${ms} ms`);
  } finally {
    block.close();
    await draining;
  }
});

Deno.test("-w is the per-port timeout: -z -w 1 on open and closed ports answers at once", async () => {
  const block = await portBlock(2, [0]);
  const draining = drain(block.listeners);
  try {
    const { base } = block;
    const r = await spawnSocktool(["-zv", "-w", "1", "127.0.0.1", `${base}-${base + 1}`], {
      stdin: "null",
    }).finish();
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(dec(r.stdout).trimEnd().split("\n"), [
      `127.0.0.1 ${base}/tcp open`,
      `127.0.0.1 ${base + 1}/tcp closed (connection refused)`,
    ]);
  } finally {
    block.close();
    await draining;
  }
});

Deno.test("-zu: a port that answers is open; a silent bound one is open|filtered", async () => {
  const echo = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const silent = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const echoPort = (echo.addr as Deno.NetAddr).port;
  const silentPort = (silent.addr as Deno.NetAddr).port;
  const answering = echo.receive().then(([d, from]) => echo.send(d, from));
  try {
    const r = await spawnSocktool(
      ["-zuv", "-w", "0.5", "127.0.0.1", String(echoPort), String(silentPort)],
      { stdin: "null" },
    ).finish();
    await answering;
    assert.equal(r.code, 0, r.stderr);
    const byPort = new Map(
      dec(r.stdout).trimEnd().split("\n").map((l) => [Number(/ (\d+)\//.exec(l)![1]), l]),
    );
    assert.equal(byPort.get(echoPort), `127.0.0.1 ${echoPort}/udp open`);
    assert.equal(byPort.get(silentPort), `127.0.0.1 ${silentPort}/udp open|filtered (no reply)`);
  } finally {
    echo.close();
    silent.close();
  }
});

Deno.test("-z over IPv6: socktool -z ::1 PORT", async () => {
  const listener = Deno.listen({ hostname: "::1", port: 0 });
  const draining = drain([listener]);
  try {
    const port = listener.addr.port;
    const r = await spawnSocktool(["-z", "::1", String(port)], { stdin: "null" }).finish();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(dec(r.stdout), `::1 ${port}/tcp open\n`);
  } finally {
    listener.close();
    await draining;
  }
});

Deno.test("-zv | head -n 1: a closed stdout ends the probe quietly", async () => {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const block = await portBlock(2000, []);
  const range = `${block.base}-${block.base + 1999}`;
  const cmd = [...socktoolCommand(), "-zv", "-w", "2", "127.0.0.1", range].map(quote).join(" ");
  const out = await new Deno.Command("sh", {
    args: ["-c", `${cmd} | head -n 1`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(dec(out.stdout), `127.0.0.1 ${block.base}/tcp closed (connection refused)\n`);
  // Only -v's closing summary; no error, not even "no port open".
  assert.match(
    dec(out.stderr),
    /^socktool: probed \d+ tcp ports? on 127\.0\.0\.1 in [\d.]+ s: \d+ open\n$/,
  );
});

for (
  const [args, message] of [
    [["-z", "127.0.0.1", "30-20"], "bad port range '30-20': 30 is above 20"],
    [["-z", "127.0.0.1", "1-70000"], "bad port '70000': must be a number from 1 to 65535"],
    [["-z", "127.0.0.1", "0"], "bad port '0': must be a number from 1 to 65535"],
    [["-z", "127.0.0.1"], "missing port after host '127.0.0.1'"],
    [["-z", "-4", "::1", "80"], "option -4 cannot be used with the IPv6 address ::1"],
    [["--json", "127.0.0.1", "80"], "option --json needs -z or --wait-for"],
  ] as const
) {
  Deno.test(`bad input: socktool ${args.join(" ")} exits 2 with one line`, async () => {
    const r = await spawnSocktool([...args], { stdin: "null" }).finish();
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `socktool: ${message} (see 'socktool --help')\n`);
    assert.equal(r.stdout.length, 0);
  });
}
