/**
 * Runs Node's `ws` package (npm) as the WebSocket peer of the end-to-end
 * tests: a separate `node` process driven by `ws_peer.cjs`, reporting JSON
 * events line by line. The package lives in `tests/.npm-peers` (gitignored),
 * put there by `tests/install_peers.sh`, or here on first use.
 *
 * @module
 */

const SCRIPT = new URL("./ws_peer.cjs", import.meta.url).pathname;
const PEERS = new URL("../.npm-peers", import.meta.url).pathname;
/** The version the tests run against (also in install_peers.sh). */
const WS_PACKAGE = "ws@8.23.0";

let installed: Promise<void> | undefined;

/**
 * Makes sure `ws` is installed. Test files run in parallel processes: each
 * installs into a folder of its own and moves it into place, so a loser of
 * the race finds the winner's copy.
 */
export function ensureWsPackage(): Promise<void> {
  return installed ??= (async () => {
    const marker = `${PEERS}/node_modules/ws/package.json`;
    if (await exists(marker)) return;
    const tmp = `${PEERS}.tmp-${Deno.pid}-${crypto.randomUUID()}`;
    await Deno.mkdir(tmp, { recursive: true });
    try {
      const out = await new Deno.Command("npm", {
        args: ["install", "--prefix", tmp, "--no-audit", "--no-fund", "--no-save", WS_PACKAGE],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!out.success) {
        throw new Error(`npm install ${WS_PACKAGE}: ${new TextDecoder().decode(out.stderr)}`);
      }
      await Deno.mkdir(PEERS, { recursive: true });
      await Deno.rename(`${tmp}/node_modules`, `${PEERS}/node_modules`).catch(async (err) => {
        if (!await exists(marker)) throw err;
      });
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  })();
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** One event the peer reported. */
// deno-lint-ignore no-explicit-any
export type PeerEvent = { event: string; [key: string]: any };

/** A running Node `ws` peer. */
export interface WsPeer {
  /** Every event so far, in order. */
  readonly events: PeerEvent[];
  /** Resolves with the first event named `name` (and matching `where`), or rejects at the deadline. */
  waitFor(name: string, timeoutMs?: number, where?: (e: PeerEvent) => boolean): Promise<PeerEvent>;
  /** Waits for the process to exit; returns its code and stderr. */
  exited(timeoutMs?: number): Promise<{ code: number; stderr: string }>;
  /** Ends the process if it still runs. */
  kill(): void;
}

/** A Node `ws` server peer, with the port it listens on. */
export interface WsServerPeer extends WsPeer {
  /** The port on 127.0.0.1. */
  port: number;
}

/**
 * Starts Node's `ws` with `config` (see `ws_peer.cjs` for its keys).
 *
 * @example
 * ```ts
 * const client = await startWsPeer({ role: "client", url: `ws://127.0.0.1:${port}/`, send: ["hi"] });
 * ```
 */
export async function startWsPeer(config: Record<string, unknown>): Promise<WsPeer> {
  await ensureWsPackage();
  const child = new Deno.Command("node", {
    args: [SCRIPT, JSON.stringify(config)],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const events: PeerEvent[] = [];
  const waiters = new Set<() => void>();
  let ended = false;
  const stdoutDone = (async () => {
    const dec = new TextDecoder();
    let pending = "";
    for await (const chunk of child.stdout) {
      pending += dec.decode(chunk, { stream: true });
      for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
        events.push(JSON.parse(pending.slice(0, nl)));
        pending = pending.slice(nl + 1);
      }
      for (const w of waiters) w();
    }
    ended = true;
    for (const w of waiters) w();
  })();
  const stderrText = new Response(child.stderr).text();
  const status = child.status;
  return {
    events,
    waitFor(name, timeoutMs = 15_000, where = () => true) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find((e) => e.event === name && where(e));
          if (found) {
            done();
            resolve(found);
          } else if (ended) {
            done();
            stderrText.then((err) =>
              reject(new Error(`ws peer exited before '${name}': ${JSON.stringify(events)} ${err}`))
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for '${name}': ${JSON.stringify(events)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async exited(timeoutMs = 15_000) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* gone */ }
          reject(new Error(`ws peer did not exit: ${JSON.stringify(events)}`));
        }, timeoutMs);
      });
      try {
        const s = await Promise.race([status, deadline]);
        await stdoutDone;
        return { code: s.code, stderr: await stderrText };
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    },
  };
}

/**
 * Starts a Node `ws` server on 127.0.0.1 and waits until it listens.
 *
 * @example
 * ```ts
 * const server = await startWsServer({ echo: true, once: true });
 * ```
 */
export async function startWsServer(config: Record<string, unknown>): Promise<WsServerPeer> {
  const peer = await startWsPeer({ role: "server", ...config });
  const { port } = await peer.waitFor("listening");
  return { ...peer, port };
}
