/**
 * socktool against nc (netcat-openbsd), ncat and socat, on loopback, in one run (issue 7).
 *
 * Run: `deno task bench` (full, under 10 minutes; writes bench/RESULTS.md), or
 * `deno task bench --quick` (small sizes, a smoke run; prints only). Options:
 * `--rows 1,3,5` (a subset), `--repeat N` (rows 1, 1b, 2, 3 and 5 run N times, median shown with
 * min–max; full run: 3), `--compare REF` (socktool from commit REF beside this checkout's,
 * interleaved, with the ratio; `--with-peers` keeps the peers), `--profile DIR` (run socktool
 * under `--cpu-prof` and print its hottest functions), `--out FILE`, `--no-install`.
 * @module
 */

import { parseArgs } from "node:util";
import {
  Bench,
  type Cell,
  connRate,
  drainServer,
  duplex,
  iperf,
  isValue,
  median,
  oneWay,
  openSome,
  probe,
  slowReader,
  startup,
  udpLossless,
} from "./measure.ts";
import { killAll, run } from "./procs.ts";
import {
  type Argv,
  findPeers,
  memEnd,
  nc,
  ncat,
  PEERS,
  socat,
  socktool,
  socktoolCmd,
  type Tool,
  type ToolName,
  versionOf,
} from "./tools.ts";
import { summarize } from "./cpuprofile.ts";

