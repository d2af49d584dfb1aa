/**
 * `-o FILE`: a raw copy of the session, both directions, in arrival order.
 *
 * @module
 */

import { LogFile, openLogFile } from "../io/log_file.ts";
import type { Stage } from "../io/sink.ts";

/**
 * Opens the `-o` file (socktool does so before any socket, in
 * `modes/prepare.ts`, where a path that cannot be written is a usage error).
 *
 * @param path the `-o` argument
 * @param append `--append-output`: keep the file's content
 * @param options `truncate: false`: leave emptying it for later ({@linkcode LogFile.truncate})
 * @throws the file system's error
 *
 * @example
 * ```ts
 * const log = await openSessionLog("session.bin", false);
 * const stages = [sessionLogStage(log)];
 * ```
 */
export function openSessionLog(
  path: string,
  append: boolean,
  options: { truncate?: boolean } = {},
): Promise<LogFile> {
  return openLogFile(path, append, options);
}

/**
 * A tap that copies every chunk into `log` and passes it on unchanged. Put
 * one on each direction with the same `log`: the file gets the bytes in the
 * order the taps saw them. Closing the stage does not close the log (it may
 * outlive the session); its owner calls `log.close()`.
 */
export function sessionLogStage(log: LogFile): Stage {
  return logTap(log, (chunk) => chunk);
}

/**
 * A tap that writes `render(chunk)` to `log` and passes the chunk on
 * unchanged: the common part of `-o` (raw bytes) and `-x` (a hex dump).
 *
 * @example
 * ```ts
 * const tap = logTap(log, (chunk) => chunk); // what -o does
 * ```
 */
export function logTap(
  log: Pick<LogFile, "write">,
  render: (chunk: Uint8Array) => Uint8Array,
): Stage {
  return (next) => ({
    async write(chunk) {
      // The log takes its copy while the chunk goes on; the chunk stays lent
      // to us until both are done.
      const logged = log.write(render(chunk));
      try {
        await next.write(chunk);
      } finally {
        await logged;
      }
    },
    close: () => next.close(),
  });
}
