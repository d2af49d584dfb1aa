/**
 * Serving listeners keep their resources bounded (SPEC §3): a client's end
 * is the end of its session, whatever stdin does, and after hundreds of
 * clients that finish, reset, vanish, half-close or idle, the listener holds
 * the same file descriptors as after its first.
 */
import assert from "node:assert/strict";
import { spawn, spawnSocktool } from "./_test_utils/harness.ts";
import {
  closeQuietly,
  connect,
  dec,
  enc,
  readToEndWithin,
  readUntil,
  within,
} from "./_test_utils/client.ts";

const CHURN = new URL("./_test_utils/churn.py", import.meta.url).pathname;
const KINDS = "normal,reset,prereset,vanish,half,kill,idle";

/** Open file descriptors of a process (Linux; Deno asks -A to read /proc itself). */
function fdCount(pid: number): number {
  const out = new Deno.Command("ls", { args: [`/proc/${pid}/fd`] }).outputSync();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l).length;
}

/** Runs `count` short clients of mixed kinds against `port`, one after another. */
async function churn(port: number, count: number, kinds = KINDS): Promise<void> {
  const r = await spawn("python3", [CHURN, String(port), String(count), kinds], { stdin: "null" })
    .finish(60_000);
  assert.equal(r.code, 0, r.stderr);
}

/** Waits until the fd count is back at `baseline`, or fails with the last count. */
async function fdsSettle(pid: number, baseline: number, ms = 10_000): Promise<number> {
  const deadline = Date.now() + ms;
  let n = fdCount(pid);
  while (n > baseline && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    n = fdCount(pid);
  }
  return n;
}

Deno.test("-lk -m 2 with stdin held open: a client that leaves frees its slot at once, a third is served", async () => {
  const srv = spawnSocktool(["-lkv", "-m", "2", "127.0.0.1", "0"]); // stdin: a pipe kept open
  const port = await srv.listeningPort();
  const a = await connect(port);
  try {
    await srv.waitForStderr(new RegExp(`connection from 127\\.0\\.0\\.1:${a.localAddr.port}\\b`));
    // nc killed: its socket closes, as when a user's client is interrupted.
    const nc = spawn("nc", ["127.0.0.1", String(port)]);
    await srv.waitForStderr(/(connection from[^\n]*\n[^]*){2}/);
    const killedAt = performance.now();
    nc.kill("SIGKILL");
    await nc.finish();
    await srv.waitForStderr(/(sent \d+ bytes, received \d+ bytes[^\n]*\n[^]*){1}/, 2000);
    assert.ok(performance.now() - killedAt < 1500, "the slot freed within a second or so");
    // A client that sends and half-closes is closed by the listener, stdin still open.
    const b = await connect(port);
    await b.write(enc("from b\n"));
    await b.closeWrite();
    assert.equal(
      dec(await readToEndWithin(b, 2000)),
      "",
      "b's session ended: EOF while stdin is open",
    );
    closeQuietly(b);
    // With -m 2 and only a still here, a third client is served, not refused.
    const c = await connect(port);
    await srv.waitForStderr(new RegExp(`connection from 127\\.0\\.0\\.1:${c.localAddr.port}\\b`));
    await srv.write("to all\n");
    assert.equal(await readUntil(c, /to all\n/), "to all\n");
    assert.equal(await readUntil(a, /to all\n/), "to all\n");
    assert.doesNotMatch(srv.stderrText(), /too many connections/);
    closeQuietly(c);
  } finally {
    closeQuietly(a);
    srv.kill();
    await srv.finish();
  }
});

Deno.test("-lk with stdin held open: ten clients that come and go leave no socket behind", async () => {
  const srv = spawnSocktool(["-lkv", "127.0.0.1", "0"]);
  const port = await srv.listeningPort();
  try {
    await churn(port, 1, "normal");
    await srv.waitForStderr(/sent \d+ bytes/);
    const baseline = fdCount(srv.child.pid);
    for (let i = 0; i < 10; i++) {
      const c = await connect(port);
      await c.write(enc(`client ${i}\n`));
      await c.closeWrite();
      await readToEndWithin(c, 2000);
      closeQuietly(c);
    }
    assert.equal(await fdsSettle(srv.child.pid, baseline, 3000), baseline);
  } finally {
    srv.kill();
    await srv.finish();
  }
});

