/**
 * One function per kind of measurement. Each returns a {@linkcode Cell}: a number, or "n/a"
 * with the reason (a missing feature, a timeout, a short transfer); never a made-up number.
 * Every process started here has a deadline and is killed before the function returns.
 * @module
 */

import {
  freePort,
  hasConnection,
  hasSocket,
  mkfifo,
  Proc,
  spawn,
  TCP_LISTEN,
  UDP_BOUND,
  waitUntil,
  watchPeakRss,
} from "./procs.ts";
import type { Argv } from "./tools.ts";
import type { LoadResult } from "./conn_load.ts";
import type { FloodResult } from "./udp_flood.ts";

/**
 * A measured value (with an optional remark) or the reason there is none. A value measured
 * several times is the median, with every run's value in `samples`.
 */
export type Cell = { value: number; note?: string; samples?: number[] } | { na: string };

/** True when the cell holds a number. */
export function isValue(
  c: Cell | undefined,
): c is { value: number; note?: string; samples?: number[] } {
  return c !== undefined && "value" in c;
}

const MiB = 1024 * 1024;
const BLOCK = 64 * 1024;
const READY_MS = 20_000;
const enc = new TextEncoder();

/** Shared state of one benchmark run: temp dir, time budget, profiling labels. */
export class Bench {
  readonly tmp: string;
  readonly endAt: number;
  /** pid → label of every socktool process (to name its CPU profile). */
  readonly labels = new Map<number, string>();
  #fifo = 0;

  constructor(tmp: string, budgetMs: number) {
    this.tmp = tmp;
    this.endAt = performance.now() + budgetMs;
  }

  /** Milliseconds left in the whole run's budget. */
  get remaining(): number {
    return this.endAt - performance.now();
  }

  /** `ms`, capped by what is left of the budget. */
  cap(ms: number): number {
    return Math.max(0, Math.min(ms, this.remaining));
  }

  /** Null if at least `ms` of budget is left, else the n/a reason. */
  budgetFor(ms: number): Cell | null {
    return this.remaining >= ms
      ? null
      : { na: "skipped: the 10-minute budget of the run is spent" };
  }

  /** A fresh named pipe in the temp dir. */
  async fifo(): Promise<string> {
    const path = `${this.tmp}/fifo${this.#fifo++}`;
    await mkfifo(path);
    return path;
  }

  /** Starts a tool process; remembers socktool pids for profile labelling. */
  start(label: string, argv: string[], opts: Parameters<typeof spawn>[2]): Proc {
    const p = spawn(label, argv, opts);
    if (argv[0] === Deno.execPath()) this.labels.set(p.pid, label);
    return p;
  }
}

/** Argv or n/a: turns a tool's "cannot do this" into a cell. */
function na(argv: Argv): Cell | null {
  return "na" in argv ? { na: argv.na } : null;
}

/** A byte counter at the end of a FIFO (`wc -c`, a pipe reader no tool waits on). */
function counter(fifo: string): { proc: Proc; bytes: Promise<number> } {
  const proc = spawn("wc", ["wc", "-c"], { stdin: { path: fifo }, stdout: "piped" });
  const bytes = new Response(proc.child.stdout).text().then((t) => Number(t.trim()) || 0);
  return { proc, bytes };
}

/**
 * `bytes` of zeros into a FIFO, held back until {@linkcode release}: dd writes 64 KiB blocks,
 * a whole pipe buffer per write, so feeding costs the same few syscalls for every tool.
 */
function generator(bytes: number, fifo: string): Proc {
  return spawn(
    "generator",
    [
      "sh",
      "-c",
      'read _ && exec dd if=/dev/zero bs=65536 count="$0" status=none',
      `${bytes / BLOCK}`,
    ],
    { stdin: "piped", stdout: { path: fifo } },
  );
}

async function release(gens: Proc[]): Promise<void> {
  await Promise.all(gens.map(async (g) => {
    const w = g.child.stdin.getWriter();
    await w.write(enc.encode("\n"));
    await w.close();
  }));
}