/** Sizes and durations of one run. */
interface Plan {
  quick: boolean;
  bytes1: number;
  bytes3: number;
  connMs: number;
  concurrency: number;
  udp: { start: number; max: number; seconds: number; size: number };
  probeRuns: number;
  startupRuns: number;
  slowMs: number;
  iperfBidirSeconds: number;
  repeat: number;
  budgetMs: number;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function plan(quick: boolean, repeat: number): Plan {
  return quick
    ? {
      quick,
      bytes1: 256 * MiB,
      bytes3: 128 * MiB,
      connMs: 2000,
      concurrency: 32,
      udp: { start: 5000, max: 320_000, seconds: 0.3, size: 1024 },
      probeRuns: 1,
      startupRuns: 5,
      slowMs: 3000,
      iperfBidirSeconds: 1,
      repeat,
      budgetMs: 300_000,
    }
    : {
      quick,
      bytes1: 4 * GiB,
      bytes3: 1 * GiB,
      connMs: 10_000,
      concurrency: 32,
      udp: { start: 5000, max: 320_000, seconds: 1, size: 1024 },
      probeRuns: 3,
      startupRuns: 20,
      slowMs: 10_000,
      iperfBidirSeconds: 3,
      repeat,
      budgetMs: 570_000,
    };
}

type Better = "higher" | "lower";

/** One table row: a cell per tool, iperf3's ceiling where it has one, and the target check. */
interface Row {
  id: string;
  title: string;
  unit: string;
  better: Better;
  cells: Partial<Record<ToolName, Cell>>;
  iperf?: Cell;
  /** Whose ceiling the `iperf` cell is, for its footnotes (default iperf3). */
  ceilingName?: string;
  target?: { text: string; met: (st: number, peers: Partial<Record<ToolName, number>>) => boolean };
}

/**
 * One cell from several runs of a measure: the median of the good ones with every value in
 * `samples`, and a note for the failed ones.
 */
function aggregate(all: Cell[]): Cell {
  const good = all.filter(isValue);
  const bad = all.filter((c): c is { na: string } => !isValue(c));
  if (good.length === 0) return bad[0] ?? { na: "not run" };
  const notes = good.map((c) => c.note).filter((n) => n !== undefined);
  if (bad.length) notes.push(`${bad.length} of ${all.length} runs failed: ${bad[0].na}`);
  // A measure that ran several times itself (start-up) gives every run.
  const each = good.flatMap((c) => c.samples ?? [c.value]);
  return {
    value: median(each),
    samples: each.length > 1 ? each : undefined,
    note: notes.length ? [...new Set(notes)].join("; ") : undefined,
  };
}

function values(row: Row): Partial<Record<ToolName, number>> {
  const out: Partial<Record<ToolName, number>> = {};
  for (const t of PEERS) {
    const c = row.cells[t];
    if (isValue(c)) out[t] = c.value;
  }
  return out;
}

function bestPeer(row: Row): number | null {
  const peers = Object.values(values(row));
  if (peers.length === 0) return null;
  return row.better === "higher" ? Math.max(...peers) : Math.min(...peers);
}

function fmt(unit: string, v: number): string {
  if (unit === "MiB/s" || unit === "conn/s" || unit === "datagrams/s") {
    return Math.round(v).toLocaleString("en-US");
  }
  if (unit === "s") return v.toFixed(2);
  if (unit === "ms") return v.toFixed(1);
  if (unit === "MB") return (v * 1024 / 1e6).toFixed(1); // cells hold KiB
  return String(v);
}

/** Footnotes: each distinct remark once, numbered. */
class Notes {
  readonly list: string[] = [];
  ref(text: string): string {
    let i = this.list.indexOf(text);
    if (i < 0) i = this.list.push(text) - 1;
    return `[${i + 1}]`;
  }
}

/** A cell: the value (the median of several runs, then with `(min–max)`), or n/a with a note. */
function cellText(row: Row, c: Cell | undefined, notes: Notes, tool: string): string {
  if (c === undefined) return "—";
  if ("na" in c) return `n/a ${notes.ref(`${tool}, row ${row.id}: ${c.na}`)}`;
  let s = fmt(row.unit, c.value);
  if (c.samples && c.samples.length > 1) {
    s += ` (${fmt(row.unit, Math.min(...c.samples))}–${fmt(row.unit, Math.max(...c.samples))})`;
  }
  return c.note ? `${s} ${notes.ref(`${tool}, row ${row.id}: ${c.note}`)}` : s;
}

/** What the table shows: the tools' columns, and the name of the compared commit if any. */
interface Layout {
  columns: ToolName[];
  /** `--compare REF`: the base column's heading and the ratio column's. */
  baseName?: string;
}

/** The results as one Markdown table plus footnotes, columns padded for a terminal. */
function table(rows: Row[], layout: Layout): string {
  const notes = new Notes();
  const peers = layout.columns.some((t) => PEERS.includes(t));
  const heading = (t: ToolName) => t === "base" ? `socktool@${layout.baseName}` : t;
  const head = [
    "#",
    "measure",
    "unit",
    ...layout.columns.map(heading),
    ...(peers ? ["ceiling / floor", "socktool / best peer", "target"] : []),
    ...(layout.baseName ? [`socktool / ${heading("base")}`] : []),
  ];
  const body = rows.map((row) => {
    const st = row.cells.socktool;
    const best = bestPeer(row);
    const ratio = isValue(st) && best ? `${(st.value / best).toFixed(2)}×` : "—";
    let target = "—";
    if (row.target) {
      target = isValue(st)
        ? `${row.target.met(st.value, values(row)) ? "met" : "**not met**"}: ${row.target.text}`
        : `unmeasured: ${row.target.text}`;
    }
    const base = row.cells.base;
    const vsBase = isValue(st) && isValue(base) && base.value
      ? `${(st.value / base.value).toFixed(2)}×`
      : "—";
    return [
      row.id,
      row.title,
      `${row.unit} (${row.better === "higher" ? "↑" : "↓"})`,
      ...layout.columns.map((t) => cellText(row, row.cells[t], notes, heading(t))),
      ...(peers
        ? [
          row.iperf
            ? cellText(
              row,
              row.iperf,
              notes,
              row.ceilingName ?? (row.id === "7a" ? "deno" : "iperf3"),
            )
            : "",
          ratio,
          target,
        ]
        : []),
      ...(layout.baseName ? [vsBase] : []),
    ];
  });
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => [...r[i]].length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => c + " ".repeat(widths[i] - [...c].length)).join(" | ")} |`;
  const sep = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  const out = [line(head), sep, ...body.map(line)];
  if (notes.list.length) {
    out.push("", ...notes.list.map((n, i) => `[${i + 1}] ${n}`));
  }
  return out.join("\n");
}

const METHOD = `## How it is measured (and why it is fair)

