/**
 * A log file that several writers share (both directions of a session, every
 * client of a `-k` listener): writes land whole and in call order.
 *
 * @module
 */

import { causeInWords, ExitCode, SocktoolError } from "../errors.ts";
import { explainRefusal, openDescriptorPath } from "./fd_path.ts";
import { writeAll } from "./sink.ts";

/** Bytes held in memory while the file catches up; two such buffers per log. */
const BUFFER_SIZE = 1 << 20;

/**
 * What a {@linkcode LogFile} writes to: a `Deno.FsFile`, or a descriptor
 * path's target (`io/fd_path.ts`: stdout, stderr, `/dev/fd/N`).
 */
export interface LogTarget {
  /** Writes some of `p`; resolves with the count. */
  write(p: Uint8Array): Promise<number>;
  /** Writes some of `p` at once. */
  writeSync(p: Uint8Array): number;
  /** Empties the file. */
  truncateSync(len?: number): void;
  /** Lets go of it. */
  close(): void;
}

/**
 * How a {@linkcode LogFile} writes: `sync`, each chunk at once with
 * `writeSync` (a regular file, stderr); `through`, each chunk handed to a
 * writer that keeps call order and says when the chunk may be reused
 * (socktool's stdout writer); `behind`, copied and written behind the data
 * path (a pipe, a device).
 */
export type LogMode = "sync" | "through" | "behind";

/**
 * One open log file, written as its {@linkcode LogMode} says. Written behind,
 * the session does not wait for the file unless the log falls a whole buffer
 * behind. In every mode writes land whole and in call order.
 */
export class LogFile implements AsyncDisposable {
  /** The path the file was opened at, for messages. */
  readonly path: string;
  #file: LogTarget;
  /** Bytes waiting for the next file write (`behind` only). */
  #fill: Uint8Array;
  #used = 0;
  /** The buffer the file write in flight reads from (`behind` only). */
  #spare: Uint8Array;
  #inFlight: Promise<void> | undefined;
  /** Admits writers one by one, so a small write never overtakes a waiting one. */
  #turn: Promise<void> = Promise.resolve();
  #failure: Error | undefined;
  #closed = false;

  /** How chunks reach the file (see {@linkcode LogMode}). */
  #mode: LogMode;
  /** The last `through` write not yet settled. */
  #throughPending: Promise<void> | undefined;
  /** A regular file, which {@linkcode LogFile.truncate} empties. */
  #regular: boolean;

  /**
   * Wraps an open file; `path` names it in messages.
   *
   * @param file an open, writable file; the `LogFile` owns it from now on
   * @param path where it lives, for messages
   * @param mode how chunks reach it: see {@linkcode LogMode}
   * @param regular a regular file, emptied by `truncate()`
   */
  constructor(file: LogTarget, path: string, mode: LogMode = "behind", regular = false) {
    this.#file = file;
    this.path = path;
    this.#mode = mode;
    this.#regular = regular;
    // Only a log written behind holds buffers: two of 1 MiB.
    const size = mode === "behind" ? BUFFER_SIZE : 0;
    this.#fill = new Uint8Array(size);
    this.#spare = new Uint8Array(size);
  }

