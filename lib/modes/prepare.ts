/**
 * The one step between the command line and the modes: every check that
 * touches the system, done before any socket opens, so that each is a usage
 * error (exit 2, SPEC §4) and not a failure halfway through. The pure rules
 * ran already (`cli/rules.ts`); here the `-e`/`-c` program is found, the
 * directory of a Unix socket to create is looked at, the `--allowfile` and
 * `--denyfile` rules and the TLS files are read and checked, stdin's size is
 * taken for `--progress` when it is a regular file, and, last of
 * all, the `-o`/`-x` files are opened, so a mistake anywhere else on the
 * command line never empties them. What is loaded or opened is handed to the
 * modes, which read nothing from disk themselves.
 *
 * @module
 */

import { causeInWords, usageError } from "../errors.ts";
import type { ConnectOptions, ListenOptions } from "../cli/options.ts";
import type { Logger } from "../io/log.ts";
import type { ExecProgram } from "../session/exec.ts";
import type { SessionOptions } from "../session/options.ts";
import { type AccessPolicy, accessPolicy, AccessRuleError } from "../serve/access.ts";
import type { TlsMaterial } from "../tls/files.ts";
import { openSessionLog } from "../transforms/capture.ts";
import { openHexDump } from "../transforms/hex_dump.ts";
import type { LogFile } from "../io/log_file.ts";
import { closeSessionLogs, type SessionLogs, type TransformOptions } from "../transforms/stages.ts";
import { regularFileSize } from "../io/file_size.ts";
import { explainRefusal, readTextAtPath } from "../io/fd_path.ts";
import { load } from "../lazy.ts";

/** What the command line names on the system, found, loaded and opened. */
export interface Prepared {
  /** The `-e`/`-c` program, found and executable. */
  program?: ExecProgram;
  /** The `--allow`/`--deny` policy of a listener, files read. */
  access?: AccessPolicy;
  /** The `--ssl-cert`, `--ssl-key` and `--ssl-trustfile` contents, checked. */
  tls?: TlsMaterial;
  /** The `-o` and `-x` files, open; close them with `closeSessionLogs`. */
  logs: SessionLogs;
  /** Stdin's size, when `--progress` can use it: stdin is a regular file and `--size` is not given. */
  stdinSize?: number;
  /** `--forward wss://`: the `--ssl-trustfile` that verifies the target, checked. */
  wsTls?: TlsMaterial;
}

/**
 * Runs every system check of a session's command line, in the order the
 * module doc gives, and returns what the modes need.
 *
 * @param log where a warning goes (an allow list that admits nobody)
 * @param env where `PATH` is read, for `-e`
 * @throws {SocktoolError} a usage error (exit 2) naming the option, the path
 *   and the cause
 * @example
 * ```ts
 * const prepared = await prepare(options, createLogger(options.verbose));
 * ```
 */
export async function prepare(
  options: ConnectOptions | ListenOptions,
  log: Logger,
  env: { get(name: string): string | undefined } = Deno.env,
): Promise<Prepared> {
  const program = findProgram(options, env);
  checkSocketDirectory(options);
  const access = options.mode === "listen" ? await loadAccess(options, log) : undefined;
  // The TLS stack loads only for --ssl (it costs start-up time).
  const tls = options.tls ? await loadTls(options.tls) : undefined;
  const stdinSize = options.progress && options.size === undefined && !options.recvOnly
    ? await regularFileSize(0)
    : undefined;
  const wsTls = options.mode === "listen" && options.forwardWs?.tls
    ? await loadTls(options.forwardWs.tls)
    : undefined;
  const logs = await openSessionLogs(options);
  return { program, access, tls, logs, stdinSize, wsTls };
}

/**
 * Turns `-e` / `-c` into the program to run, found the way execvp would (a
 * name with a slash as a path, else in each `PATH` entry) and executable.
 */
function findProgram(
  opts: Pick<SessionOptions, "exec" | "shExec">,
  env: { get(name: string): string | undefined },
): ExecProgram | undefined {
  if (opts.shExec !== undefined) {
    if (whyNotExecutable("/bin/sh")) throw usageError("option -c needs /bin/sh, which is missing");
    return { command: "/bin/sh", args: ["-c", opts.shExec], label: `sh -c '${opts.shExec}'` };
  }
  if (opts.exec === undefined) return undefined;
  const [name, ...args] = opts.exec;
  if (name.includes("/")) {
    const why = whyNotExecutable(name);
    if (why === "missing") throw usageError(`exec ${name}: no such executable file`);
    if (why) throw usageError(`exec ${name}: ${why}`);
    return { command: name, args, label: name };
  }
  let unusable: string | undefined;
  for (const dir of (env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    const candidate = `${dir === "" ? "." : dir}/${name}`;
    const why = whyNotExecutable(candidate);
    if (why === undefined) return { command: candidate, args, label: name };
    if (why !== "missing") unusable ??= `${candidate} ${why}`;
  }
  throw usageError(
    unusable ? `exec ${name}: ${unusable}` : `exec ${name}: program not found in PATH`,
  );
}

/** Why `path` cannot be run: `missing`, or a reason in words; `undefined` when it can. */
function whyNotExecutable(path: string): string | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (err) {
    return err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory
      ? "missing"
      : causeInWords(err);
  }
  if (info.isDirectory) return "is a directory";
  if (!info.isFile) return "is not a regular file";
  if (info.mode !== null && (info.mode & 0o111) === 0) {
    return "is not executable (no execute permission)";
  }
  return undefined;
}

