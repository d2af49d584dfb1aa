/**
 * Every option-combination rule, one line each, checked before any socket
 * opens (after OpenBSD nc's list of one-line checks). A broken rule is a
 * usage error, exit 2.
 *
 * @module
 */

import { usageError } from "../errors.ts";
import { ipVersion } from "../net/address.ts";
import type { Options } from "./options.ts";

/** One rule: a test that is true when the command line breaks it, and what to say. */
interface Rule {
  broken: (o: Options) => boolean;
  message: string | ((o: Options) => string);
}

const SERVE_NAMES = ["echo", "discard", "daytime", "chargen", "upper", "timestamp"];

/** Reads a field that only some modes have, as `undefined` elsewhere. */
function f<T = unknown>(o: Options, key: string): T | undefined {
  return (o as unknown as Record<string, T>)[key];
}

function hostOf(o: Options): string | undefined {
  if (o.mode === "probe") return o.host;
  if (o.mode === "connect") return o.target.kind === "inet" ? o.target.host : undefined;
  if (o.mode === "listen") return o.local.kind === "inet" ? o.local.host : undefined;
  return undefined;
}

const isSession = (o: Options) => o.mode === "connect" || o.mode === "listen";
const flag = (o: Options, k: string) => f<boolean>(o, k) === true;

/** The rules, in the order they are checked. */
export const RULES: readonly Rule[] = [
  {
    broken: (o) => f(o, "family") === 4 && ipVersion(hostOf(o) ?? "") === 6,
    message: (o) => `option -4 cannot be used with the IPv6 address ${hostOf(o)}`,
  },
  {
    broken: (o) => f(o, "family") === 6 && ipVersion(hostOf(o) ?? "") === 4,
    message: (o) => `option -6 cannot be used with the IPv4 address ${hostOf(o)}`,
  },
  {
    broken: (o) => flag(o, "numeric") && hostOf(o) !== undefined && ipVersion(hostOf(o)!) === 0,
    message: (o) => `option -n forbids name lookup, but '${hostOf(o)}' is a name`,
  },
  {
    broken: (o) =>
      flag(o, "numeric") && o.mode === "connect" && o.sourceAddr !== undefined &&
      o.target.kind === "inet" && ipVersion(o.sourceAddr) === 0,
    message: "option -n forbids name lookup, but the -s address is a name",
  },
  {
    broken: (o) => flag(o, "sendOnly") && flag(o, "recvOnly"),
    message: "options --send-only and --recv-only cannot be used together",
  },
  {
    broken: (o) => isSession(o) && f(o, "exec") !== undefined && f(o, "shExec") !== undefined,
    message: "options -e and -c cannot be used together",
  },
  {
    broken: (o) =>
      o.mode === "connect" && (o.transport === "unix" || o.transport === "unixgram") &&
      o.sourcePort !== undefined,
    message: "option -p gives a port, but -U uses a socket PATH",
  },
  {
    broken: (o) => o.mode === "connect" && o.proxy !== undefined && o.transport !== "tcp",
    message: "option --proxy works over TCP only",
  },
  {
    broken: (o) =>
      o.mode === "connect" && o.proxy !== undefined &&
      (o.sourceAddr !== undefined || o.sourcePort !== undefined),
    message: "options --proxy and -s/-p cannot be used together",
  },
  {
    broken: (o) =>
      isSession(o) && f(o, "tls") !== undefined && f(o, "transport") !== "tcp" &&
      f(o, "transport") !== "unix",
    message: "option --ssl works over TCP (or -U) only",
  },
  {
    broken: (o) => o.mode === "connect" && o.tls?.serverName === "",
    message: "option --ssl-servername needs a name: '' is empty",
  },
  {
    broken: (o) =>
      o.mode === "listen" && o.tls !== undefined &&
      (o.tls.serverName !== undefined || o.tls.trustFile !== undefined || o.tls.insecure),
    message:
      "options --ssl-servername, --ssl-trustfile and --ssl-insecure are for connecting, not -l",
  },
  {
    broken: (o) =>
      isSession(o) && (f(o, "exec") !== undefined || f(o, "shExec") !== undefined) &&
      (f(o, "transport") === "udp" || f(o, "transport") === "unixgram"),
    message:
      "options -e and -c need a stream socket (TCP or -U): a datagram socket has no connection to hand a program",
  },
  {
    broken: (o) => o.mode === "listen" && o.keepOpen && o.transport === "unixgram",
    message: "option -k cannot be used with -uU",
  },
  {
    broken: (o) => o.mode === "listen" && o.broker && o.forward !== undefined,
    message: "options --broker and --forward cannot be used together",
  },
  {
    broken: (o) => o.mode === "listen" && o.serve !== undefined && !SERVE_NAMES.includes(o.serve),
    message: (o) =>
      `unknown --serve name '${f(o, "serve")}': choose one of ${SERVE_NAMES.join(", ")}`,
  },
  {
    broken: (o) =>
      o.mode === "listen" &&
      [
          o.serve !== undefined,
          o.forward !== undefined,
          o.broker || o.chat,
          o.exec !== undefined || o.shExec !== undefined,
        ].filter(Boolean).length > 1,
    message: "choose one of --serve, --forward, --broker/--chat and -e/-c",
  },
  {
    broken: (o) =>
      o.mode === "listen" && (o.broker || o.chat) &&
      (o.transport === "udp" || o.transport === "unixgram"),
    message: "options --broker and --chat need a stream socket (TCP or -U)",
  },
  {
    broken: (o) =>
      o.mode === "listen" && o.forward !== undefined && o.transport !== "tcp" &&
      o.transport !== "unix",
    message: "option --forward needs a stream listener (TCP or -U)",
  },
];

