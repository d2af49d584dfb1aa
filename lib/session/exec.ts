/**
 * `-e PROG [ARGS]` and `-c 'SHELL CMD'`: a program whose stdin and stdout are
 * the socket. The program is started from an argv array (`-e`) or as
 * `/bin/sh -c CMD` with CMD exactly as the user typed it (`-c`); nothing from
 * the network ever becomes part of a command line. The peer's address reaches
 * the program as `SOCKTOOL_PEER_ADDR` and `SOCKTOOL_PEER_PORT`, and as ncat
 * names it (`NCAT_REMOTE_ADDR/PORT`, `NCAT_LOCAL_ADDR/PORT`, `NCAT_PROTO`) so
 * ncat's scripts carry over.
 *
 * Life cycle of one session:
 * - the socket's data ends (the peer half-closed or closed): the program's
 *   stdin is closed, so it sees EOF, as it would on a socket of its own;
 * - the program exits: once its output is relayed, the session ends and the
 *   socket is closed, whatever the peer is doing;
 * - the session ends otherwise (signal, `-w` timeout, the peer vanished): the
 *   program gets EOF on stdin, then SIGTERM after a grace time, then SIGKILL.
 *
 * @module
 */

import { ExitCode, SocktoolError } from "../errors.ts";
import type { Duplex, RelayResult } from "./relay.ts";
import type { SessionOptions } from "./options.ts";
import { runSession, type SessionContext } from "./session.ts";

/** A program to run per session, found and checked before any socket opens (`modes/prepare.ts`). */
export interface ExecProgram {
  /** The executable (an absolute path once resolved). */
  command: string;
  /** Arguments after the program. */
  args: string[];
  /** How messages name it: `'cat'` or `sh -c '...'`. */
  label: string;
}

/** Where the peer is, for `SOCKTOOL_PEER_ADDR` / `SOCKTOOL_PEER_PORT`. */
export interface PeerInfo {
  /** The peer address (a path for Unix sockets). */
  addr: string;
  /** The peer port (TCP/UDP). */
  port?: number;
  /** This end's address and port (`NCAT_LOCAL_ADDR/PORT`); absent for Unix sockets. */
  local?: { addr: string; port: number };
}

/** How long a program may run on after the session before SIGTERM, then SIGKILL. */
export const EXIT_GRACE_MS = 1000;

