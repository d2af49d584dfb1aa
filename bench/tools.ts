/**
 * The tools under test and the exact command line each uses in each row ("their usual
 * spelling"), plus finding and installing the peers.
 * @module
 */

import { run } from "./procs.ts";

/**
 * Names of the compared tools, in table order. `base` is socktool built from another commit
 * (`--compare REF`).
 */
export type ToolName = "socktool" | "base" | "nc" | "ncat" | "socat";

/** Every tool a run can have, socktool first. */
export const TOOLS: ToolName[] = ["socktool", "base", "nc", "ncat", "socat"];

/** The peers: what socktool is measured against. */
export const PEERS: ToolName[] = ["nc", "ncat", "socat"];

/** An argv, or the reason the tool has no way to do this. */
export type Argv = string[] | { na: string };

/** The command lines of one tool. `P` is always a loopback port. */
export interface Tool {
  name: ToolName;
  /** Null when usable, else why the whole column is n/a. */
  missing: string | null;
  /** Version string for RESULTS.md. */
  version: string;
  /** Row 1/2: one-shot listener that writes what it receives to stdout (stdin is /dev/null). */
  recv(port: number): Argv;
  /** Row 1/2: connect and send stdin; exits after stdin's end has been delivered. */
  send(port: number): Argv;
  /** Row 3: bidirectional listener and connector. */
  duplexListen(port: number): Argv;
  duplexConnect(port: number): Argv;
  /** Row 4: a keep-open listener that echoes each client. */
  echoServer(port: number): Argv;
  /** Row 5: UDP listener writing datagrams to stdout. */
  udpRecv(port: number): Argv;
  /** Row 6: probe the port range lo-hi. */
  probe(lo: number, hi: number): Argv;
  /** Row 7: the cheapest command that starts and exits. */
  startup(): Argv;
  /** Row 7: connect, send stdin, exit once the peer closed. */
  connectSend(port: number): Argv;
}

const HOST = "127.0.0.1";

/**
 * The `deno run` flags of a checkout's `start` task (`-q -P`, and any `--v8-flags=...`), so the
 * bench runs each checkout exactly as `deno task start` does; `-q -P` when there is no such task.
 */
export function startTaskFlags(repo: string): string[] {
  try {
    const config = JSON.parse(Deno.readTextFileSync(`${repo}/deno.json`));
    const words = String(config.tasks?.start ?? "").split(/\s+/);
    const from = words.indexOf("run");
    const to = words.findIndex((w) => w.endsWith("main.ts"));
    if (from >= 0 && to > from) return words.slice(from + 1, to);
  } catch {
    // No deno.json or no start task: the defaults below.
  }
  return ["-q", "-P"];
}

/** The command prefix that runs socktool from a checkout: deno itself runs its main.ts. */
export function socktoolCmd(repo: string, denoFlags: string[] = []): string[] {
  return [
    Deno.execPath(),
    "run",
    ...startTaskFlags(repo),
    "--config",
    `${repo}/deno.json`,
    ...denoFlags,
    `${repo}/main.ts`,
  ];
}

/** socktool's command lines (SPEC.md §1, §5), from the checkout at `repo`. */
export function socktool(
  repo: string,
  denoFlags: string[] = [],
  name: "socktool" | "base" = "socktool",
): Tool {
  const st = socktoolCmd(repo, denoFlags);
  return {
    name,
    missing: null,
    version: "",
    recv: (p) => [...st, "-l", HOST, `${p}`],
    send: (p) => [...st, HOST, `${p}`],
    duplexListen: (p) => [...st, "-l", HOST, `${p}`],
    duplexConnect: (p) => [...st, HOST, `${p}`],
    echoServer: (p) => [...st, "-l", "-k", "--serve", "echo", HOST, `${p}`],
    udpRecv: (p) => [...st, "-u", "-l", HOST, `${p}`],
    probe: (lo, hi) => [...st, "-z", HOST, `${lo}-${hi}`],
    startup: () => [...st, "--version"],
    connectSend: (p) => [...st, HOST, `${p}`],
  };
}

/**
 * The ideal far end of rows 2a/2b's ceiling (`bench/mem_end.ts`): `send` writes from memory
 * once stdin gives its first byte, `recv` reads to nowhere and checks the count.
 *
 * @example
 * ```ts
 * const argv = memEnd("recv")(5000, 1 << 30);
 * ```
 */
export function memEnd(mode: "send" | "recv"): (port: number, bytes: number) => string[] {
  const script = new URL("./mem_end.ts", import.meta.url).pathname;
  return (port, bytes) => [
    Deno.execPath(),
    "run",
    "-q",
    "--allow-net=127.0.0.1",
    script,
    mode,
    HOST,
    `${port}`,
    `${bytes}`,
  ];
}

/** netcat-openbsd: `-N` is what makes it half-close (and so finish) on stdin's end. */
export function nc(bin: string): Tool {
  return {
    name: "nc",
    missing: null,
    version: "",
    recv: (p) => [bin, "-l", HOST, `${p}`],
    send: (p) => [bin, "-N", HOST, `${p}`],
    duplexListen: (p) => [bin, "-N", "-l", HOST, `${p}`],
    duplexConnect: (p) => [bin, "-N", HOST, `${p}`],
    echoServer: () => ({
      na: "not available: netcat-openbsd has no --exec, and -k serves one client at a time",
    }),
    udpRecv: (p) => [bin, "-u", "-l", HOST, `${p}`],
    probe: (lo, hi) => [bin, "-z", HOST, `${lo}-${hi}`],
    startup: () => [bin, "-h"],
    connectSend: (p) => [bin, "-N", HOST, `${p}`],
  };
}

