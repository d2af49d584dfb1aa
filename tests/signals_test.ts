/**
 * End-to-end tests of SPEC §4's signal rule (issue 11): SIGINT → 130,
 * SIGTERM → 143, SIGHUP → 129, within two seconds whatever is pending (a
 * stdout nobody reads, a forward target or a program that stopped reading, a
 * connect or TLS handshake that never completes), with programs stopped and
 * socket files removed; and `-q` as a deadline even when stdout is stalled.
 */
import assert from "node:assert/strict";
import { type Running, socktoolCommand, spawn, spawnSocktool } from "./_test_utils/harness.ts";
import { closeQuietly, connect, dec, enc, readUntil, within } from "./_test_utils/client.ts";

/** SPEC §4: a signal ends socktool within two seconds. */
const SIGNAL_BOUND_MS = 2000;

/**
 * Writes to `conn` until one write has not finished for `stallMs`: the
 * reader stopped reading and every buffer on the way is full. The stalled
 * write is left pending (it fails quietly when the connection goes).
 */
async function pushUntilStalled(conn: Deno.Conn, stallMs = 300): Promise<number> {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  let sent = 0;
  for (;;) {
    const writing = conn.write(chunk);
    writing.catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<"stalled">((r) => timer = setTimeout(() => r("stalled"), stallMs));
    const n = await Promise.race([writing, stalled]);
    clearTimeout(timer);
    if (n === "stalled") return sent;
    sent += n;
    if (sent > 512 * 1024 * 1024) throw new Error("the reader never stalled");
  }
}

/** Sends `sig` and returns the exit code and how long the exit took. */
async function signalAndTime(
  p: Running,
  sig: Deno.Signal,
): Promise<Ended> {
  const t0 = performance.now();
  p.kill(sig);
  const r = await p.finish(10_000);
  return { code: r.code, signal: r.signal, ms: performance.now() - t0, stderr: r.stderr };
}

/** How a process ended after a signal. */
interface Ended {
  code: number;
  /** The signal that killed it, `null` if it exited by itself. */
  signal: string | null;
  ms: number;
  stderr: string;
}

/** Asserts that socktool exited (not killed) with `code`, within the bound. */
function assertEndedBy(r: Ended, code: number, boundMs = SIGNAL_BOUND_MS) {
  assert.equal(r.signal, null, `killed by ${r.signal}, not exited; ${r.stderr}`);
  assert.equal(r.code, code, r.stderr);
  assert.ok(r.ms < boundMs, `took ${Math.round(r.ms)} ms (bound ${boundMs} ms); ${r.stderr}`);
}

/**
 * A file under /proc, read by `cat`: Deno lets only `--allow-all` read
 * /proc, and tests run with socktool's permission set. `""` if missing.
 */
async function procText(path: string): Promise<string> {
  const out = await new Deno.Command("cat", { args: [path], stdout: "piped", stderr: "null" })
    .output();
  return out.success ? dec(out.stdout) : "";
}

/** Whether process `pid` is gone (a zombie counts as gone: it runs nothing). */
async function processGone(pid: number): Promise<boolean> {
  const stat = await procText(`/proc/${pid}/stat`);
  return stat === "" || stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}

/** Resolves once `pid` is gone, or rejects at the deadline. */
async function waitGone(pid: number, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await processGone(pid))) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still running after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A loopback TCP listener that accepts and never reads (its buffers fill). */
function deafListener(): { port: number; accepted: Promise<Deno.Conn>; close(): void } {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const accepted = l.accept().then((c) => (conns.push(c), c));
  accepted.catch(() => {});
  return {
    port: (l.addr as Deno.NetAddr).port,
    accepted,
    close() {
      closeQuietly(l);
      for (const c of conns) closeQuietly(c);
    },
  };
}