async function killAllOf(procs: Proc[]): Promise<void> {
  await Promise.all(procs.map((p) => p.kill()));
}

function readyError(what: string, why: string): Cell {
  return { na: `${what}: ${why}` };
}

function mibps(bytes: number, ms: number): number {
  return bytes / MiB / (ms / 1000);
}

/** Result of a one-way transfer. */
export interface OneWay {
  throughput: Cell;
  /** Peak RSS of the receiver in KiB (VmHWM), when measured. */
  rss: Cell;
}

/**
 * Row 1/2: `bytes` from a generator through `send` over loopback into `recv` and a byte counter.
 * Timed from releasing the first byte (after the connection is up) to the receiver's exit.
 * `sinkless`: the receiver writes nothing and checks the count itself (its exit status says).
 */
export async function oneWay(
  b: Bench,
  label: string,
  recv: (port: number) => Argv,
  send: (port: number) => Argv,
  bytes: number,
  options: { sinkless?: boolean } = {},
): Promise<OneWay> {
  const port = freePort();
  const recvArgv = recv(port);
  const sendArgv = send(port);
  const bad = na(recvArgv) ?? na(sendArgv);
  if (bad) return { throughput: bad, rss: bad };
  const deadline = b.cap(bytes / (40 * MiB) * 1000 + 30_000);
  const skip = b.budgetFor(5000);
  if (skip) return { throughput: skip, rss: skip };
  const [outFifo, inFifo] = [await b.fifo(), await b.fifo()];
  const procs: Proc[] = [];
  try {
    const sink = counter(outFifo);
    procs.push(sink.proc);
    const receiver = b.start(`${label}-recv`, recvArgv as string[], { stdout: { path: outFifo } });
    procs.push(receiver);
    let err = await waitUntil(() => hasSocket("tcp", port, TCP_LISTEN), READY_MS, [receiver]);
    if (err) {
      const c = readyError("receiver did not listen", err);
      return { throughput: c, rss: c };
    }
    const gen = generator(bytes, inFifo);
    procs.push(gen);
    const sender = b.start(`${label}-send`, sendArgv as string[], { stdin: { path: inFifo } });
    procs.push(sender);
    err = await waitUntil(() => hasConnection(port), READY_MS, [sender]);
    if (err) {
      const c = readyError("sender did not connect", err);
      return { throughput: c, rss: c };
    }
    const rss = watchPeakRss(receiver.pid);
    const t0 = performance.now();
    await release([gen]);
    const st = await receiver.wait(deadline);
    const ms = performance.now() - t0;
    const peak = await rss.stop();
    await sender.wait(10_000);
    await sink.proc.wait(10_000);
    const got = await sink.bytes;
    if (st === null) {
      const c = {
        na: `timed out after ${(deadline / 1000).toFixed(0)} s (${got} of ${bytes} bytes)`,
      };
      return { throughput: c, rss: c };
    }
    if (options.sinkless ? st.code !== 0 : got !== bytes) {
      const c = {
        na:
          `received ${got} of ${bytes} bytes (receiver ${receiver.describeExit()}; sender ${sender.describeExit()})`,
      };
      return { throughput: c, rss: c };
    }
    return {
      throughput: { value: mibps(bytes, ms) },
      rss: peak === null ? { na: "could not read /proc/PID/status" } : { value: peak },
    };
  } finally {
    await killAllOf(procs);
  }
}