/**
 * Checks the rules that involve flags a mode's record does not carry: these
 * are read from the raw flags before the record is built.
 */
export const FLAG_RULES: readonly { flags: string[]; needs?: string; message: string }[] = [
  { flags: ["ipv4", "ipv6"], message: "options -4 and -6 cannot be used together" },
  { flags: ["keep-open"], needs: "listen", message: "option -k needs -l" },
  { flags: ["max-conns"], needs: "listen", message: "option -m needs -l" },
  { flags: ["broker"], needs: "listen", message: "option --broker needs -l" },
  { flags: ["chat"], needs: "listen", message: "option --chat needs -l" },
  { flags: ["forward"], needs: "listen", message: "option --forward needs -l" },
  { flags: ["serve"], needs: "listen", message: "option --serve needs -l" },
  { flags: ["allow"], needs: "listen", message: "option --allow needs -l" },
  { flags: ["deny"], needs: "listen", message: "option --deny needs -l" },
  { flags: ["allowfile"], needs: "listen", message: "option --allowfile needs -l" },
  { flags: ["denyfile"], needs: "listen", message: "option --denyfile needs -l" },
  { flags: ["json"], needs: "zero-io", message: "option --json needs -z" },
  { flags: ["listen", "proxy"], message: "options -l and --proxy cannot be used together" },
  { flags: ["zero-io", "ssl"], message: "options -z and --ssl cannot be used together" },
  { flags: ["zero-io", "exec"], message: "options -z and -e cannot be used together" },
  { flags: ["zero-io", "sh-exec"], message: "options -z and -c cannot be used together" },
  { flags: ["zero-io", "proxy"], message: "options -z and --proxy cannot be used together" },
];

/**
 * Checks the raw flags against {@linkcode FLAG_RULES}.
 *
 * @example
 * ```ts
 * checkFlagRules({ "keep-open": true }); // throws: option -k needs -l
 * ```
 */
export function checkFlagRules(values: Record<string, unknown>): void {
  const given = (k: string) => values[k] !== undefined && values[k] !== false;
  for (const rule of FLAG_RULES) {
    if (rule.needs !== undefined) {
      if (rule.flags.every(given) && !given(rule.needs)) throw usageError(rule.message);
    } else if (rule.flags.every(given)) {
      throw usageError(rule.message);
    }
  }
}

/**
 * Checks a parsed record against {@linkcode RULES}; throws the first broken
 * one as a usage error.
 */
export function checkRules(options: Options): void {
  for (const rule of RULES) {
    if (rule.broken(options)) {
      throw usageError(typeof rule.message === "string" ? rule.message : rule.message(options));
    }
  }
}
