/**
 * Why a proxy server could not reach the target a client asked for, read
 * from the connect error's codes (never its text), so that each server
 * handshake can answer with its protocol's code: SOCKS5 REP (RFC 1928 §6)
 * or an HTTP status.
 *
 * @module
 */

/** Why the target could not be reached. */
export type TargetFailure =
  | "refused" // the target host answered with a reset (ECONNREFUSED)
  | "host-unreachable" // no route to the host, or the host is down
  | "network-unreachable" // no route to its network, or a family the proxy does not use
  | "timed-out" // no answer within the connect timeout
  | "no-such-host" // the name does not resolve
  | "general"; // anything else

const BY_CODE: Readonly<Record<string, TargetFailure>> = {
  ECONNREFUSED: "refused",
  EHOSTUNREACH: "host-unreachable",
  EHOSTDOWN: "host-unreachable",
  ENETUNREACH: "network-unreachable",
  ENETDOWN: "network-unreachable",
  ETIMEDOUT: "timed-out",
  ENOTFOUND: "no-such-host",
  EAI_NONAME: "no-such-host",
  ENODATA: "no-such-host",
  EAI_AGAIN: "no-such-host",
};

const BY_NAME: Readonly<Record<string, TargetFailure>> = {
  ConnectionRefused: "refused",
  NetworkUnreachable: "network-unreachable",
  TimedOut: "timed-out",
  TimeoutError: "timed-out",
};

/**
 * Classifies a failed connect to a target, following the error's `cause`
 * chain (socktool's errors wrap the system's) and reading codes and class
 * names only.
 *
 * @example
 * ```ts
 * targetFailureOf(new Deno.errors.ConnectionRefused("x")); // "refused"
 * ```
 */
export function targetFailureOf(err: unknown): TargetFailure {
  const seen = new Set<unknown>();
  for (let e = err as { code?: unknown; name?: unknown; cause?: unknown } | undefined; e;) {
    if (seen.has(e)) break;
    seen.add(e);
    if (typeof e.code === "string" && BY_CODE[e.code]) return BY_CODE[e.code];
    if (typeof e.name === "string" && BY_NAME[e.name]) return BY_NAME[e.name];
    e = e.cause as typeof e;
  }
  return "general";
}

/**
 * The SOCKS5 reply code for a failure (RFC 1928 §6). A timeout answers
 * 0x06 "TTL expired", as microsocks and Tor do; a name that does not resolve
 * answers 0x04 "host unreachable", as Dante does.
 *
 * @example
 * ```ts
 * socks5ReplyFor("refused"); // 5
 * ```
 */
export function socks5ReplyFor(failure: TargetFailure): number {
  switch (failure) {
    case "refused":
      return 0x05;
    case "host-unreachable":
    case "no-such-host":
      return 0x04;
    case "network-unreachable":
      return 0x03;
    case "timed-out":
      return 0x06;
    default:
      return 0x01;
  }
}

/**
 * The HTTP status for a failure: 504 Gateway Timeout when the target gave
 * no answer (timeout, host or network unreachable: ncat answers 504 too),
 * 502 Bad Gateway when it answered no or does not exist.
 *
 * @example
 * ```ts
 * httpStatusFor("timed-out"); // 504
 * ```
 */
export function httpStatusFor(failure: TargetFailure): 502 | 504 {
  return failure === "timed-out" || failure === "host-unreachable" ||
      failure === "network-unreachable"
    ? 504
    : 502;
}
