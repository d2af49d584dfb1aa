/**
 * Child processes for the benchmark: every one has a known pid (so /proc can be read for it),
 * a deadline, a drained stderr, and is killed when the benchmark ends, whatever happens.
 *
 * Pipes between two children are named pipes (FIFOs): Deno cannot hand one child's pipe to
 * another, and `sh -c 'a | b'` would hide b's pid. A tiny `sh -c 'exec "$@" <in >out'` wrapper
 * opens the FIFO and then becomes the program, so the pid stays the program's own.
 * @module
 */

/** Where a child's stdin or stdout goes: Deno's own choices, or a FIFO path. */
export type Stdio = "null" | "piped" | { path: string };

/** Options for {@linkcode spawn}. */
export interface SpawnOptions {
  /** Default "null". */
  stdin?: Stdio;
  /** Default "null". */
  stdout?: Stdio;
  /** Working directory. */
  cwd?: string;
}

const live = new Set<Proc>();
const STDERR_TAIL = 4096;

/** A running child: pid, exit status, the tail of its stderr; killed on deadline. */
export class Proc {
  /** Short label used in messages. */
  readonly name: string;
  /** The program's pid (the wrapper shell execs into it). */
  readonly pid: number;
  /** The underlying Deno child (for stdin/stdout when "piped"). */
  readonly child: Deno.ChildProcess;
  /** Settles when the process has exited. */
  readonly status: Promise<Deno.CommandStatus>;
  /** Exit status once known. */
  exit: Deno.CommandStatus | null = null;
  #stderr = "";
  #stderrDone: Promise<void>;

  constructor(name: string, child: Deno.ChildProcess) {
    this.name = name;
    this.child = child;
    this.pid = child.pid;
    this.status = child.status.then((s) => {
      this.exit = s;
      live.delete(this);
      return s;
    });
    this.#stderrDone = this.#drain(child.stderr);
    live.add(this);
  }

  async #drain(stream: ReadableStream<Uint8Array>): Promise<void> {
    const dec = new TextDecoder();
    try {
      for await (const chunk of stream) {
        this.#stderr = (this.#stderr + dec.decode(chunk, { stream: true })).slice(-STDERR_TAIL);
      }
    } catch {
      // The process was killed; what we have is enough.
    }
  }

  /** The last non-empty stderr line (with a `socktool: ` style prefix left as is), or "". */
  lastStderrLine(): string {
    const lines = this.#stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    return lines.at(-1) ?? "";
  }

  /** Whole stderr tail. */
  stderrText(): string {
    return this.#stderr;
  }

  /** True while the process has not exited. */
  get running(): boolean {
    return this.exit === null;
  }

  /** Waits up to `ms` for exit; on deadline kills it and returns null. */
  async wait(ms: number): Promise<Deno.CommandStatus | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), Math.max(0, ms));
    });
    const result = await Promise.race([this.status, timeout]);
    clearTimeout(timer);
    if (result === null) await this.kill();
    return result;
  }

  /** Sends `signal` if still running, without waiting. */
  signal(signal: Deno.Signal): void {
    if (this.running) {
      try {
        this.child.kill(signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** Kills it (SIGKILL) if still running, and waits for the exit and the end of its stderr. */
  async kill(): Promise<void> {
    this.signal("SIGKILL");
    await this.status;
    await this.#stderrDone;
  }

  /** Asks it to stop (SIGTERM: a --cpu-prof profile gets written), then kills it after `ms`. */
  async stop(ms = 3000): Promise<void> {
    this.signal("SIGTERM");
    await this.wait(ms);
    await this.#stderrDone;
  }

  /** Describes how the process ended, for an "n/a" cell. */
  describeExit(): string {
    const line = this.lastStderrLine();
    const how = this.exit === null
      ? "still running"
      : this.exit.signal
      ? `killed by ${this.exit.signal}`
      : `exit ${this.exit.code}`;
    return line ? `${how}: ${line}` : how;
  }
}

/**
 * Starts `argv` with stdin/stdout as asked (FIFO paths through an exec wrapper); stderr is
 * always captured.
 * @example
 * const p = spawn("nc", ["nc", "-l", "127.0.0.1", "9000"], { stdout: { path: fifo } });
 * await p.wait(10_000);
 */
export function spawn(name: string, argv: string[], opts: SpawnOptions = {}): Proc {
  const stdin = opts.stdin ?? "null";
  const stdout = opts.stdout ?? "null";
  let cmd = argv;
  const env: Record<string, string> = {};
  if (typeof stdin === "object" || typeof stdout === "object") {
    let script = 'exec "$@"';
    if (typeof stdin === "object") {
      script += ' <"$BENCH_FIFO_IN"';
      env.BENCH_FIFO_IN = stdin.path;
    }
    if (typeof stdout === "object") {
      script += ' >"$BENCH_FIFO_OUT"';
      env.BENCH_FIFO_OUT = stdout.path;
    }
    cmd = ["sh", "-c", script, "sh", ...argv];
  }
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdin: typeof stdin === "object" ? "null" : stdin,
    stdout: typeof stdout === "object" ? "null" : stdout,
    stderr: "piped",
    env,
    cwd: opts.cwd,
  }).spawn();
  return new Proc(name, child);
}

/** Kills every child still running (used at the end and on SIGINT/SIGTERM). */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.kill()));
}