for (
  const [label, args] of [
    ["-lk (stdin held open)", ["-lk"]],
    ["--broker", ["-l", "--broker"]],
    ["--chat", ["-l", "--chat"]],
    ["-lk --serve echo", ["-lk", "--serve", "echo"]],
  ] as const
) {
  Deno.test(`${label}: fd count flat after 350 clients that finish, reset, vanish, half-close, idle`, async () => {
    const srv = spawnSocktool([...args, "127.0.0.1", "0", "-v"]);
    const port = await srv.listeningPort();
    try {
      await churn(port, 1, "normal");
      const baseline = await fdsSettle(srv.child.pid, 0, 300); // after the first client
      await churn(port, 350);
      const after = await fdsSettle(srv.child.pid, baseline);
      assert.equal(after, baseline, `fds after the first client: ${baseline}, after 350: ${after}`);
    } finally {
      srv.kill();
      await srv.finish();
    }
  });
}

Deno.test("--forward: fd count flat after 350 clients, and a client reset ends its target connection", async () => {
  const target = spawnSocktool(["-lk", "--serve", "echo", "127.0.0.1", "0", "-v"], {
    stdin: "null",
  });
  const tport = await target.listeningPort();
  const srv = spawnSocktool(["-lk", "--forward", `127.0.0.1:${tport}`, "127.0.0.1", "0", "-v"], {
    stdin: "null",
  });
  const port = await srv.listeningPort();
  try {
    await churn(port, 1, "normal");
    const baseline = await fdsSettle(srv.child.pid, 0, 300);
    const targetBaseline = await fdsSettle(target.child.pid, 0, 300);
    await churn(port, 350);
    assert.equal(await fdsSettle(srv.child.pid, baseline), baseline, "forwarder fds");
    assert.equal(await fdsSettle(target.child.pid, targetBaseline), targetBaseline, "target fds");
  } finally {
    srv.kill();
    target.kill();
    await Promise.all([srv.finish(), target.finish()]);
  }
});

Deno.test("-lk: 400 clients that reset before accept do not slow the next client", async () => {
  const srv = spawnSocktool(["-lk", "--serve", "echo", "127.0.0.1", "0", "-v"], { stdin: "null" });
  const port = await srv.listeningPort();
  try {
    await churn(port, 400, "prereset");
    const started = performance.now();
    const c = await connect(port);
    await c.write(enc("ping\n"));
    await c.closeWrite();
    assert.equal(dec(await within(readToEndWithin(c), 5000, "echo")), "ping\n");
    closeQuietly(c);
    const ms = performance.now() - started;
    assert.ok(
      ms < 1000,
      `the next client was served in ${ms.toFixed(0)} ms (was ~50 ms per reset)`,
    );
  } finally {
    srv.kill();
    await srv.finish();
  }
});

Deno.test("--forward: a client that resets after sending ends its session and the target connection", async () => {
  // A target that reads and never answers or closes: only the client's end can end the session.
  const target = spawnSocktool(["-lkv", "--serve", "discard", "127.0.0.1", "0"], { stdin: "null" });
  const tport = await target.listeningPort();
  const srv = spawnSocktool(["-lkv", "--forward", `127.0.0.1:${tport}`, "127.0.0.1", "0"], {
    stdin: "null",
  });
  const port = await srv.listeningPort();
  try {
    await churn(port, 1, "normal");
    await srv.waitForStderr(/forwarded\)?: sent|connection from/);
    const baseline = await fdsSettle(srv.child.pid, 0, 300);
    // A client that sends, is forwarded, then resets (node:net can reset on purpose).
    const net = await import("node:net");
    const sock = net.connect(port, "127.0.0.1");
    await new Promise<void>((r) => sock.once("connect", () => r()));
    sock.write("some bytes\n");
    await target.waitForStderr(/(connection from[^]*){2}/, 3000); // forwarded
    sock.resetAndDestroy();
    await srv.waitForStderr(/connection reset by peer/, 3000);
    assert.equal(await fdsSettle(srv.child.pid, baseline, 3000), baseline, "forwarder fds back");
    await target.waitForStderr(/(served discard[^]*){2}/, 3000);
  } finally {
    srv.kill();
    target.kill();
    await Promise.all([srv.finish(), target.finish()]);
  }
});