/** A running program as a {@linkcode Duplex}: read its stdout, write its stdin. */
export interface ProgramDuplex extends Duplex {
  /** Resolves with the exit code once the program has exited. */
  readonly exited: Promise<number>;
  /** Resolves once the program has exited and its stdout has been read to the end. */
  readonly finished: Promise<void>;
  /** Closes stdin, waits `graceMs`, then SIGTERM, then SIGKILL; resolves at exit. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts the program with its stdin/stdout piped (stderr is socktool's) and
 * the peer's address in its environment.
 *
 * @example
 * ```ts
 * const prog = spawnProgram({ command: "/usr/bin/cat", args: [], label: "cat" }, { addr: "127.0.0.1", port: 5555 });
 * ```
 */
export function spawnProgram(program: ExecProgram, peer?: PeerInfo): ProgramDuplex {
  const env: Record<string, string> = {};
  if (peer) {
    env.SOCKTOOL_PEER_ADDR = peer.addr;
    if (peer.port !== undefined) env.SOCKTOOL_PEER_PORT = String(peer.port);
    Object.assign(env, ncatEnv(peer));
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program.command, {
      args: program.args,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
  } catch (err) {
    throw new SocktoolError(`exec ${program.label}: ${(err as Error).message}`, ExitCode.Network);
  }
  const reader = child.stdout.getReader();
  const writer = child.stdin.getWriter();
  let leftover: Uint8Array | null = null;
  let stdinClosed = false;
  let stdoutEnded!: () => void;
  const stdoutDone = new Promise<void>((r) => stdoutEnded = r);
  const exited = child.status.then((s) => s.code);
  const closeStdin = async () => {
    if (stdinClosed) return;
    stdinClosed = true;
    await writer.close().catch(() => {});
  };
  return {
    exited,
    finished: Promise.all([exited, stdoutDone]).then(() => {}),
    async read(p) {
      if (!leftover) {
        const r = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (r.done || !r.value) {
          stdoutEnded();
          return null;
        }
        leftover = r.value;
      }
      const n = Math.min(p.length, leftover.length);
      p.set(leftover.subarray(0, n));
      leftover = n < leftover.length ? leftover.subarray(n) : null;
      return n;
    },
    async write(p) {
      // The pipe takes the chunk as it is; it is written before the promise
      // settles, so the caller's reuse of the buffer afterwards is safe.
      await writer.write(p);
      return p.length;
    },
    closeWrite: closeStdin,
    close() {
      closeStdin();
      reader.cancel().catch(() => {});
      stdoutEnded();
    },
    async stop(graceMs = EXIT_GRACE_MS) {
      await closeStdin();
      const exitedWithin = (ms: number) =>
        Promise.race([
          exited.then(() => true),
          new Promise<false>((r) => {
            const t = setTimeout(() => r(false), ms);
            exited.finally(() => clearTimeout(t));
          }),
        ]);
      if (!await exitedWithin(graceMs)) {
        signal(child, "SIGTERM");
        if (!await exitedWithin(graceMs)) signal(child, "SIGKILL");
      }
      await exited;
      reader.cancel().catch(() => {});
      stdoutEnded();
    },
  };
}

/**
 * ncat's variables for the same session, exactly as ncat 7.9x sets them:
 * on a Unix socket both addresses are `localhost` and the ports empty, and
 * `NCAT_PROTO` is `TCP` (socktool runs programs on stream sockets only).
 *
 * @example
 * ```ts
 * ncatEnv({ addr: "127.0.0.1", port: 50312, local: { addr: "127.0.0.1", port: 9999 } });
 * // { NCAT_REMOTE_ADDR: "127.0.0.1", NCAT_REMOTE_PORT: "50312", NCAT_LOCAL_ADDR: "127.0.0.1", ... }
 * ```
 */
export function ncatEnv(peer: PeerInfo): Record<string, string> {
  const inet = peer.port !== undefined;
  return {
    NCAT_REMOTE_ADDR: inet ? peer.addr : "localhost",
    NCAT_REMOTE_PORT: inet ? String(peer.port) : "",
    NCAT_LOCAL_ADDR: inet && peer.local ? peer.local.addr : "localhost",
    NCAT_LOCAL_PORT: inet && peer.local ? String(peer.local.port) : "",
    NCAT_PROTO: "TCP",
  };
}

function signal(child: Deno.ChildProcess, sig: Deno.Signal): void {
  try {
    child.kill(sig);
  } catch { /* already gone */ }
}

/**
 * Runs one session with the program as the local side: starts it, relays
 * between it and `remote` with the session options, and makes sure it is
 * gone afterwards.
 *
 * @example
 * ```ts
 * const { program } = await prepare(opts, log);
 * if (program) await runExecSession(conn, name, { addr: "127.0.0.1", port: 5555 }, opts, ctx, program);
 * ```
 */
export async function runExecSession(
  remote: Duplex,
  remoteName: string,
  peer: PeerInfo | undefined,
  opts: SessionOptions,
  ctx: SessionContext,
  program: ExecProgram,
): Promise<RelayResult> {
  const prog = spawnProgram(program, peer);
  ctx.log.debug(`${remoteName}: started ${program.label}`);
  // The program's exit ends the session: once it has exited and all it wrote
  // has been read, stop waiting for the peer.
  const ended = new AbortController();
  prog.finished.then(() => setTimeout(() => ended.abort(), 0));
  // The peer's end of data is the program's end of input.
  const wrappedRemote: Duplex = {
    async read(p) {
      try {
        const n = await remote.read(p);
        if (n === null) prog.closeWrite();
        return n;
      } catch (err) {
        prog.closeWrite();
        throw err;
      }
    },
    write: (p) => remote.write(p),
    closeWrite: () => remote.closeWrite(),
    close: () => remote.close(),
  };
  try {
    return await runSession(wrappedRemote, remoteName, opts, {
      ...ctx,
      local: prog,
      localIsTerminal: false,
      signal: AbortSignal.any([ctx.signal, ended.signal]),
    });
  } finally {
    try {
      remote.close(); // the relay has closed it unless it failed before
    } catch { /* already closed */ }
    await prog.stop();
    const code = await prog.exited;
    ctx.log.debug(`${remoteName}: ${program.label} exited with status ${code}`);
  }
}