- Loopback only (127.0.0.1). Each cell is one run of the tool as a user types it (listed
  below), measured in this same run. Rows 1, 1b, 2, 3 and 5 run \`--repeat\` times (3 in a
  full run), tools interleaved (each round runs every tool once); their cells show the median
  with the minimum and maximum in brackets, and the ratio and the target use the median.
- Data comes from \`dd if=/dev/zero bs=64K\` through a pipe (64 KiB writes, one pipe buffer each),
  and the receiver writes to a pipe read by \`wc -c\`, which also checks that every byte arrived
  (a short transfer is reported as n/a, not as a speed). Every tool gets the same feeding, the
  same sink and the same pipeline shape; each tool reads and writes with its own default buffer
  size, as a user gets (no flags added): nc reads 16 KiB at a time, ncat and socat 8 KiB,
  socktool up to 256 KiB.
- The clock starts when the generator is released, after the connection is established (so
  process start-up is not in rows 1–3; it is row 7), and stops when the receiver exits (row 3:
  when both ends have exited).
- Row 1b: the receiver logs to a file in the run's temp dir (under \$TMPDIR or /tmp); each log must
  hold every byte and is removed right after its run, so that writing it back to the disk does not
  load the rows after it.
- Row 2 pairs each tool with nc: 2a has the column's tool sending into an nc receiver, 2b an nc
  sender feeding the column's tool; nc's own cell is row 1's nc → nc run.
- Row 1/2 receivers have stdin = /dev/null. socat runs one-way rows with \`-u\`: a bidirectional
  socat stops 0.5 s after its stdin's EOF and would cut the transfer. nc needs \`-N\` on the
  sending side to finish.
- Row 4: the load client is \`bench/conn_load.ts\` (Deno), 32 concurrent loops of
  connect → send 100 bytes → read 100 bytes back (checked) → close.
- Row 5: \`bench/udp_flood.ts\` (Deno) sends 1 KiB datagrams from one socket, paced in 1 ms
  slices, after one warm-up datagram has come out of the receiver (so the receiver is running
  and has taken that socket as its peer); the receiver's stdout is counted. Rates double until a step loses a datagram (a lossy
  step is retried once), then two bisection steps. A fresh receiver for every step.
- Row 6: 1000 consecutive ports (below the ephemeral range) with a listener on every 100th; wall
  time of the whole command, start-up included, median of 3.
- Row 7: median wall time from spawn to exit; connect-send-exit sends 2 bytes to a listener that
  reads to EOF and closes.
- Row 8: VmHWM from /proc/PID/status of the receiving process (for socktool that is the deno
  process running main.ts), sampled every 50–100 ms until it exits; in 8b the benchmark itself
  reads the receiver's stdout pipe at 1 MiB/s while the sender pushes as fast as it can.
- iperf3 (memory to memory, no pipes, no stdin/stdout) shows what the loopback itself can do.
- Rows 2a/2b's ceiling is nc's own: nc with an ideal far end (\`bench/mem_end.ts\`: memory to the
  socket, or the socket to nowhere, 1 MiB per call, no pipe on its side), once per round. No tool
  on the other end of nc can go faster than that. In row 7a the same column holds an empty
  \`deno run\`, socktool's floor.
- Targets are issue 15's (rows 1, 2, 5: ≥ 1.2× the best peer; 6, 7, 8a: fixed limits) and
  issue 7's for the others.
- The machine is shared (other work runs on the same cores), so expect a few percent of noise.
`;