/** Row 3: `bytes` each way at once between `listen` and `connect`; total MiB/s both ways. */
export async function duplex(
  b: Bench,
  label: string,
  listen: (port: number) => Argv,
  connect: (port: number) => Argv,
  bytes: number,
): Promise<Cell> {
  const port = freePort();
  const lArgv = listen(port);
  const cArgv = connect(port);
  const bad = na(lArgv) ?? na(cArgv);
  if (bad) return bad;
  const skip = b.budgetFor(5000);
  if (skip) return skip;
  const deadline = b.cap((2 * bytes) / (40 * MiB) * 1000 + 30_000);
  const procs: Proc[] = [];
  try {
    const [inA, outA, inB, outB] = [await b.fifo(), await b.fifo(), await b.fifo(), await b.fifo()];
    const sinkA = counter(outA);
    const genA = generator(bytes, inA);
    const a = b.start(`${label}-listen`, lArgv as string[], {
      stdin: { path: inA },
      stdout: { path: outA },
    });
    procs.push(sinkA.proc, genA, a);
    let err = await waitUntil(() => hasSocket("tcp", port, TCP_LISTEN), READY_MS, [a]);
    if (err) return readyError("listener did not listen", err);
    const sinkB = counter(outB);
    const genB = generator(bytes, inB);
    const c = b.start(`${label}-connect`, cArgv as string[], {
      stdin: { path: inB },
      stdout: { path: outB },
    });
    procs.push(sinkB.proc, genB, c);
    err = await waitUntil(() => hasConnection(port), READY_MS, [c]);
    if (err) return readyError("connector did not connect", err);
    const t0 = performance.now();
    await release([genA, genB]);
    const end = t0 + deadline;
    const [sa, sc] = await Promise.all([
      a.wait(end - performance.now()),
      c.wait(end - performance.now()),
    ]);
    const ms = performance.now() - t0;
    await Promise.all([sinkA.proc.wait(10_000), sinkB.proc.wait(10_000)]);
    const [gotA, gotB] = [await sinkA.bytes, await sinkB.bytes];
    if (sa === null || sc === null) {
      return {
        na: `timed out after ${
          (deadline / 1000).toFixed(0)
        } s (got ${gotA} and ${gotB} of ${bytes} bytes)`,
      };
    }
    if (gotA !== bytes || gotB !== bytes) {
      return {
        na:
          `listener got ${gotA}, connector got ${gotB} of ${bytes} bytes (listener ${a.describeExit()}; connector ${c.describeExit()})`,
      };
    }
    return { value: mibps(2 * bytes, ms) };
  } finally {
    await killAllOf(procs);
  }
}

/** Row 8b: peak RSS (KiB) of `recv` while its stdout is read at `rate` bytes/s for `ms`. */
export async function slowReader(
  b: Bench,
  label: string,
  recv: (port: number) => Argv,
  send: (port: number) => Argv,
  rate: number,
  ms: number,
): Promise<Cell> {
  const port = freePort();
  const recvArgv = recv(port);
  const sendArgv = send(port);
  const bad = na(recvArgv) ?? na(sendArgv);
  if (bad) return bad;
  const skip = b.budgetFor(ms + 5000);
  if (skip) return skip;
  const procs: Proc[] = [];
  try {
    const receiver = b.start(`${label}-recv`, recvArgv as string[], { stdout: "piped" });
    procs.push(receiver);
    const reader = receiver.child.stdout.getReader();
    let err = await waitUntil(() => hasSocket("tcp", port, TCP_LISTEN), READY_MS, [receiver]);
    if (err) return readyError("receiver did not listen", err);
    const inFifo = await b.fifo();
    // More than the sender can push in `ms`, so the receiver is under pressure all along.
    const gen = generator(16 * 1024 * MiB, inFifo);
    const sender = b.start(`${label}-send`, sendArgv as string[], { stdin: { path: inFifo } });
    procs.push(gen, sender);
    err = await waitUntil(() => hasConnection(port), READY_MS, [sender]);
    if (err) return readyError("sender did not connect", err);
    const rss = watchPeakRss(receiver.pid, 100);
    const t0 = performance.now();
    await release([gen]);
    let got = 0;
    while (performance.now() - t0 < ms) {
      const ahead = got / rate * 1000 - (performance.now() - t0);
      if (ahead > 0) {
        await new Promise((r) => setTimeout(r, Math.min(ahead, ms)));
        continue;
      }
      const r = await reader.read();
      if (r.done) break;
      got += r.value.length;
    }
    const peak = await rss.stop();
    if (!receiver.running) {
      return { na: `receiver ended early after ${got} bytes: ${receiver.describeExit()}` };
    }
    if (got < (rate * ms) / 1000 / 2) return { na: `read only ${got} bytes in ${ms} ms` };
    reader.releaseLock();
    return peak === null ? { na: "could not read /proc/PID/status" } : { value: peak };
  } finally {
    await killAllOf(procs);
  }
}