Deno.test("connect mode, stdout nobody reads: SIGINT exits 130 within 2 s", async () => {
  const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (server.addr as Deno.NetAddr).port;
  const p = spawnSocktool(["127.0.0.1", String(port)], { stdout: "unread" });
  const conn = await server.accept();
  try {
    await pushUntilStalled(conn);
    assertEndedBy(await signalAndTime(p, "SIGINT"), 130);
  } finally {
    closeQuietly(conn);
    closeQuietly(server);
    await p.finish();
  }
});

Deno.test("-l, stdout nobody reads: SIGTERM exits 143 within 2 s", async () => {
  const p = spawnSocktool(["-lv", "127.0.0.1", "0"], { stdout: "unread" });
  const conn = await connect(await p.listeningPort());
  try {
    await pushUntilStalled(conn);
    assertEndedBy(await signalAndTime(p, "SIGTERM"), 143);
  } finally {
    closeQuietly(conn);
    await p.finish();
  }
});

/** The receive queue of the IPv4 UDP socket bound to `port` (bytes waiting), from /proc. */
async function udpRxQueue(port: number): Promise<number> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const line of (await procText("/proc/net/udp")).split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1]?.endsWith(`:${hexPort}`)) return parseInt(f[4].split(":")[1], 16);
  }
  return 0;
}

Deno.test("-ul, stdout nobody reads: SIGINT exits 130 within 2 s", async () => {
  const p = spawnSocktool(["-ulv", "127.0.0.1", "0"], { stdout: "unread" });
  const port = await p.listeningPort();
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const datagram = new Uint8Array(60_000).fill(0x62);
    const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
    // One datagram at a time, each taken before the next: until one is not
    // taken within 300 ms (socktool waits for stdout and reads no more).
    for (let i = 0;; i++) {
      assert.ok(i < 2000, "socktool never stopped reading");
      await sock.send(datagram, to);
      const deadline = Date.now() + 300;
      while (await udpRxQueue(port) > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      if (await udpRxQueue(port) > 0) break;
    }
    assertEndedBy(await signalAndTime(p, "SIGINT"), 130);
  } finally {
    sock.close();
    await p.finish();
  }
});

Deno.test("-q 1 ends the session about 1 s after stdin ends, though stdout is stalled", async () => {
  const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (server.addr as Deno.NetAddr).port;
  const p = spawnSocktool(["-q", "1", "127.0.0.1", String(port)], { stdout: "unread" });
  const conn = await server.accept();
  try {
    await pushUntilStalled(conn);
    const t0 = performance.now();
    await p.closeStdin();
    const r = await p.finish(10_000);
    const ms = performance.now() - t0;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(ms < 2500, `exited ${Math.round(ms)} ms after stdin ended`);
  } finally {
    closeQuietly(conn);
    closeQuietly(server);
  }
});

Deno.test("-l -q 1: the listener ends about 1 s after stdin ends, though stdout is stalled", async () => {
  const p = spawnSocktool(["-lv", "-q", "1", "127.0.0.1", "0"], { stdout: "unread" });
  const conn = await connect(await p.listeningPort());
  try {
    await pushUntilStalled(conn);
    const t0 = performance.now();
    await p.closeStdin();
    const r = await p.finish(10_000);
    const ms = performance.now() - t0;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(ms < 2500, `exited ${Math.round(ms)} ms after stdin ended`);
  } finally {
    closeQuietly(conn);
  }
});

Deno.test("--forward to a target that stopped reading: SIGTERM exits 143 within 2 s", async () => {
  const target = deafListener();
  const p = spawnSocktool(
    ["-lv", "--forward", `127.0.0.1:${target.port}`, "127.0.0.1", "0"],
    { stdin: "null" },
  );
  const conn = await connect(await p.listeningPort());
  try {
    await target.accepted;
    await pushUntilStalled(conn);
    assertEndedBy(await signalAndTime(p, "SIGTERM"), 143);
  } finally {
    closeQuietly(conn);
    target.close();
    await p.finish();
  }
});

/**
 * `-l -c` with a program that prints its pid, then runs `then` (a program
 * that never reads its stdin); a client pushes until stalled.
 */