/** Nmap's ncat. */
export function ncat(bin: string): Tool {
  return {
    name: "ncat",
    missing: null,
    version: "",
    recv: (p) => [bin, "-l", HOST, `${p}`],
    send: (p) => [bin, HOST, `${p}`],
    duplexListen: (p) => [bin, "-l", HOST, `${p}`],
    duplexConnect: (p) => [bin, HOST, `${p}`],
    echoServer: (p) => [bin, "-lk", HOST, `${p}`, "--exec", "/bin/cat"],
    udpRecv: (p) => [bin, "-u", "-l", HOST, `${p}`],
    probe: () => ({ na: "not available: ncat -z takes a single port" }),
    startup: () => [bin, "--version"],
    connectSend: (p) => [bin, HOST, `${p}`],
  };
}

/**
 * socat. One-way rows use `-u`: a bidirectional socat whose stdin is /dev/null stops 0.5 s
 * (its -t) after that EOF and cuts a long transfer short.
 */
export function socat(bin: string): Tool {
  const listen = (p: number) => `TCP-LISTEN:${p},bind=${HOST},reuseaddr`;
  return {
    name: "socat",
    missing: null,
    version: "",
    recv: (p) => [bin, "-u", listen(p), "STDOUT"],
    send: (p) => [bin, "-u", "STDIN", `TCP:${HOST}:${p}`],
    duplexListen: (p) => [bin, "STDIO", listen(p)],
    duplexConnect: (p) => [bin, "STDIO", `TCP:${HOST}:${p}`],
    echoServer: (p) => [bin, `${listen(p)},fork`, "EXEC:cat"],
    udpRecv: (p) => [bin, "-u", `UDP-LISTEN:${p},bind=${HOST},reuseaddr`, "STDOUT"],
    probe: () => ({ na: "not available: socat has no port-range probe" }),
    startup: () => [bin, "-V"],
    connectSend: (p) => [bin, "STDIO", `TCP:${HOST}:${p}`],
  };
}

/** Debian package that provides each peer program. */
export const PACKAGES: Record<string, string> = {
  nc: "netcat-openbsd",
  ncat: "ncat",
  socat: "socat",
  iperf3: "iperf3",
};

/** Absolute path of `name` on PATH, or null. */
export async function which(name: string): Promise<string | null> {
  const r = await run(["sh", "-c", 'command -v "$0"', name], 5000);
  const path = r.stdout.trim();
  return r.code === 0 && path.startsWith("/") ? path : null;
}

/** The OpenBSD netcat binary (Debian's `nc` may be another netcat), or null. */
export async function findOpenbsdNc(): Promise<string | null> {
  const direct = await which("nc.openbsd");
  if (direct) return direct;
  const bin = await which("nc");
  if (!bin) return null;
  const r = await run([bin, "-h"], 5000);
  return /OpenBSD/i.test(r.stdout + r.stderr) ? bin : null;
}

/** Finds each peer program; installs the missing ones with apt-get, saying so on stderr. */
export async function findPeers(install: boolean): Promise<Record<string, string | null>> {
  const find = async (): Promise<Record<string, string | null>> => ({
    nc: await findOpenbsdNc(),
    ncat: await which("ncat"),
    socat: await which("socat"),
    iperf3: await which("iperf3"),
  });
  let found = await find();
  const missing = Object.keys(found).filter((k) => found[k] === null);
  if (missing.length === 0) return found;
  const pkgs = missing.map((k) => PACKAGES[k]);
  if (!install) {
    console.error(`bench: missing ${pkgs.join(", ")} (not installing: --no-install)`);
    return found;
  }
  const root = Deno.uid() === 0;
  const sudo = root ? [] : (await which("sudo")) ? ["sudo", "-n"] : null;
  if (sudo === null) {
    console.error(`bench: missing ${pkgs.join(", ")}; not root and no sudo, so not installing`);
    return found;
  }
  console.error(`bench: installing ${pkgs.join(", ")} with apt-get`);
  const env = ["env", "DEBIAN_FRONTEND=noninteractive"];
  const install1 = await run(
    [...sudo, ...env, "apt-get", "install", "-y", "-q", "--no-install-recommends", ...pkgs],
    300_000,
  );
  if (install1.code !== 0) {
    console.error("bench: apt-get install failed; trying apt-get update first");
    await run([...sudo, ...env, "apt-get", "update", "-q"], 300_000);
    const install2 = await run(
      [...sudo, ...env, "apt-get", "install", "-y", "-q", "--no-install-recommends", ...pkgs],
      300_000,
    );
    if (install2.code !== 0) {
      console.error(`bench: apt-get install failed: ${install2.stderr.trim().split("\n").at(-1)}`);
    }
  }
  found = await find();
  return found;
}

/** First line of a version command's output (stdout or stderr), or "unknown". */
export async function versionOf(argv: string[], pick?: RegExp): Promise<string> {
  const r = await run(argv, 20_000);
  const text = `${r.stdout}\n${r.stderr}`;
  if (pick) {
    const m = text.match(pick);
    if (m) return m[1] ?? m[0];
  }
  return text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "unknown";
}
