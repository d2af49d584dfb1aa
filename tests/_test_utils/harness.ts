/**
 * End-to-end test harness: spawns the real CLI (or any program) with an argv
 * array, and waits on events with deadlines, never on sleeps.
 *
 * The CLI command can be pointed elsewhere (a compiled binary) with
 * `SOCKTOOL_CMD="/path/to/socktool"`.
 *
 * @module
 */

import { concatBytes } from "../../lib/io/bytes.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** The argv prefix that runs socktool. */
export function socktoolCommand(): string[] {
  const custom = Deno.env.get("SOCKTOOL_CMD");
  if (custom) return custom.split(" ").filter((s) => s !== "");
  // As deno.json's start task runs it (the V8 flag keeps a busy listener's memory down).
  return [
    Deno.execPath(),
    "run",
    "-q",
    "-P",
    "--v8-flags=--max-semi-space-size=1",
    "--config",
    CONFIG,
    MAIN,
  ];
}

/** A running process with its stderr collected as text and its stdout as bytes. */
export interface Running {
  child: Deno.ChildProcess;
  /** Resolves with the first stderr line matching `re`, or rejects at the deadline. */
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the port in a `listening on ...:PORT` line. */
  listeningPort(timeoutMs?: number): Promise<number>;
  /** Writes bytes to stdin (opened with `stdin: "piped"`). */
  write(data: Uint8Array | string): Promise<void>;
  /** Closes stdin (EOF for the program). */
  closeStdin(): Promise<void>;
  /** Waits for exit; returns code, all stdout bytes and all stderr text. */
  finish(
    timeoutMs?: number,
  ): Promise<{ code: number; signal: string | null; stdout: Uint8Array; stderr: string }>;
  /** Sends a signal (no error if already gone). */
  kill(sig?: Deno.Signal): void;
  /** Stderr so far. */
  stderrText(): string;
}

/** Options for {@linkcode spawn}. */
export interface SpawnOptions {
  stdin?: "piped" | "null";
  env?: Record<string, string>;
  cwd?: string;
  /**
   * Ignore stdout (huge transfers measured elsewhere), or `"unread"`: a pipe
   * nobody reads (a reader that stopped reading; `stdout` comes back empty).
   */
  stdout?: "piped" | "null" | "unread";
}

/**
 * Spawns socktool with `args`.
 *
 * @example
 * ```ts
 * const srv = spawnSocktool(["-lv", "127.0.0.1", "0"]);
 * const port = await srv.listeningPort();
 * ```
 */
export function spawnSocktool(args: string[], opts: SpawnOptions = {}): Running {
  const [cmd, ...pre] = socktoolCommand();
  return spawn(cmd, [...pre, ...args], opts);
}

/** Spawns any program (nc, ncat, socat, ...) with the same helpers. */
export function spawn(cmd: string, args: string[], opts: SpawnOptions = {}): Running {
  const child = new Deno.Command(cmd, {
    args,
    stdin: opts.stdin ?? "piped",
    stdout: opts.stdout === "unread" ? "piped" : opts.stdout ?? "piped",
    stderr: "piped",
    // No update check: deno would ask its update server, which is not on loopback.
    env: { DENO_NO_UPDATE_CHECK: "1", ...opts.env },
    cwd: opts.cwd,
  }).spawn();
  let stderr = "";
  const waiters = new Set<() => void>();
  const stderrDone = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) {
      stderr += dec.decode(chunk, { stream: true });
      for (const w of waiters) w();
    }
    for (const w of waiters) w();
  })();
  const stdoutDone = opts.stdout === "null"
    ? Promise.resolve(new Uint8Array())
    : opts.stdout === "unread"
    ? child.status.then(() => child.stdout.cancel()).then(() => new Uint8Array())
    : readAll(child.stdout);
  let writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  const getWriter = () => (writer ??= child.stdin.getWriter());
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });

  const waitForStderr = (re: RegExp, timeoutMs = 10_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = stderr.match(re);
        if (m) {
          cleanup();
          resolve(m);
        } else if (exited) {
          // stderr may still be draining; give the reader its turn first
          stderrDone.then(() => {
            const m2 = stderr.match(re);
            cleanup();
            if (m2) resolve(m2);
            else reject(new Error(`process exited before ${re}; stderr: ${stderr}`));
          });
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${re}; stderr so far: ${stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      status.then(check);
      check();
    });

  return {
    child,
    waitForStderr,
    async listeningPort(timeoutMs) {
      const m = await waitForStderr(/listening on .*?:(\d+)\s*$/m, timeoutMs);
      return Number(m[1]);
    },
    async write(data) {
      await getWriter().write(typeof data === "string" ? new TextEncoder().encode(data) : data);
    },
    async closeStdin() {
      await getWriter().close().catch(() => {});
    },
    async finish(timeoutMs = 20_000) {
      if (opts.stdin !== "null" && !writer) await child.stdin.close().catch(() => {});
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* gone */ }
          reject(new Error(`process did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
        }, timeoutMs);
      });
      try {
        const s = await Promise.race([status, deadline]);
        const [stdout] = await Promise.all([stdoutDone, stderrDone]);
        return { code: s.code, signal: s.signal, stdout, stderr };
      } finally {
        clearTimeout(timer);
        await Promise.allSettled([stdoutDone, stderrDone, status]);
      }
    },
    kill(sig: Deno.Signal = "SIGTERM") {
      try {
        child.kill(sig);
      } catch { /* already gone */ }
    },
    stderrText: () => stderr,
  };
}

/** Reads a stream to its end into one array. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of stream) parts.push(p);
  return concatBytes(parts);
}

/** Deterministic pseudo-random bytes (xorshift), so a failure can be replayed. */
export function randomBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** SHA-256 of bytes as hex, for comparing large payloads in assertion messages. */
export async function sha256(data: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Resolves when `host:port` accepts a TCP connection, polling until the deadline. */
export async function waitForPort(
  port: number,
  host = "127.0.0.1",
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const c = await Deno.connect({ hostname: host, port });
      c.close();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`port ${host}:${port} never accepted: ${err}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** A free TCP port on loopback (for peers that cannot report the port they got). */
export function freePort(hostname = "127.0.0.1"): number {
  const l = Deno.listen({ hostname, port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Reads from a connection until EOF. */
export async function readConnToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    parts.push(buf.slice(0, n));
  }
  return concatBytes(parts);
}

/** Writes all bytes to a connection. */
export async function writeConnAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}