/** Runs a command to completion with a deadline; returns its status and output (killed on deadline). */
export async function run(
  argv: string[],
  ms: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Gone.
    }
  }, ms);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return {
    code: out.signal ? null : out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** Creates a named pipe. */
export async function mkfifo(path: string): Promise<void> {
  const r = await run(["mkfifo", "-m", "600", path], 5000);
  if (r.code !== 0) throw new Error(`mkfifo ${path}: ${r.stderr.trim()}`);
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `everyMs` until it returns true (then returns null); gives up and returns
 * the reason after `ms`, or at once when one of the `watched` processes has exited.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  ms: number,
  watched: Proc[] = [],
  everyMs = 5,
): Promise<string | null> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await check()) return null;
    const dead = watched.find((p) => !p.running);
    if (dead) {
      await dead.kill();
      return `${dead.name} ${dead.describeExit()}`;
    }
    await sleep(everyMs);
  }
  return `not ready after ${(ms / 1000).toFixed(0)} s`;
}

/** Listening TCP socket. */
export const TCP_LISTEN = "0A";
/** A bound UDP socket. */
export const UDP_BOUND = "07";

/**
 * Reads /proc files through `cat`: Deno wants --allow-all for /proc/net and /proc/PID, and the
 * bench runs with named permissions only; one short process per sample costs ~1 ms.
 */
async function readProc(paths: string[]): Promise<string> {
  const out = await new Deno.Command("cat", { args: paths, stdout: "piped", stderr: "null" })
    .output();
  return new TextDecoder().decode(out.stdout);
}

/** True if /proc/net/{proto,proto6} holds a socket with local port `port` in `state`. */
export async function hasSocket(
  proto: "tcp" | "udp",
  port: number,
  state: string,
): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const text = await readProc([`/proc/net/${proto}`, `/proc/net/${proto}6`]);
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length > 3 && f[1].endsWith(`:${hexPort}`) && f[3] === state) return true;
  }
  return false;
}

/**
 * True once a connection to local port `port` exists in /proc/net/tcp{,6}, in any state but
 * LISTEN: a listener whose stdin is /dev/null may have half-closed it already (FIN_WAIT2).
 */
export async function hasConnection(port: number): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const text = await readProc(["/proc/net/tcp", "/proc/net/tcp6"]);
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length > 3 && f[1].endsWith(`:${hexPort}`) && f[3] !== TCP_LISTEN) return true;
  }
  return false;
}

/** VmHWM (peak resident set) of `pid` in KiB, or null when the process is gone. */
export async function peakRssKiB(pid: number): Promise<number | null> {
  const m = (await readProc([`/proc/${pid}/status`])).match(/^VmHWM:\s+(\d+) kB/m);
  return m ? Number(m[1]) : null;
}

/** Samples VmHWM of `pid` every `everyMs` until stopped; returns the largest seen (KiB). */
export function watchPeakRss(pid: number, everyMs = 50): { stop(): Promise<number | null> } {
  let peak: number | null = null;
  let stopped = false;
  const sample = async () => {
    const v = await peakRssKiB(pid);
    if (v !== null && (peak === null || v > peak)) peak = v;
  };
  const loop = (async () => {
    while (!stopped) {
      await sample();
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await sample();
      return peak;
    },
  };
}

/** A free loopback port (TCP or UDP) chosen by the kernel; released before it is returned. */
export function freePort(proto: "tcp" | "udp" = "tcp"): number {
  if (proto === "tcp") {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    return port;
  }
  const s = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (s.addr as Deno.NetAddr).port;
  s.close();
  return port;
}
