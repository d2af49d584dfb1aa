/**
 * The one error type of socktool: a message in socktool's grammar and the
 * exit code that SPEC §4 assigns to it. Only the command
 * (`lib/modes/command.ts`, run by `main.ts`) turns it into a line on stderr
 * and an exit status.
 *
 * @module
 */

/**
 * Exit codes of SPEC §4: what the `socktool` command exits with, and what a
 * {@linkcode SocktoolError} carries.
 *
 * @example
 * ```ts
 * import { ExitCode, SocktoolError } from "@socktool/socktool";
 *
 * const err = new SocktoolError("connect 127.0.0.1:9: connection refused", ExitCode.Network);
 * console.log(err.exitCode === ExitCode.Network); // true: exit 1, a network failure
 * ```
 */
export const ExitCode = {
  /** The session ended normally. */
  Ok: 0,
  /** A failure of the network or the peer. */
  Network: 1,
  /** The command line cannot work as given. */
  Usage: 2,
  /** Ended by SIGHUP (the terminal closed). */
  HangUp: 129,
  /** Ended by SIGINT. */
  Interrupted: 130,
  /** Ended by SIGTERM. */
  Terminated: 143,
} as const;

/** One of the exit codes of {@linkcode ExitCode}. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/**
 * An error that ends socktool with a known exit code.
 *
 * The message is written without the `socktool: ` prefix and without a
 * trailing period: `connect 127.0.0.1:9: connection refused`.
 *
 * @example
 * ```ts
 * import { connectTcp, ExitCode, SocktoolError } from "@socktool/socktool";
 *
 * const port = (() => {
 *   using l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 *   return l.addr.port; // free again once closed: nobody listens there
 * })();
 * try {
 *   await connectTcp("127.0.0.1", port);
 * } catch (err) {
 *   if (!(err instanceof SocktoolError) || err.exitCode !== ExitCode.Network) throw err;
 *   console.error(`socktool: ${err.message}`); // connect 127.0.0.1:PORT: connection refused
 * }
 * ```
 */
export class SocktoolError extends Error {
  /** The process exit code this error maps to. */
  readonly exitCode: ExitCodeValue;
  /** A short hint printed after the message for usage errors. */
  readonly hint?: string;

  /**
   * Makes an error that ends socktool with `exitCode`.
   *
   * @param message what failed, the address, and the cause in words
   * @param exitCode the exit code of SPEC §4
   * @param options `hint`: extra advice; `cause`: the underlying error
   */
  constructor(
    message: string,
    exitCode: ExitCodeValue,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "SocktoolError";
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/**
 * Builds a usage error (exit 2) with the standard hint.
 *
 * @example
 * ```ts
 * throw usageError("unknown option -y");
 * ```
 */
export function usageError(message: string): SocktoolError {
  return new SocktoolError(message, ExitCode.Usage, {
    hint: "see 'socktool --help'",
  });
}

/**
 * Names the cause of a system error in words, as SPEC §4 lists them
 * (`connection refused`, `no such host`, ...), from its error code (`ECONNREFUSED`,
 * `ENOTFOUND` from the resolver) or its `Deno.errors` class. The decision is
 * taken on those, never on the message's text: an error with neither keeps
 * its own message, lower-cased and without Deno's `(os error N)` suffix.
 *
 * @example
 * ```ts
 * causeInWords(new Deno.errors.ConnectionRefused("x")); // "connection refused"
 * ```
 */
export function causeInWords(err: unknown): string {
  if (err instanceof SocktoolError) return err.message;
  const e = err as { name?: string; code?: string; message?: string };
  const byCode: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ECONNRESET: "connection reset by peer",
    EADDRINUSE: "address already in use",
    EADDRNOTAVAIL: "address not available",
    EACCES: "permission denied",
    EPERM: "permission denied",
    ENOENT: "no such file or directory",
    ENOTFOUND: "no such host",
    EAI_NONAME: "no such host",
    ENODATA: "no such host",
    EAI_AGAIN: "name lookup failed (temporary)",
    ETIMEDOUT: "timed out",
    EHOSTUNREACH: "host unreachable",
    EHOSTDOWN: "host is down",
    ENETUNREACH: "network unreachable",
    EPIPE: "broken pipe",
    EISDIR: "is a directory",
    ENOTDIR: "not a directory",
    EMSGSIZE: "message too long",
    ECONNABORTED: "connection aborted",
  };
  const byName: Record<string, string> = {
    ConnectionRefused: "connection refused",
    ConnectionReset: "connection reset by peer",
    ConnectionAborted: "connection aborted",
    AddrInUse: "address already in use",
    AddrNotAvailable: "address not available",
    NetworkUnreachable: "network unreachable",
    NotConnected: "not connected",
    PermissionDenied: "permission denied",
    NotCapable: "permission denied",
    NotFound: "no such file or directory",
    TimedOut: "timed out",
    BrokenPipe: "broken pipe",
    IsADirectory: "is a directory",
    NotADirectory: "not a directory",
    AlreadyExists: "already exists",
  };
  if (e?.code && byCode[e.code]) return byCode[e.code];
  if (e?.name && byName[e.name]) return byName[e.name];
  const msg = String(e?.message ?? err);
  return msg.replace(/\s*\(os error \d+\)\s*$/, "").replace(/\.$/, "")
    .replace(/^./, (c) => c.toLowerCase());
}

/**
 * Wraps a failure of the network or the peer (exit 1) with the action and
 * address that failed.
 *
 * @example
 * ```ts
 * throw networkError("connect 127.0.0.1:9", err);
 * // socktool: connect 127.0.0.1:9: connection refused
 * ```
 */
export function networkError(action: string, err: unknown): SocktoolError {
  if (err instanceof SocktoolError) return err;
  return new SocktoolError(`${action}: ${causeInWords(err)}`, ExitCode.Network, {
    cause: err,
  });
}
