/**
 * Diagnostics on stderr, one line each, prefixed `socktool: `. Payload never
 * goes here, and messages never go to stdout.
 *
 * @module
 */

/** Where `-v` messages go; levels follow the count of `-v`. */
export interface Logger {
  /** Always shown (warnings such as `--ssl-insecure`). */
  warn(message: string): void;
  /** Shown with `-v`. */
  info(message: string): void;
  /** Shown with `-vv`. */
  debug(message: string): void;
  /** The `-v` count. */
  readonly verbosity: number;
}

const encoder = new TextEncoder();

/** The terminal echoed `^C` and the cursor still sits after it. */
let midLineAfterInterrupt = false;

/**
 * Notes a SIGINT: when stderr is a terminal, its `^C` echo left the cursor
 * mid-line, so the next line written starts on a fresh one (and
 * {@linkcode endInterruptedLine} ends the line if nothing else is written).
 *
 * @example
 * ```ts
 * Deno.addSignalListener("SIGINT", () => noteInterruptEcho());
 * ```
 */
export function noteInterruptEcho(): void {
  try {
    midLineAfterInterrupt = Deno.stderr.isTerminal();
  } catch {
    // no stderr: nothing to tidy
  }
}

/**
 * Forgets a noted `^C` echo: whoever calls this has redrawn the line from
 * its start (the `--progress` meter), so no newline is owed for it.
 *
 * @example
 * ```ts
 * forgetInterruptEcho(); // after writing "\r..." over the line
 * ```
 */
export function forgetInterruptEcho(): void {
  midLineAfterInterrupt = false;
}

/**
 * Ends the `^C` line before exit if nothing was written after it, so the
 * shell's prompt starts on its own line.
 *
 * @example
 * ```ts
 * endInterruptedLine(); // last thing before Deno.exit
 * ```
 */
export function endInterruptedLine(): void {
  if (!midLineAfterInterrupt) return;
  midLineAfterInterrupt = false;
  writeAll("\n");
}

/**
 * Writes one `socktool: ` line to stderr. Synchronous so that a message is on
 * the terminal before the action it announces (tests wait on these lines).
 */
export function writeStderrLine(message: string): void {
  const fresh = midLineAfterInterrupt ? "\n" : "";
  midLineAfterInterrupt = false;
  writeAll(`${fresh}socktool: ${message}\n`);
}

function writeAll(text: string): void {
  try {
    const bytes = encoder.encode(text);
    let off = 0;
    while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
  } catch {
    // stderr gone: nothing left to tell
  }
}

/**
 * Makes a logger for a `-v` count.
 *
 * @example
 * ```ts
 * const log = createLogger(1);
 * log.info("listening on [::]:4444"); // socktool: listening on [::]:4444
 * log.debug("not shown with a single -v");
 * ```
 */
export function createLogger(
  verbosity: number,
  write: (message: string) => void = writeStderrLine,
): Logger {
  return {
    verbosity,
    warn: write,
    info: verbosity >= 1 ? write : () => {},
    debug: verbosity >= 2 ? write : () => {},
  };
}