async function stalledProgram(extra: string[] = [], then = "sleep 100") {
  const p = spawnSocktool(
    ["-lv", ...extra, "-c", `echo $$; exec ${then}`, "127.0.0.1", "0"],
    { stdin: "null" },
  );
  const conn = await connect(await p.listeningPort());
  const pid = Number((await readUntil(conn, /^\d+\n/)).match(/^(\d+)\n/)![1]);
  await pushUntilStalled(conn);
  assert.ok(!(await processGone(pid)));
  return { p, conn, pid };
}

Deno.test("-c with a program that never reads: SIGTERM exits 143 within 2 s and stops the program", async () => {
  const { p, conn, pid } = await stalledProgram();
  try {
    assertEndedBy(await signalAndTime(p, "SIGTERM"), 143);
    await waitGone(pid, 1000);
  } finally {
    closeQuietly(conn);
    killLeftover(pid);
    await p.finish();
  }
});

/** Kills `pid` if a failed test left it running (it would hold the harness's stderr pipe). */
function killLeftover(pid: number): void {
  try {
    Deno.kill(pid, "SIGKILL");
  } catch { /* gone, as it should be */ }
}

Deno.test("-c with a program that never reads: a client reset ends the session and stops the program", async () => {
  // `yes` never reads and writes for ever; the client reads none of it.
  const { p, conn, pid } = await stalledProgram([], "yes");
  try {
    // Closed with data unread: the kernel resets the connection.
    conn.close();
    const r = await p.finish(5000);
    assert.notEqual(r.signal, "SIGKILL", r.stderr);
    await waitGone(pid, 1000);
  } finally {
    killLeftover(pid);
  }
});

Deno.test("-c with a program that never reads: -w 1 ends the idle session and stops the program", async () => {
  const { p, conn, pid } = await stalledProgram(["-w", "1"]);
  try {
    const r = await p.finish(6000);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /timed out/);
    await waitGone(pid, 1000);
  } finally {
    closeQuietly(conn);
    killLeftover(pid);
  }
});

Deno.test("-e waits for its programs even when SIGCHLD was inherited as ignored", async () => {
  const [cmd, ...pre] = socktoolCommand();
  // perl sets SIGCHLD to SIG_IGN, which exec keeps (a shell's `trap '' CHLD` does not).
  const p = spawn("perl", [
    "-e",
    '$SIG{CHLD} = "IGNORE"; exec @ARGV or die',
    cmd,
    ...pre,
    "-lv",
    "-e",
    "cat",
    "127.0.0.1",
    "0",
  ], { stdin: "null" });
  const conn = await connect(await p.listeningPort());
  try {
    await conn.write(enc("through cat\n"));
    await conn.closeWrite();
    assert.equal(await readUntil(conn, /\n/), "through cat\n");
    const r = await p.finish(10_000);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /child/);
  } finally {
    closeQuietly(conn);
  }
});

