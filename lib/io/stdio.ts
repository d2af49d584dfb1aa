/**
 * The process's stdin and stdout. Everything socktool writes to stdout (a
 * session's payload, `-z` results, `--help`) goes through the one
 * {@linkcode stdoutWriter}, so that one flush at exit covers all of it and a
 * signal can abandon whatever is pending. {@linkcode stdioDuplex} is the
 * local side of a relay.
 *
 * @module
 */

import type { Duplex } from "./sink.ts";
import { stdinReader } from "./stdin_reader.ts";
import { CoalescingWriter } from "./coalescing_writer.ts";
import { releaseStdoutFd } from "./stdout_fd.ts";
import { pipeWriterNow } from "./pipe.ts";

/** The process's stdout, written through one {@linkcode CoalescingWriter}. */
export interface StdoutWriter {
  /**
   * Takes `p`; resolves once its buffer may be reused. Rejects with
   * `BrokenPipe` once stdout is gone or closed, `Interrupted` once abandoned.
   */
  write(p: Uint8Array): Promise<number>;
  /** Resolves once every byte written so far is out (at once after close); rejects as `write`. */
  flush(): Promise<void>;
  /**
   * Flushes, then closes stdout for real: its reader sees EOF now, not at
   * exit. Later writes reject with `BrokenPipe`; closing twice does nothing.
   */
  close(): Promise<void>;
  /**
   * Gives up on stdout (a signal, the `-q` deadline): what is pending is
   * dropped, and pending and later writes and flushes reject with
   * `Interrupted`, so that a reader that stopped reading holds nothing up.
   */
  abandon(): void;
}

let shared: StdoutWriter | undefined;

/** Logs written to stdout (`-o /dev/stdout`) that keep it open: see {@linkcode holdStdout}. */
let holds = 0;
/** A `close()` asked for while held: it happens when the last hold is let go. */
let closeWhenFree: (() => void) | undefined;

/**
 * Keeps stdout open for a log written to it (`-o /dev/stdout`, as ncat
 * allows): the session's own end of output (`closeWrite`) then only
 * flushes, and stdout closes for real once every hold is let go, so that
 * nothing the log writes after the data has ended is refused. Returns the
 * function that lets go (calling it twice does nothing).
 *
 * @example
 * ```ts
 * const release = holdStdout();
 * await stdoutWriter().write(logBytes);
 * release();
 * ```
 */
export function holdStdout(): () => void {
  holds++;
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--holds === 0) closeWhenFree?.();
  };
}

/**
 * The one writer of the process's stdout (made on first use).
 *
 * @example
 * ```ts
 * await stdoutWriter().write(new TextEncoder().encode("hello\n"));
 * await stdoutWriter().flush();
 * ```
 */
export function stdoutWriter(): StdoutWriter {
  return shared ??= makeStdoutWriter();
}

function makeStdoutWriter(): StdoutWriter {
  // A pipe's room is written on the spot (pipe.ts); looked into at the first
  // large write, so that `--version` does not load libc.
  let now: ((p: Uint8Array) => number) | undefined | null = null;
  const out = new CoalescingWriter(Deno.stdout, {
    writeNow: (p) => (now === null ? (now = pipeWriterNow(1)) : now)?.(p) ?? 0,
  });
  let closing: Promise<void> | undefined;
  let closed = false;
  return {
    write: (p) => out.write(p),
    flush: () => closed ? Promise.resolve() : out.flush(),
    close() {
      const finish = async () => {
        await out.flush();
        closed = true;
        out.abandon(new Deno.errors.BrokenPipe("stdout closed"));
        // Deno.stdout.close() would leave fd 1 open: see stdout_fd.ts.
        releaseStdoutFd();
      };
      return closing ??= (async () => {
        await out.flush();
        // A log still writes here: close once it lets go (holdStdout).
        if (holds > 0) closeWhenFree = () => void finish().catch(() => {});
        else await finish();
      })();
    },
    abandon: () => out.abandon(new Deno.errors.Interrupted("stdout: pending output abandoned")),
  };
}

/**
 * Writes `text` to stdout through {@linkcode stdoutWriter}; resolves `false`
 * once stdout is gone (a reader such as `head` went away) or abandoned, so
 * that a caller can stop quietly.
 *
 * @example
 * ```ts
 * if (!await writeStdout("22 open\n")) stopProbing();
 * ```
 */
export async function writeStdout(text: string | Uint8Array): Promise<boolean> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  try {
    await stdoutWriter().write(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `err`, from writing or flushing stdout, means only that the
 * output is gone (a closed pipe, SPEC §4: end quietly) or was abandoned.
 *
 * @example
 * ```ts
 * await stdoutWriter().flush().catch((err) => { if (!isOutputGone(err)) throw err; });
 * ```
 */
export function isOutputGone(err: unknown): boolean {
  return err instanceof Deno.errors.BrokenPipe || err instanceof Deno.errors.Interrupted;
}

/** The local side of a plain session: stdin and stdout. */
export interface StdioDuplex extends Duplex, Disposable {
  /** Resolves once every byte written so far has reached stdout (or stdout failed). */
  flush(): Promise<void>;
  /** Resolves, with the time it happened (`Date.now()`), once stdin has ended (EOF, or unreadable). */
  readonly inputEnded: Promise<number>;
  /** Gives up on stdout: see {@linkcode StdoutWriter.abandon}. */
  abandon(): void;
}

/**
 * Returns stdin (read, through {@linkcode stdinReader}) and stdout (write,
 * through {@linkcode stdoutWriter}) as a duplex. A stdin that is closed or
 * unreadable reads as end of data, as in netcat. `closeWrite` (the remote
 * side's data ended) flushes and closes stdout, so its reader sees EOF at
 * once (SPEC §3) even while stdin is still being sent; a `-k` listener,
 * which writes stdout for many clients, must never call it.
 *
 * @example
 * ```ts
 * await relay(stdioDuplex(), conn, { localIsTerminal: stdinIsTerminal() });
 * ```
 *
 * @example Copy stdin to stdout
 * ```ts
 * import { stdioDuplex } from "@socktool/socktool";
 *
 * using stdio = stdioDuplex();
 * const buf = new Uint8Array(65536);
 * for (let n = await stdio.read(buf); n !== null; n = await stdio.read(buf)) {
 *   await stdio.write(buf.subarray(0, n));
 * }
 * await stdio.flush();
 * ```
 */
export function stdioDuplex(): StdioDuplex {
  const stdin = stdinReader();
  const stdout = stdoutWriter();
  const ended = Promise.withResolvers<number>();
  return {
    async read(p) {
      const n = await stdin.read(p);
      if (n === null) ended.resolve(Date.now());
      return n;
    },
    write: (p) => stdout.write(p),
    closeWrite: () => stdout.close(),
    flush: () => stdout.flush(),
    inputEnded: ended.promise,
    abandon: () => stdout.abandon(),
    close: () => stdin.close(),
    // Stops reading stdin (the process may then exit); stdout stays open.
    [Symbol.dispose]: () => stdin.close(),
  };
}

/**
 * Whether stdin is an interactive terminal (SPEC §3: end at once when the
 * peer hangs up); what `relay`'s `localIsTerminal` wants to know.
 *
 * @example
 * ```ts
 * import { stdinIsTerminal } from "@socktool/socktool";
 *
 * console.log(stdinIsTerminal() ? "a person types here" : "stdin is a pipe, a file or closed");
 * ```
 */
export function stdinIsTerminal(): boolean {
  try {
    return Deno.stdin.isTerminal();
  } catch {
    return false;
  }
}
