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

/**
 * Writes one `socktool: ` line to stderr. Synchronous so that a message is on
 * the terminal before the action it announces (tests wait on these lines).
 */
export function writeStderrLine(message: string): void {
  try {
    const bytes = encoder.encode(`socktool: ${message}\n`);
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