async function main(): Promise<number> {
  const { values: opts } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean", default: Deno.env.get("BENCH_QUICK") === "1" },
      rows: { type: "string" },
      repeat: { type: "string" },
      compare: { type: "string" },
      "with-peers": { type: "boolean", default: false },
      profile: { type: "string" },
      out: { type: "string" },
      "no-install": { type: "boolean", default: false },
    },
  });
  const quick = opts.quick ?? false;
  const p = plan(quick, Number(opts.repeat ?? (quick ? 1 : 3)));
  const rowSet = new Set((opts.rows ?? "1,2,3,4,5,6,7,8").split(",").map((s) => s.trim()));
  const want = (r: string) => rowSet.has(r);
  const repo = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const profDir = opts.profile ? await Deno.realPath(await ensureDir(opts.profile)) : null;
  const denoFlags = profDir ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [];

  const tmp = await Deno.makeTempDir({ prefix: "socktool-bench-" });
  // --compare REF: that commit checked out beside this one, run the same way.
  const baseDir = opts.compare ? `${tmp}/base` : null;
  const layout: Layout = {
    columns: opts.compare
      ? ["socktool", "base", ...(opts["with-peers"] ? PEERS : [])]
      : ["socktool", ...PEERS],
  };

  // Tools and versions.
  const peers = await findPeers(!opts["no-install"]);
  const tools: Record<ToolName, Tool> = {
    socktool: socktool(repo, denoFlags),
    base: socktool(baseDir ?? repo, denoFlags, "base"),
    nc: nc(peers.nc ?? "nc"),
    ncat: ncat(peers.ncat ?? "ncat"),
    socat: socat(peers.socat ?? "socat"),
  };
  for (const name of ["nc", "ncat", "socat"] as const) {
    if (!peers[name]) tools[name].missing = `${name} is not installed`;
  }
  if (opts.compare && baseDir) {
    const added = await run(
      ["git", "-C", repo, "worktree", "add", "--detach", "-q", baseDir, opts.compare],
      60_000,
    );
    if (added.code !== 0) {
      console.error(`bench: --compare ${opts.compare}: ${added.stderr.trim()}`);
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      return 2;
    }
    const sha = await run(["git", "-C", baseDir, "rev-parse", "--short", "HEAD"], 10_000);
    layout.baseName = `${opts.compare}${
      sha.stdout.trim() && !opts.compare.startsWith(sha.stdout.trim())
        ? ` (${sha.stdout.trim()})`
        : ""
    }`;
  }
  // The first run of a checkout also compiles it: not a measurement.
  for (const [name, dir] of [["socktool", repo], ["base", baseDir]] as const) {
    if (dir === null) continue;
    const v = await run([...socktoolCmd(dir), "--version"], 60_000);
    if (v.code !== 0) {
      const why = v.stderr.trim().split("\n").at(-1) || `exit ${v.code}`;
      tools[name].missing = `socktool --version failed: ${why}`;
    } else {
      tools[name].version = v.stdout.trim().split("\n")[0];
    }
  }
  if (peers.nc) {
    tools.nc.version = `netcat-openbsd ${await versionOf([
      "dpkg-query",
      "-W",
      "-f=${Version}",
      "netcat-openbsd",
    ])}`;
  }
  if (peers.ncat) {
    tools.ncat.version = await versionOf([peers.ncat, "--version"], /(Ncat: Version [^ ]+)/);
  }
  if (peers.socat) {
    tools.socat.version = await versionOf([peers.socat, "-V"], /(socat version [^ ]+)/);
  }
  const iperfVersion = peers.iperf3
    ? await versionOf([peers.iperf3, "--version"])
    : "not installed";
  for (const t of layout.columns) {
    console.error(`bench: ${t}: ${tools[t].missing ?? tools[t].version}`);
  }

  const b = new Bench(tmp, p.budgetMs);
  const started = performance.now();
  const rows: Row[] = [];
  const log = (row: string, tool: string, c: Cell, unit: string) =>
    console.error(
      `bench: ${
        ((performance.now() - started) / 1000).toFixed(0).padStart(3)
      } s: row ${row} ${tool}: ${"na" in c ? `n/a: ${c.na}` : `${fmt(unit, c.value)} ${unit}`}`,
    );
  /**
   * Runs `measure` for each tool (n/a for a missing one), `repeat` rounds, tools interleaved in
   * each round; a tool measured more than once gets the median, with every run in `samples`.
   */
  const forTools = async (
    row: string,
    unit: string,
    measure: (t: Tool) => Promise<Cell>,
    repeat = 1,
    afterRound?: () => Promise<void>,
  ): Promise<Partial<Record<ToolName, Cell>>> => {
    const runs: Partial<Record<ToolName, Cell[]>> = {};
    for (let i = 0; i < repeat; i++) {
      for (const name of layout.columns) {
        const t = tools[name];
        if (t.missing) continue;
        const c = await measure(t);
        log(row, name, c, unit);
        (runs[name] ??= []).push(c);
      }
      await afterRound?.();
    }
    const cells: Partial<Record<ToolName, Cell>> = {};
    for (const name of layout.columns) {
      const t = tools[name];
      cells[name] = t.missing ? { na: t.missing } : aggregate(runs[name] ?? []);
    }
    return cells;
  };

  const cleanup = async () => {
    await killAll();
    if (baseDir) {
      await run(["git", "-C", repo, "worktree", "remove", "--force", baseDir], 60_000);
      await run(["git", "-C", repo, "worktree", "prune"], 60_000);
    }
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  };
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(sig, () => {
      cleanup().finally(() => Deno.exit(sig === "SIGINT" ? 130 : 143));
    });
  }

  const size1 = p.bytes1 >= GiB ? `${p.bytes1 / GiB} GiB` : `${p.bytes1 / MiB} MiB`;
  const size3 = p.bytes3 >= GiB ? `${p.bytes3 / GiB} GiB` : `${p.bytes3 / MiB} MiB`;
  const bestOf = (v: Partial<Record<ToolName, number>>) =>
    Math.max(...[v.nc, v.ncat, v.socat].filter((x) => x !== undefined) as number[]);
  const atLeastBest = {
    text: "≥ 1.0× best peer",
    met: (st: number, v: Partial<Record<ToolName, number>>) => st >= bestOf(v),
  };
  // Issue 15's targets.
  const aFifthAbove = {
    text: "≥ 1.2× best peer",
    met: (st: number, v: Partial<Record<ToolName, number>>) => st >= 1.2 * bestOf(v),
  };
  const atMost = (limit: number, unit: string) => ({
    text: `≤ ${limit} ${unit}`,
    met: (st: number) => (unit === "MB" ? st * 1024 / 1e6 : st) <= limit,
  });
  const under100MB = { text: "< 100 MB", met: (st: number) => st * 1024 < 100e6 };
  const rss8a: Partial<Record<ToolName, Cell>> = {};

  try {
    if (want("1") || want("8")) {
      const rssCells: Partial<Record<ToolName, Cell>> = {};
      const cells = await forTools("1", "MiB/s", async (t) => {
        const r = await oneWay(b, `row1-${t.name}`, t.recv, t.send, p.bytes1);
        const prev = rssCells[t.name];
        if (!isValue(prev) || (isValue(r.rss) && r.rss.value > prev.value)) {
          rssCells[t.name] = r.rss;
        }
        return r.throughput;
      }, p.repeat);
      Object.assign(rss8a, rssCells);
      for (const t of layout.columns) if (tools[t].missing) rss8a[t] = { na: tools[t].missing! };
      rows.push({
        id: "1",
        title: `TCP throughput, stdin → socket → stdout, ${size1}, same tool both ends`,
        unit: "MiB/s",
        better: "higher",
        cells,
        iperf: await iperf(b, peers.iperf3, { bytes: p.bytes1 }),
        target: aFifthAbove,
      });
    }
    if (want("1")) {
      // Issue 5's cost check: the same transfer with the session logged (-o)
      // and the -v summary on must stay within 10% of plain row 1.
      const plain = rows.find((r) => r.id === "1")?.cells.socktool;
      const logged = (argv: Argv, log: string): Argv =>
        Array.isArray(argv) ? [...argv, "-v", "-o", `${tmp}/${log}`] : argv;
      const cells = await forTools("1b", "MiB/s", async (t) => {
        if (t.name === "nc") return { na: "netcat-openbsd has no session log" };
        if (t.name === "socat") {
          return { na: "socat's -v/-x dump as text to stderr, not a byte log" };
        }
        const withV = (argv: Argv): Argv => Array.isArray(argv) ? [...argv, "-v"] : argv;
        const log = `row1b-${t.name}.log`;
        const cell = (await oneWay(
          b,
          `row1b-${t.name}`,
          (port) => logged(t.recv(port), log),
          (port) => withV(t.send(port)),
          p.bytes1,
        )).throughput;
        // The log must hold every byte; then it goes at once, so that the kernel
        // does not spend the next rows writing gigabytes of it to the disk.
        let size = -1;
        try {
          size = (await Deno.stat(`${tmp}/${log}`)).size;
          await Deno.remove(`${tmp}/${log}`);
        } catch { /* no log: said below */ }
        if (isValue(cell) && size !== p.bytes1) {
          return { na: `the log holds ${size < 0 ? "nothing" : `${size} bytes`} of ${p.bytes1}` };
        }
        return cell;
      }, p.repeat);
      rows.push({
        id: "1b",
        title: `row 1 with -o FILE on the receiver and -v on both ends, ${size1}`,
        unit: "MiB/s",
        better: "higher",
        cells,
        target: {
          text: "within 10% of socktool's plain row 1",
          met: (st: number) => isValue(plain) && st >= 0.9 * plain.value,
        },
      });
    }
    if (want("2")) {
      const ncTool = tools.nc;
      const reuse = rows.find((r) => r.id === "1")?.cells.nc;
      for (const dir of ["a", "b"] as const) {
        // nc's own ceiling: nc with an ideal far end (memory, no pipe), in the same rounds.
        const ceilingRuns: Cell[] = [];
        const ceiling = async () => {
          if (ncTool.missing) return;
          const c = dir === "a"
            ? (await oneWay(
              b,
              "row2a-ceiling",
              ncTool.recv,
              (port) => memEnd("send")(port, p.bytes1),
              p.bytes1,
            ))
              .throughput
            : (await oneWay(
              b,
              "row2b-ceiling",
              (port) => memEnd("recv")(port, p.bytes1),
              ncTool.send,
              p.bytes1,
              {
                sinkless: true,
              },
            )).throughput;
          log(`2${dir}`, "ceiling", c, "MiB/s");
          ceilingRuns.push(c);
        };
        const cells = await forTools(
          `2${dir}`,
          "MiB/s",
          async (t) => {
            if (t.name === "nc" && reuse) return reuse;
            if (ncTool.missing) return { na: ncTool.missing };
            return dir === "a"
              ? (await oneWay(b, `row2a-${t.name}`, ncTool.recv, t.send, p.bytes1)).throughput
              : (await oneWay(b, `row2b-${t.name}`, t.recv, ncTool.send, p.bytes1)).throughput;
          },
          p.repeat,
          ceiling,
        );
        if (reuse && layout.columns.includes("nc")) {
          cells.nc = { ...reuse, note: "the nc → nc run of row 1" } as Cell;
        }
        rows.push({
          id: `2${dir}`,
          title: dir === "a"
            ? `interop: column's tool sends → nc receives, ${size1}`
            : `interop: nc sends → column's tool receives, ${size1}`,
          unit: "MiB/s",
          better: "higher",
          cells,
          iperf: ceilingRuns.length ? aggregate(ceilingRuns) : undefined,
          ceilingName: dir === "a"
            ? "nc's receive ceiling (an ideal sender → nc)"
            : "nc's send ceiling (nc → an ideal receiver)",
          target: aFifthAbove,
        });
      }
    }
    if (want("3")) {
      const cells = await forTools(
        "3",
        "MiB/s",
        async (t) => {
          // A short transfer gets one more try: nc loses the tail now and then in this row.
          const first = await duplex(
            b,
            `row3-${t.name}`,
            t.duplexListen,
            t.duplexConnect,
            p.bytes3,
          );
          if (!("na" in first) || !/ of \d+ bytes \(/.test(first.na)) return first;
          const second = await duplex(
            b,
            `row3-${t.name}`,
            t.duplexListen,
            t.duplexConnect,
            p.bytes3,
          );
          return "na" in second
            ? { na: `twice: ${first.na}; ${second.na}` }
            : { ...second, note: `a first attempt lost data: ${first.na}` };
        },
        p.repeat,
      );
      rows.push({
        id: "3",
        title: `full duplex, ${size3} each way at once (both directions summed)`,
        unit: "MiB/s",
        better: "higher",
        cells,
        iperf: await iperf(b, peers.iperf3, { bidirSeconds: p.iperfBidirSeconds }),
        target: atLeastBest,
      });
    }
    if (want("4")) {
      const rate: Partial<Record<ToolName, Cell>> = {};
      const p99: Partial<Record<ToolName, Cell>> = {};
      for (const name of layout.columns) {
        const t = tools[name];
        if (t.missing) {
          rate[name] = p99[name] = { na: t.missing };
          continue;
        }
        const r = await connRate(b, `row4-${name}`, t.echoServer, p.concurrency, p.connMs);
        log("4", name, r.rate, "conn/s");
        rate[name] = r.rate;
        p99[name] = r.p99;
      }
      rows.push({
        id: "4a",
        title: `connection rate: -k echo listener, ${p.concurrency} clients at once, ${
          p.connMs / 1000
        } s`,
        unit: "conn/s",
        better: "higher",
        cells: rate,
        target: {
          text: "≥ 5× ncat --exec and socat fork",
          met: (st, v) => [v.ncat, v.socat].every((x) => x === undefined || st >= 5 * x),
        },
      });
      rows.push({
        id: "4b",
        title: "connection latency p99 (connect → 100 bytes echoed → close)",
        unit: "ms",
        better: "lower",
        cells: p99,
      });
    }
    if (want("5")) {
      const cells = await forTools(
        "5",
        "datagrams/s",
        (t) => udpLossless(b, `row5-${t.name}`, t.udpRecv, p.udp),
        p.repeat,
      );
      rows.push({
        id: "5",
        title: `UDP: highest rate received without loss, ${p.udp.size} B datagrams`,
        unit: "datagrams/s",
        better: "higher",
        cells,
        target: aFifthAbove,
      });
    }
    if (want("6")) {
      // Below Linux's ephemeral range (32768+), where row 4's TIME_WAIT sockets would sit.
      let lo = 22000;
      let listeners = openSome(lo, lo + 999, 100);
      while (listeners.length < 5 && lo < 30000) {
        for (const l of listeners) l.close();
        lo += 1000;
        listeners = openSome(lo, lo + 999, 100);
      }
      const hi = lo + 999;
      try {
        const cells = await forTools(
          "6",
          "ms",
          (t) => probe(b, `row6-${t.name}`, t.probe(lo, hi), 1),
          p.probeRuns,
        );
        rows.push({
          id: "6",
          title: `-z probe of 1000 localhost ports (${listeners.length} open)`,
          unit: "ms",
          better: "lower",
          cells,
          target: atMost(30, "ms"),
        });
      } finally {
        for (const l of listeners) l.close();
      }
    }
    if (want("7")) {
      // In rounds, so that tools take turns and a burst of load elsewhere hits them all.
      const rounds = Math.min(p.startupRuns, 4);
      const perRound = Math.ceil(p.startupRuns / rounds);
      const cells = await forTools(
        "7a",
        "ms",
        (t) => startup(b, `row7a-${t.name}`, t.startup(), perRound),
        rounds,
      );
      // The floor: an empty program started the same way.
      const empty = `${tmp}/empty.ts`;
      await Deno.writeTextFile(empty, "");
      rows.push({
        id: "7a",
        title: "start-up: --version (nc: -h; socat: -V), median",
        unit: "ms",
        better: "lower",
        cells,
        iperf: await startup(b, "row7a-empty", [Deno.execPath(), "run", "-q", empty], p.startupRuns)
          .then((c) => isValue(c) ? { ...c, note: "an empty `deno run`: socktool's floor" } : c),
        target: atMost(16, "ms"),
      });
      const server = drainServer();
      try {
        const input = new TextEncoder().encode("x\n");
        const cells7b = await forTools(
          "7b",
          "ms",
          (t) => startup(b, `row7b-${t.name}`, t.connectSend(server.port), perRound, input),
          rounds,
        );
        rows.push({
          id: "7b",
          title: "connect, send 2 bytes, exit (listener ready), median",
          unit: "ms",
          better: "lower",
          cells: cells7b,
          target: atMost(22, "ms"),
        });
      } finally {
        await server.close();
      }
    }
    if (want("8")) {
      rows.push({
        id: "8a",
        title: `peak RSS of the receiver in row 1 (${size1} as fast as it goes)`,
        unit: "MB",
        better: "lower",
        cells: rss8a,
        target: atMost(45, "MB"),
      });
      const cells = await forTools(
        "8b",
        "MB",
        (t) => slowReader(b, `row8b-${t.name}`, t.recv, t.send, MiB, p.slowMs),
      );
      rows.push({
        id: "8b",
        title: `peak RSS of the receiver when its stdout is read at 1 MiB/s (${p.slowMs / 1000} s)`,
        unit: "MB",
        better: "lower",
        cells,
        target: under100MB,
      });
    }
  } finally {
    await cleanup();
  }

  const seconds = (performance.now() - started) / 1000;
  const tbl = table(rows, layout);
  console.log(tbl);
  console.log(`\n${quick ? "quick run" : "full run"} took ${seconds.toFixed(0)} s`);

  if (profDir) {
    for (
      const entry of [...Deno.readDirSync(profDir)].sort((a, c) => a.name.localeCompare(c.name))
    ) {
      if (!entry.name.endsWith(".cpuprofile")) continue;
      const pid = Number(entry.name.split(".").at(-2));
      console.error(`\n== ${b.labels.get(pid) ?? "socktool"} (pid ${pid})`);
      console.error(await summarize(`${profDir}/${entry.name}`, 12));
    }
  }

  const full = !quick && !opts.rows && !profDir && !opts.compare;
  const out = opts.out ?? (full ? new URL("./RESULTS.md", import.meta.url).pathname : null);
  if (out) {
    // Through cat: Deno wants --allow-all for /proc.
    const cpuinfo = (await run(["cat", "/proc/cpuinfo"], 5000)).stdout;
    const cpu = (cpuinfo.match(/^model name\s*:\s*(.*)$/m) ?? [])[1] ?? "unknown CPU";
    const cores = navigator.hardwareConcurrency;
    const md = [
      "# socktool benchmark results",
      "",
      `Run on ${
        new Date().toISOString().slice(0, 16).replace("T", " ")
      } UTC with \`deno task bench${Deno.args.length ? " " + Deno.args.join(" ") : ""}\`${
        quick ? " (quick: small sizes)" : ""
      }, ${seconds.toFixed(0)} s in all.`,
      "",
      `Machine: ${cores} cores (${cpu}), Linux ${Deno.osRelease()}, shared with other work.`,
      "",
      `socktool source: ${await gitState(repo)}${
        baseDir ? `; compared with ${layout.baseName}` : ""
      }.`,
      "",
      "Versions: " + [
        tools.socktool.missing ? "socktool (unavailable)" : tools.socktool.version,
        `Deno ${Deno.version.deno}`,
        tools.nc.version || "nc missing",
        tools.ncat.version || "ncat missing",
        tools.socat.version || "socat missing",
        iperfVersion,
      ].join(" · "),
      "",
      "Higher is better where the unit has ↑, lower where it has ↓. The ratio is socktool's",
      "value over the best peer's (nc, ncat, socat; iperf3 is not a peer but the ceiling).",
      "",
      tbl,
      "",
      "## Command lines",
      "",
      ...commandLines(tools, layout),
      "",
      METHOD,
    ].join("\n");
    await Deno.writeTextFile(out, md);
    console.error(`bench: wrote ${out}`);
  }
  return 0;
}