/** Row 4 result: connections/s and p99 latency. */
export interface ConnRate {
  rate: Cell;
  p99: Cell;
}

/** Row 4: `server` hit by `concurrency` open-send-100-read-close loops for `ms`. */
export async function connRate(
  b: Bench,
  label: string,
  server: (port: number) => Argv,
  concurrency: number,
  ms: number,
): Promise<ConnRate> {
  const port = freePort();
  const argv = server(port);
  const bad = na(argv) ?? b.budgetFor(ms + 10_000);
  if (bad) return { rate: bad, p99: bad };
  let srv: Proc | null = null;
  let client: Proc | null = null;
  try {
    srv = b.start(`${label}-server`, argv as string[], {});
    const err = await waitUntil(() => hasSocket("tcp", port, TCP_LISTEN), READY_MS, [srv]);
    if (err) {
      const notThere = srv.exit?.code === 2 ? "not available" : "server did not listen";
      const c = readyError(notThere, err);
      return { rate: c, p99: c };
    }
    const script = new URL("./conn_load.ts", import.meta.url).pathname;
    client = spawn("conn_load", [
      Deno.execPath(),
      "run",
      "-q",
      "--allow-net=127.0.0.1",
      script,
      `${port}`,
      `${concurrency}`,
      `${ms}`,
    ], { stdout: "piped" });
    const out = new Response(client.child.stdout).text();
    const st = await client.wait(ms + 30_000);
    if (st === null || st.code !== 0) {
      const c = { na: `load client failed: ${client.describeExit()}` };
      return { rate: c, p99: c };
    }
    const r = JSON.parse(await out) as LoadResult;
    if (r.ok === 0) {
      const c = { na: `no exchange completed: ${r.firstError}` };
      return { rate: c, p99: c };
    }
    if (!srv.running) {
      const c = { na: `server died during the run: ${srv.describeExit()}` };
      return { rate: c, p99: c };
    }
    const note = r.errors ? `${r.errors} failed: ${r.firstError}` : undefined;
    return {
      rate: { value: r.perSecond, note },
      p99: { value: r.p99Ms ?? 0, note },
    };
  } finally {
    if (srv) await srv.stop();
    if (client) await client.kill();
  }
}

/** One UDP step: datagrams lost (sent − received) at `rate`/s, and the rate reached. */
async function udpStep(
  b: Bench,
  label: string,
  recv: (port: number) => Argv,
  rate: number,
  seconds: number,
  size: number,
): Promise<{ lost: number; achieved: number } | { na: string }> {
  const port = freePort("udp");
  const argv = recv(port) as string[];
  const procs: Proc[] = [];
  try {
    const receiver = b.start(`${label}-udp`, argv, { stdout: "piped" });
    procs.push(receiver);
    let got = 0;
    let lastGrowth = performance.now();
    const counting = (async () => {
      try {
        for await (const chunk of receiver.child.stdout) {
          got += chunk.length;
          lastGrowth = performance.now();
        }
      } catch {
        // Killed.
      }
    })();
    const err = await waitUntil(() => hasSocket("udp", port, UDP_BOUND), READY_MS, [receiver]);
    if (err) return { na: `receiver did not bind: ${err}` };
    const count = Math.round(rate * seconds);
    const script = new URL("./udp_flood.ts", import.meta.url).pathname;
    const flood = spawn("udp_flood", [
      Deno.execPath(),
      "run",
      "-q",
      "--allow-net=127.0.0.1",
      "--unstable-net",
      script,
      `${port}`,
      `${rate}`,
      `${count}`,
      `${size}`,
    ], { stdin: "piped", stdout: "piped" });
    procs.push(flood);
    const out = new Response(flood.child.stdout).text();
    const warm = await waitUntil(() => got >= size, READY_MS, [receiver, flood]);
    if (warm) return { na: `the warm-up datagram did not come out: ${warm}` };
    const w = flood.child.stdin.getWriter();
    await w.write(enc.encode("go\n"));
    await w.close();
    const st = await flood.wait(seconds * 1000 * 4 + 10_000);
    if (st === null || st.code !== 0) return { na: `UDP sender failed: ${flood.describeExit()}` };
    const r = JSON.parse(await out) as FloodResult;
    // Done when every byte is out, or when nothing more arrived for 300 ms (the rest is lost).
    await waitUntil(
      () => got >= (r.sent + 1) * size || performance.now() - lastGrowth > 300,
      5000,
      [receiver],
    );
    if (!receiver.running) return { na: `receiver ended: ${receiver.describeExit()}` };
    await receiver.stop();
    await counting;
    return { lost: r.sent + 1 - Math.floor(got / size), achieved: r.perSecond };
  } finally {
    await killAllOf(procs);
  }
}

