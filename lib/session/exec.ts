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
 * - the peer resets (a read or a write to it fails): the session ends, since
 *   nothing the program says can reach the peer any more;
 * - once the session has ended, however it ended (a reset, `-w`, a signal):
 *   the program gets EOF on stdin, then SIGTERM after
 *   {@linkcode EXIT_GRACE_MS}, then SIGKILL after as long again; when
 *   socktool itself is told to stop (SIGINT, SIGTERM, SIGHUP) the grace is
 *   {@linkcode SIGNAL_GRACE_MS}, so that it still exits within two seconds.
 *
 * A program that does not read its stdin never holds the session: writes to
 * it are abandoned when the session ends, and its EOF is not waited for.
 * Children are waited for whatever SIGCHLD disposition socktool inherited,
 * and a program still running when socktool exits is killed.
 *
 * @module
 */

import { ExitCode, SocktoolError } from "../errors.ts";
import { atExit } from "../io/exit_cleanup.ts";
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

/** The same grace when socktool was told to stop by a signal. */
export const SIGNAL_GRACE_MS = 500;

/** A running program as a {@linkcode Duplex}: read its stdout, write its stdin. */
export interface ProgramDuplex extends Duplex {
  /** Resolves with the exit code once the program has exited. */
  readonly exited: Promise<number>;
  /** Resolves once the program has exited and its stdout has been read to the end. */
  readonly finished: Promise<void>;
  /**
   * Gives up on writing to the program: a write it never takes (it does not
   * read its stdin) and every later write reject at once.
   */
  abandon(): void;
  /**
   * Abandons pending writes, closes stdin (EOF, once the program has taken
   * what was written), waits `graceMs`, then SIGTERM, `graceMs` more, then
   * SIGKILL; resolves at exit.
   */
  stop(graceMs?: number): Promise<void>;
}

let reaping = false;

/**
 * Makes sure children can be waited for. A process that inherited SIGCHLD
 * set to "ignore" (some supervisors and test harnesses do that) has its
 * children reaped by the kernel, and every wait fails with "no child
 * processes". Listening for SIGCHLD installs a handler in place of "ignore",
 * which restores normal waiting (a handler, unlike "ignore", is reset in the
 * programs we start, so they inherit the default).
 */
function reapChildren(): void {
  if (reaping) return;
  reaping = true;
  try {
    Deno.addSignalListener("SIGCHLD", () => {});
  } catch { /* no SIGCHLD on this platform */ }
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
  reapChildren();
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
  // Killed if still running when socktool exits (a signal's deadline).
  const forget = atExit(() => signal(child, "SIGKILL"));
  const exited = child.status.then((s) => s.code);
  exited.then(forget, forget);
  // A write the program never takes must not hold anyone: it is raced with this.
  const givenUp = Promise.withResolvers<never>();
  givenUp.promise.catch(() => {});
  let abandoned = false;
  const abandon = () => {
    if (abandoned) return;
    abandoned = true;
    givenUp.reject(new Deno.errors.BrokenPipe(`exec ${program.label}: input abandoned`));
  };
  // The close waits behind a write in progress: nobody waits for it.
  const closeStdin = () => {
    if (stdinClosed) return;
    stdinClosed = true;
    writer.close().catch(() => {});
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
      // settles, so the caller's reuse of the buffer afterwards is safe. An
      // abandoned write may still be under way: the caller has given up on
      // the session and does not reuse the buffer.
      await Promise.race([writer.write(p), givenUp.promise]);
      return p.length;
    },
    closeWrite: () => Promise.resolve(closeStdin()),
    close() {
      closeStdin();
      reader.cancel().catch(() => {});
      stdoutEnded();
    },
    abandon,
    async stop(graceMs = EXIT_GRACE_MS) {
      abandon();
      closeStdin();
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

/** Whether a read error means the connection is dead (reset, aborted), not just ended. */
function isConnectionGone(err: unknown): boolean {
  if (
    err instanceof Deno.errors.ConnectionReset ||
    err instanceof Deno.errors.ConnectionAborted ||
    err instanceof Deno.errors.BrokenPipe ||
    err instanceof Deno.errors.NotConnected
  ) return true;
  const code = (err as { code?: unknown })?.code;
  return code === "ECONNRESET" || code === "ECONNABORTED" || code === "EPIPE";
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
  const sessionSignal = AbortSignal.any([ctx.signal, ended.signal]);
  // However the session ends, a write the program never takes is given up,
  // so that the relay is not held by a program that does not read.
  sessionSignal.addEventListener("abort", () => prog.abandon(), { once: true });
  // The peer's end of data is the program's end of input. A reset, seen by
  // a read or a write, ends the session: nothing the program says can reach
  // the peer any more (and a program that does not read would hold it).
  const wrappedRemote: Duplex = {
    async read(p) {
      try {
        const n = await remote.read(p);
        if (n === null) prog.closeWrite();
        return n;
      } catch (err) {
        prog.closeWrite();
        // A TLS peer that closed without a close_notify still reads our reply.
        if (isConnectionGone(err)) ended.abort();
        throw err;
      }
    },
    async write(p) {
      try {
        return await remote.write(p);
      } catch (err) {
        ended.abort();
        throw err;
      }
    },
    closeWrite: () => remote.closeWrite(),
    close: () => remote.close(),
  };
  try {
    return await runSession(wrappedRemote, remoteName, opts, {
      ...ctx,
      local: prog,
      localIsTerminal: false,
      signal: sessionSignal,
    });
  } finally {
    try {
      remote.close(); // the relay has closed it unless it failed before
    } catch { /* already closed */ }
    await prog.stop(ctx.signal.aborted ? SIGNAL_GRACE_MS : EXIT_GRACE_MS);
    const code = await prog.exited;
    ctx.log.debug(`${remoteName}: ${program.label} exited with status ${code}`);
  }
}