function commandLines(tools: Record<ToolName, Tool>, layout: Layout): string[] {
  const show = (argv: string[] | { na: string }) => {
    if ("na" in argv) return "—";
    const a = argv[0] === Deno.execPath()
      ? ["socktool", ...argv.slice(argv.indexOf(argv.find((x) => x.endsWith("/main.ts"))!) + 1)]
      : [argv[0].replace(/^.*\//, "").replace(/^nc\.openbsd$/, "nc"), ...argv.slice(1)];
    return `\`${a.join(" ").replaceAll("|", "\\|")}\``;
  };
  const P = 5000;
  const rows: [string, (t: Tool) => string][] = [
    ["1 receive", (t) => show(t.recv(P))],
    ["1 send", (t) => `\`dd … \\|\` ${show(t.send(P))}`],
    ["3 listen", (t) => show(t.duplexListen(P))],
    ["3 connect", (t) => show(t.duplexConnect(P))],
    ["4 server", (t) => show(t.echoServer(P))],
    ["5 receive", (t) => show(t.udpRecv(P))],
    ["6 probe", (t) => show(t.probe(22000, 22999))],
    ["7 start-up", (t) => show(t.startup())],
  ];
  const cols = layout.columns.filter((t) => t !== "base");
  return [
    `| row | ${cols.join(" | ")} |`,
    `| --- | ${cols.map(() => "---").join(" | ")} |`,
    ...rows.map(([name, f]) => `| ${name} | ${cols.map((n) => f(tools[n])).join(" | ")} |`),
  ];
}

/** "commit abc1234" (plus "with uncommitted changes" when the tree is dirty), or "not a git checkout". */
async function gitState(repo: string): Promise<string> {
  const head = await run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], 10_000);
  if (head.code !== 0) return "not a git checkout";
  const dirty = await run(
    ["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
    10_000,
  );
  const changed = dirty.stdout.split("\n").filter((l) => l.trim() && !/ bench\//.test(l)).length;
  return `commit ${head.stdout.trim()}${
    changed ? ` with uncommitted changes in ${changed} files` : ""
  }`;
}

async function ensureDir(path: string): Promise<string> {
  await Deno.mkdir(path, { recursive: true });
  return path;
}

if (import.meta.main) {
  Deno.exit(await main());
}