/**
 * Row 5: the highest rate (datagrams/s of `size` bytes) at which `recv` wrote every datagram
 * to stdout. Rates double from `start` until a step loses one (a lossy step is retried once, to
 * forgive a burst of load from elsewhere), then two bisection steps refine it.
 */
export async function udpLossless(
  b: Bench,
  label: string,
  recv: (port: number) => Argv,
  rates: { start: number; max: number; seconds: number; size: number },
): Promise<Cell> {
  const bad = na(recv(1));
  if (bad) return bad;
  const lossless = async (rate: number): Promise<boolean | { na: string } | "sender"> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (b.remaining < rates.seconds * 1000 + 5000) return { na: "budget" };
      const r = await udpStep(b, label, recv, rate, rates.seconds, rates.size);
      if ("na" in r) return r;
      if (r.achieved < rate * 0.9) return "sender";
      if (r.lost === 0) return true;
    }
    return false;
  };
  let good = 0;
  let badRate = 0;
  let note: string | undefined;
  for (let rate = rates.start; rate <= rates.max; rate *= 2) {
    const ok = await lossless(rate);
    if (ok === true) {
      good = rate;
      continue;
    }
    if (ok === "sender") {
      note = "the sender's limit; no loss up to there";
      break;
    }
    if (ok !== false) {
      if (good === 0) return ok.na === "budget" ? b.budgetFor(Infinity)! : ok;
      note = "search cut short by the time budget";
      break;
    }
    badRate = rate;
    break;
  }
  if (good === 0 && badRate !== 0) return { na: `loses datagrams even at ${badRate}/s` };
  if (badRate) {
    for (let i = 0; i < 2; i++) {
      const mid = Math.round((good + badRate) / 2);
      const ok = await lossless(mid);
      if (ok === true) good = mid;
      else if (ok === false) badRate = mid;
      else break;
    }
  } else if (!note) {
    note = `no loss up to ${rates.max}/s, the top of the search`;
  }
  return { value: good, note };
}

/**
 * Row 6: milliseconds `probe` takes over its ports (median of `runs`); exit 0 required. A run
 * that hangs is killed after 30 s and named in the note (or the n/a, if no run finished).
 */
export async function probe(
  b: Bench,
  label: string,
  argv: Argv,
  runs: number,
): Promise<Cell> {
  const bad = na(argv) ?? b.budgetFor(10_000);
  if (bad) return bad;
  const times: number[] = [];
  const hangs: string[] = [];
  for (let i = 0; i < runs && b.remaining > 5000; i++) {
    const t0 = performance.now();
    const p = b.start(`${label}-probe`, argv as string[], { stdout: "piped" });
    const out = new Response(p.child.stdout).text();
    const st = await p.wait(b.cap(30_000));
    const lines = (await out).split("\n").filter((l) => l.trim() !== "").length;
    if (st === null) {
      hangs.push(`killed after 30 s with ${lines} result lines printed`);
      continue;
    }
    if (st.code !== 0) return { na: `exit ${st.code}: ${p.lastStderrLine()}` };
    times.push(performance.now() - t0);
  }
  const hung = hangs.length ? `${hangs.length} of ${runs} runs hung (${hangs[0]})` : undefined;
  if (times.length === 0) return { na: hung ?? "not run: budget spent" };
  return { value: median(times), note: hung, samples: times };
}