/**
 * A Unix socket socktool creates (`-lU PATH`, `-luU PATH`, `-uU -s PATH`)
 * needs an existing directory to live in, and no file other than a socket
 * where it goes.
 */
function checkSocketDirectory(o: ConnectOptions | ListenOptions): void {
  const created = o.mode === "listen"
    ? (o.local.kind === "unix" ? { action: "listen", path: o.local.path } : undefined)
    : (o.transport === "unixgram" && o.sourceAddr !== undefined
      ? { action: "bind", path: o.sourceAddr }
      : undefined);
  if (created === undefined) return;
  const slash = created.path.lastIndexOf("/");
  const dir = slash < 0 ? "." : slash === 0 ? "/" : created.path.slice(0, slash);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(dir);
  } catch (err) {
    if (err instanceof Deno.errors.NotCapable) {
      // Deno's rule for /dev, /proc and /sys, said as such (lib/io/fd_path.ts).
      throw usageError(
        `${created.action} ${created.path}: ${causeInWords(explainRefusal(created.path, err))}`,
      );
    }
    const why = err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory
      ? "no such directory"
      : causeInWords(err);
    throw usageError(`${created.action} ${created.path}: ${why} '${dir}'`);
  }
  if (!info.isDirectory) {
    throw usageError(`${created.action} ${created.path}: '${dir}' is not a directory`);
  }
  // A stale socket is replaced when bound (net/unix_socket_file.ts); any other file is never.
  let existing: Deno.FileInfo | undefined;
  try {
    existing = Deno.lstatSync(created.path);
  } catch { /* nothing there, or nothing we can see: binding will tell */ }
  if (existing !== undefined && existing.isSocket === false) {
    throw usageError(
      `${created.action} ${created.path}: a file that is not a socket is in the way`,
    );
  }
}

/** Reads the rule files and builds the listener's policy; warns when it admits nobody. */
async function loadAccess(o: ListenOptions, log: Logger): Promise<AccessPolicy | undefined> {
  const read = async (flag: string, path: string | undefined) => {
    if (path === undefined) return undefined;
    try {
      return await readTextAtPath(path);
    } catch (err) {
      throw usageError(`${flag} ${path}: ${causeInWords(err)}`);
    }
  };
  const files = {
    allow: await read("--allowfile", o.allowFile),
    deny: await read("--denyfile", o.denyFile),
  };
  let policy: AccessPolicy | undefined;
  try {
    policy = accessPolicy(o, files);
  } catch (err) {
    if (err instanceof AccessRuleError) throw usageError(err.message);
    throw err;
  }
  if (policy?.admitsNobody) {
    const named = [
      o.allow.length > 0 ? "--allow" : "",
      o.allowFile !== undefined ? "--allowfile" : "",
    ]
      .filter((s) => s !== "");
    log.warn(
      `${named.join(" and ")} ${
        named.length > 1 ? "name" : "names"
      } no address: every client will be refused`,
    );
  }
  return policy;
}

/** Reads and checks the TLS files. */
async function loadTls(tls: NonNullable<SessionOptions["tls"]>): Promise<TlsMaterial> {
  const { loadTlsFiles, TlsFileError } = await load("lib/tls/files.ts");
  try {
    return await loadTlsFiles({ cert: tls.cert, key: tls.key, trustFile: tls.trustFile });
  } catch (err) {
    if (err instanceof TlsFileError) throw usageError(err.message);
    throw err;
  }
}

/**
 * Opens the `-o` and `-x` files, so a bad path is a usage error (exit 2)
 * found before any connection is tried. Both are opened untouched and
 * emptied only once both are open (unless `--append-output`), so a bad `-x`
 * path leaves the `-o` file as it was. Close them with `closeSessionLogs`.
 *
 * @throws {SocktoolError} exit 2: `open -o file /nope/x: no such file or directory`
 * @example
 * ```ts
 * const logs = await openSessionLogs({ output: "session.bin", appendOutput: false });
 * ```
 */
export async function openSessionLogs(
  options: Pick<TransformOptions, "output" | "hexDump" | "appendOutput">,
): Promise<SessionLogs> {
  const append = options.appendOutput;
  const logs: SessionLogs = {};
  const open = async (flag: string, path: string, opener: typeof openSessionLog) => {
    try {
      return await opener(path, append, { truncate: false });
    } catch (err) {
      throw usageError(`open ${flag} file ${path}: ${causeInWords(err)}`);
    }
  };
  try {
    if (options.output !== undefined) {
      logs.output = await open("-o", options.output, openSessionLog);
    }
    if (options.hexDump !== undefined) {
      logs.hexDump = await open("-x", options.hexDump, openHexDump);
    }
    if (!append) {
      for (const [flag, file] of [["-o", logs.output], ["-x", logs.hexDump]] as const) {
        emptyLog(flag, file);
      }
    }
  } catch (err) {
    await closeSessionLogs(logs).catch(() => {});
    throw err;
  }
  return logs;
}

function emptyLog(flag: string, file: LogFile | undefined): void {
  try {
    file?.truncate();
  } catch (err) {
    throw usageError(`open ${flag} file ${file!.path}: ${causeInWords(err)}`);
  }
}