Deno.test("SIGHUP exits 129 and removes the -lU socket file and the -uU client's own socket file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "socktool-hup-" });
  try {
    const path = `${dir}/l.sock`;
    const l = spawnSocktool(["-lvU", path]);
    await l.waitForStderr(/listening on /);
    assertEndedBy(await signalAndTime(l, "SIGHUP"), 129);
    assert.deepEqual([...Deno.readDirSync(dir)], []);

    const server = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/srv.sock` });
    try {
      const c = spawnSocktool(["-uvU", `${dir}/srv.sock`], { env: { TMPDIR: dir } });
      await c.write("hello\n");
      await server.receive();
      const own = [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("socktool-"));
      assert.ok(own.length > 0, "the client's own socket is in TMPDIR");
      assertEndedBy(await signalAndTime(c, "SIGHUP"), 129);
    } finally {
      server.close();
    }
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["srv.sock"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stdout ends when the peer's data ends, while stdin is still open and being sent", async () => {
  const p = spawnSocktool(["-lv", "127.0.0.1", "0"], { stdout: "unread" });
  const conn = await connect(await p.listeningPort());
  const reader = p.child.stdout.getReader();
  try {
    await p.write("from stdin\n");
    await conn.write(enc("from the client\n"));
    await conn.closeWrite();
    const chunks: string[] = [];
    const eof = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return chunks.join("");
        chunks.push(dec(value));
      }
    })();
    assert.equal(await within(eof, 1500, "EOF on socktool's stdout"), "from the client\n");
    // stdin still flows to the client after stdout closed.
    await p.write("more stdin\n");
    assert.equal(await readUntil(conn, /more stdin\n/), "from stdin\nmore stdin\n");
    await p.closeStdin();
  } finally {
    reader.releaseLock();
    closeQuietly(conn);
    const r = await p.finish();
    assert.equal(r.code, 0, r.stderr);
  }
});

/**
 * A loopback port whose accept queue is full, so that a connect to it never
 * completes (perl: its base package is on every Debian system).
 */
async function blackhole(): Promise<{ port: number; close(): Promise<void> }> {
  const perl = spawn("perl", [
    "-MIO::Socket::INET",
    "-e",
    `
my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 0) or die;
my @held;
for (1 .. 8) {
  my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $s->sockport,
    Blocking => 0);
  push @held, $c;
}
select(undef, undef, undef, 0.2);
print STDERR "port ", $s->sockport, "\n";
<STDIN>;
`,
  ]);
  const m = await perl.waitForStderr(/port (\d+)/);
  return {
    port: Number(m[1]),
    close: async () => {
      await perl.closeStdin();
      await perl.finish();
    },
  };
}

/** How many loopback IPv4 sockets are trying to connect (SYN_SENT) to `port`, from /proc. */
async function connectsPending(port: number): Promise<number> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return (await procText("/proc/net/tcp")).split("\n").slice(1).filter((line) => {
    const f = line.trim().split(/\s+/);
    return f[2]?.endsWith(`:${hexPort}`) && f[3] === "02";
  }).length;
}

/** Resolves once more than `before` sockets are connecting to `port`. */
async function waitConnecting(port: number, before: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (await connectsPending(port) <= before) {
    if (Date.now() > deadline) throw new Error(`no connect to port ${port} began`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("a signal at every phase ends socktool within 2 s with its code", async (t) => {
  const hole = await blackhole();
  const silent = deafListener();
  try {
    await t.step("connecting with -w (SIGTERM)", async () => {
      const before = await connectsPending(hole.port);
      const p = spawnSocktool(["-v", "-w", "30", "127.0.0.1", String(hole.port)]);
      await waitConnecting(hole.port, before);
      assertEndedBy(await signalAndTime(p, "SIGTERM"), 143);
    });
    await t.step("during the TLS handshake (SIGINT)", async () => {
      const p = spawnSocktool(["-v", "--ssl", "127.0.0.1", String(silent.port)]);
      await p.waitForStderr(/connected to/);
      assertEndedBy(await signalAndTime(p, "SIGINT"), 130);
    });
    await t.step("while -z waits on a port that never answers (SIGTERM)", async () => {
      const before = await connectsPending(hole.port);
      const p = spawnSocktool(["-zv", "-w", "30", "127.0.0.1", String(hole.port)]);
      await waitConnecting(hole.port, before);
      assertEndedBy(await signalAndTime(p, "SIGTERM"), 143);
    });
    await t.step("while -ul waits for its first datagram (SIGHUP)", async () => {
      const p = spawnSocktool(["-ulv", "127.0.0.1", "0"]);
      await p.listeningPort();
      assertEndedBy(await signalAndTime(p, "SIGHUP"), 129);
    });
    await t.step("in a session, stdin open and idle (SIGINT)", async () => {
      const p = spawnSocktool(["-lv", "127.0.0.1", "0"]);
      const conn = await connect(await p.listeningPort());
      try {
        await p.waitForStderr(/connection from/);
        assertEndedBy(await signalAndTime(p, "SIGINT"), 130);
      } finally {
        closeQuietly(conn);
      }
    });
  } finally {
    silent.close();
    await hole.close();
  }
});