/** Row 7: median ms of running `argv` to its exit, `runs` times; stdin gets `input` then EOF. */
export async function startup(
  b: Bench,
  label: string,
  argv: Argv,
  runs: number,
  input?: Uint8Array,
): Promise<Cell> {
  const bad = na(argv) ?? b.budgetFor(5000);
  if (bad) return bad;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const p = b.start(label, argv as string[], { stdin: input ? "piped" : "null" });
    if (input) {
      const w = p.child.stdin.getWriter();
      await w.write(input).catch(() => {});
      await w.close().catch(() => {});
    }
    const st = await p.wait(b.cap(20_000));
    if (st === null) return { na: "did not exit within 20 s" };
    if (st.code !== 0) return { na: `exit ${st.code}: ${p.lastStderrLine()}` };
    times.push(performance.now() - t0);
  }
  return { value: median(times), samples: times };
}

/** A loopback listener that reads each connection to its end and closes it (row 7). */
export function drainServer(): { port: number; close(): Promise<void> } {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const serve = async (c: Deno.Conn) => {
    conns.add(c);
    const buf = new Uint8Array(65536);
    try {
      while ((await c.read(buf)) !== null) { /* drain */ }
    } catch {
      // Reset by the client: fine.
    } finally {
      conns.delete(c);
      try {
        c.close();
      } catch {
        // Closed already.
      }
    }
  };
  const accepting = (async () => {
    try {
      for await (const c of l) serve(c);
    } catch {
      // Listener closed.
    }
  })();
  return {
    port: (l.addr as Deno.NetAddr).port,
    async close() {
      l.close();
      for (const c of conns) c.close();
      await accepting;
    },
  };
}

/** Opens listeners on a few ports in lo..hi so a probe finds some open; returns closers. */
export function openSome(lo: number, hi: number, every: number): Deno.Listener[] {
  const out: Deno.Listener[] = [];
  for (let p = lo; p <= hi; p += every) {
    try {
      out.push(Deno.listen({ hostname: "127.0.0.1", port: p }));
    } catch {
      // In use by someone else: it is open anyway.
    }
  }
  return out;
}

/** iperf3 TCP throughput in MiB/s: `-n bytes` one way, or `--bidir -t secs` summed. */
export async function iperf(
  b: Bench,
  bin: string | null,
  mode: { bytes: number } | { bidirSeconds: number },
): Promise<Cell> {
  if (!bin) return { na: "iperf3 not installed" };
  const skip = b.budgetFor(10_000);
  if (skip) return skip;
  const port = freePort();
  const server = spawn("iperf3-s", [bin, "-s", "-1", "-B", "127.0.0.1", "-p", `${port}`], {});
  try {
    const err = await waitUntil(() => hasSocket("tcp", port, TCP_LISTEN), READY_MS, [server]);
    if (err) return { na: `iperf3 server: ${err}` };
    const args = "bytes" in mode
      ? ["-n", `${mode.bytes}`]
      : ["--bidir", "-t", `${mode.bidirSeconds}`];
    const client = spawn("iperf3-c", [bin, "-c", "127.0.0.1", "-p", `${port}`, "-J", ...args], {
      stdout: "piped",
    });
    const out = new Response(client.child.stdout).text();
    const st = await client.wait(b.cap(120_000));
    if (st === null || st.code !== 0) return { na: `iperf3: ${client.describeExit()}` };
    const end = JSON.parse(await out).end;
    const bps = end.sum_received.bits_per_second +
      (end.sum_received_bidir_reverse?.bits_per_second ?? 0);
    return { value: bps / 8 / MiB };
  } finally {
    await server.kill();
  }
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