  /**
   * Appends `bytes` after every earlier write. Resolves once they are copied
   * (a lent chunk may be passed as is), or once the file has room for them.
   * Rejects if an earlier file write failed: the log would have a hole.
   */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#mode === "sync") {
      // A regular file takes the bytes into the page cache without blocking
      // on anyone: no copy and no thread hop, which is most of -o's cost.
      try {
        this.#check();
        let off = 0;
        while (off < bytes.length) off += this.#file.writeSync(bytes.subarray(off));
        return Promise.resolve();
      } catch (err) {
        this.#failure ??= err instanceof SocktoolError ? err : new SocktoolError(
          `write ${this.path}: ${causeInWords(err)}`,
          ExitCode.Network,
          { cause: err },
        );
        return Promise.reject(this.#failure);
      }
    }
    if (this.#mode === "through") return this.#writeThrough(bytes);
    const turn = this.#turn.then(() => this.#enter(bytes));
    this.#turn = turn.catch(() => {});
    return turn;
  }

  /**
   * Waits for everything written to reach the file, then closes it. Safe to
   * call twice. Rejects, after closing, if a file write failed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#turn;
    while (this.#inFlight) await this.#inFlight;
    this.#file.close();
    if (this.#failure instanceof SocktoolError) throw this.#failure;
  }

  /** Same as {@linkcode LogFile.close}: `await using log = await openLogFile(...)`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Empties a regular file before anything is written to it (a pipe or a
   * device has nothing to empty). For a file opened with `truncate: false`.
   */
  truncate(): void {
    if (this.#regular) this.#file.truncateSync(0);
  }

  #writeThrough(bytes: Uint8Array): Promise<void> {
    try {
      this.#check();
    } catch (err) {
      return Promise.reject(err);
    }
    // Issued at once when nothing of this log is pending (so in call order
    // with the data written beside it), else after what is.
    const prev = this.#throughPending;
    const start = () => writeAll(this.#file, bytes);
    const done = (prev ? prev.then(start) : start()).catch((err) => {
      // Stdout gone (its reader left) or abandoned (a signal): as for the
      // data written there, the session ends quietly (SPEC §4).
      const gone = err instanceof Deno.errors.BrokenPipe || err instanceof Deno.errors.Interrupted;
      this.#failure ??= gone ? err : new SocktoolError(
        `write ${this.path}: ${causeInWords(err)}`,
        ExitCode.Network,
        { cause: err },
      );
      throw this.#failure;
    });
    const settled = done.catch(() => {});
    this.#throughPending = this.#turn = settled;
    settled.then(() => {
      if (this.#throughPending === settled) this.#throughPending = undefined;
    });
    return done;
  }

  async #enter(bytes: Uint8Array): Promise<void> {
    if (bytes.length > BUFFER_SIZE) {
      // Too big to buffer: write it in place, after all before it.
      while (this.#inFlight) await this.#inFlight;
      this.#check();
      return this.#writeFile(bytes);
    }
    while (this.#used + bytes.length > BUFFER_SIZE) {
      this.#check();
      await this.#inFlight;
    }
    this.#check();
    this.#fill.set(bytes, this.#used);
    this.#used += bytes.length;
    this.#flush();
  }

  /** Starts writing what is buffered, unless a write is in flight (it will call again). */
  #flush(): void {
    if (this.#inFlight || this.#used === 0 || this.#failure) return;
    [this.#fill, this.#spare] = [this.#spare, this.#fill];
    const n = this.#used;
    this.#used = 0;
    this.#inFlight = this.#writeFile(this.#spare.subarray(0, n)).then(
      () => {
        this.#inFlight = undefined;
        this.#flush();
      },
      () => {
        this.#inFlight = undefined;
      },
    );
  }

  async #writeFile(bytes: Uint8Array): Promise<void> {
    try {
      await writeAll(this.#file, bytes);
    } catch (err) {
      this.#failure ??= new SocktoolError(
        `write ${this.path}: ${causeInWords(err)}`,
        ExitCode.Network,
        { cause: err },
      );
      throw this.#failure;
    }
  }

  #check(): void {
    if (this.#failure) throw this.#failure;
  }
}

/**
 * Opens (creating, and truncating unless `append` or `truncate: false`) a
 * log file named on the command line. socktool opens its `-o` and `-x` files
 * untruncated and empties them with {@linkcode LogFile.truncate} once every
 * other check has passed, so a usage error found later leaves them as they were.
 *
 * @param path the file named by the option
 * @param append keep what the file holds and write after it (`--append-output`)
 * @param options `truncate`: empty the file now (default: unless `append`)
 * @throws the file system's error (`Deno.errors.NotFound`, ...): the caller
 *   knows which option named the file
 *
 * @example
 * ```ts
 * const log = await openLogFile("session.bin", false);
 * ```
 */
export async function openLogFile(
  path: string,
  append: boolean,
  options: { truncate?: boolean } = {},
): Promise<LogFile> {
  const truncate = options.truncate ?? !append;
  const target = openDescriptorPath(path, append);
  if (target !== undefined) {
    const regular = target.kind === "file";
    const mode = target.kind === "stdout"
      ? "through"
      : regular || target.kind === "stderr"
      ? "sync"
      : "behind";
    const log = new LogFile(target, path, mode, regular);
    if (truncate) log.truncate();
    return log;
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, create: true, append, truncate });
  } catch (err) {
    throw explainRefusal(path, err);
  }
  let regular = false;
  try {
    regular = file.statSync().isFile;
  } catch { /* unknown: take the safe, write-behind path */ }
  return new LogFile(file, path, regular ? "sync" : "behind", regular);
}
