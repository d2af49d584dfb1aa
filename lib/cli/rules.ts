/**
 * Every option-combination rule, one line each, checked before any socket
 * opens (after OpenBSD nc's list of one-line checks). A broken rule is a
 * usage error, exit 2. Checks that need the system (files, the `-e` program)
 * come later, in `modes/prepare.ts`; everything here is pure.
 *
 * Three lists: {@linkcode FLAG_RULES} read the flags as typed (for options a
 * mode's record does not carry), {@linkcode IGNORED} names the options each
 * mode or option would silently ignore (each such pair is refused, so
 * nothing the user asks for is dropped without a word), and
 * {@linkcode RULES} read the parsed record.
 *
 * @module
 */

import { usageError } from "../errors.ts";
import { ipVersion } from "../net/address.ts";
import { parseAccessRule, splitRuleList } from "../serve/access.ts";
import { proxyProblem } from "../proxy/problem.ts";
import { flagName, type OptionName } from "./option_table.ts";
import type { Options } from "./options.ts";

/** One rule: a test that is true when the command line breaks it, and what to say. */
interface Rule {
  broken: (o: Options) => boolean;
  message: string | ((o: Options) => string);
}

/**
 * A rule on the flags as typed: all of `flags` given and, with `needs`, none
 * of `needs`. Its message is `option A needs B` or `options A and B cannot
 * be used together`, then `: why`, unless `message` says otherwise.
 */
interface FlagRule {
  flags: readonly OptionName[];
  needs?: readonly OptionName[];
  why?: string;
  message?: string;
}

/** The longest Unix socket path Linux takes (`sun_path` holds 108 bytes with the NUL). */
export const MAX_SOCKET_PATH_BYTES = 107;

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

/** The Unix socket paths of the command line: the one to reach or listen on, and `-uU -s`. */
function socketPaths(o: Options): string[] {
  if (o.mode === "listen") return o.local.kind === "unix" ? [o.local.path] : [];
  if (o.mode !== "connect" || o.target.kind !== "unix") return [];
  return o.transport === "unixgram" && o.sourceAddr !== undefined
    ? [o.target.path, o.sourceAddr]
    : [o.target.path];
}

const bytes = (s: string) => new TextEncoder().encode(s).length;
const isSession = (o: Options) => o.mode === "connect" || o.mode === "listen";
const flag = (o: Options, k: string) => f<boolean>(o, k) === true;
/** The first `--allow`/`--deny` rule that is not an address or range, with why. */
const badAccessRule = (o: Options) => {
  if (o.mode !== "listen") return undefined;
  for (const [where, values] of [["--allow", o.allow], ["--deny", o.deny]] as const) {
    for (const rule of splitRuleList(values)) {
      const parsed = parseAccessRule(rule);
      if (!parsed.ok) return `bad rule '${rule}' in ${where}: ${parsed.reason}`;
    }
  }
  return undefined;
};
/** The IP versions of `-s` and of the target, when both are literals of different families. */
const sourceFamilyClash = (o: Options): [number, number] | undefined => {
  if (o.mode !== "connect" || o.target.kind !== "inet" || o.sourceAddr === undefined) {
    return undefined;
  }
  const [source, target] = [ipVersion(o.sourceAddr), ipVersion(o.target.host)];
  return source !== 0 && target !== 0 && source !== target ? [source, target] : undefined;
};
const proxyProblemOf = (o: Options) =>
  o.mode === "connect" && o.proxy !== undefined && o.target.kind === "inet"
    ? proxyProblem({ proxy: o.proxy, target: o.target })
    : undefined;

/** The hosts of `--wait-for` targets, or of a `--forward` target. */
const jobHosts = (o: Options): string[] => {
  if (o.mode === "wait-for") return o.targets.flatMap((t) => t.kind === "inet" ? [t.host] : []);
  if (o.mode === "listen" && o.forward !== undefined && o.forward.kind !== "unix") {
    return [o.forward.host];
  }
  return [];
};
/** The Unix socket paths of `--wait-for` targets, or of a `--forward` target. */
const jobPaths = (o: Options): string[] => {
  if (o.mode === "wait-for") return o.targets.flatMap((t) => t.kind === "unix" ? [t.path] : []);
  return o.mode === "listen" && o.forward?.kind === "unix" ? [o.forward.path] : [];
};
const firstHost = (o: Options, test: (h: string) => boolean) => jobHosts(o).find(test);
const isUdpForward = (o: Options) => o.mode === "listen" && o.forward?.kind === "udp";
/** The data-shaping options a UDP forwarder cannot apply, as typed. */
const udpForwardData = (o: Options): string[] => {
  if (o.mode !== "listen") return [];
  const given: [boolean, string][] = [
    [o.crlf, "-C"],
    [o.intervalMs !== undefined, "-i"],
    [o.output !== undefined, "-o"],
    [o.hexDump !== undefined, "-x"],
    [o.timestamp, "--timestamp"],
    [o.progress, "--progress"],
    [o.rateLimit !== undefined, "-L"],
  ];
  return given.filter(([on]) => on).map(([, name]) => name);
};

/**
 * Issue 14's rules (`--wait-for`, `--forward` targets), in a block of their
 * own so that merges stay easy; checked in this order within {@linkcode RULES}.
 */
const JOB_RULES: readonly Rule[] = [
  {
    broken: (o) => f(o, "family") === 4 && firstHost(o, (h) => ipVersion(h) === 6) !== undefined,
    message: (o) =>
      `option -4 cannot be used with the IPv6 address ${firstHost(o, (h) => ipVersion(h) === 6)}`,
  },
  {
    broken: (o) => f(o, "family") === 6 && firstHost(o, (h) => ipVersion(h) === 4) !== undefined,
    message: (o) =>
      `option -6 cannot be used with the IPv4 address ${firstHost(o, (h) => ipVersion(h) === 4)}`,
  },
  {
    broken: (o) => flag(o, "numeric") && firstHost(o, (h) => ipVersion(h) === 0) !== undefined,
    message: (o) =>
      `option -n forbids name lookup, but '${firstHost(o, (h) => ipVersion(h) === 0)}' is a name`,
  },
  {
    broken: (o) => jobPaths(o).some((p) => bytes(p) > MAX_SOCKET_PATH_BYTES),
    message: (o) =>
      `socket path too long: '${
        jobPaths(o).find((p) => bytes(p) > MAX_SOCKET_PATH_BYTES)
      }' (at most ${MAX_SOCKET_PATH_BYTES} bytes)`,
  },
  {
    broken: (o) => isUdpForward(o) && f(o, "transport") !== "udp",
    message:
      "a udp: --forward target needs a -u listener: socktool -ul PORT --forward udp:HOST:PORT",
  },
  {
    broken: (o) =>
      o.mode === "listen" && o.transport === "udp" && o.forward !== undefined && !isUdpForward(o),
    message: "option --forward on a -u listener needs a udp:HOST:PORT target",
  },
  {
    broken: (o) => isUdpForward(o) && udpForwardData(o).length > 0,
    message: (o) =>
      `options --forward udp: and ${
        udpForwardData(o).join(", ")
      } cannot be used together: a UDP forwarder relays datagrams as they are`,
  },
];

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
    broken: (o) => sourceFamilyClash(o) !== undefined,
    message: (o) => {
      const [source, target] = sourceFamilyClash(o)!;
      return `option -s gives an IPv${source} address, but ${hostOf(o)} is an IPv${target} address`;
    },
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
    broken: (o) => o.mode === "connect" && o.transport === "unix" && o.sourceAddr !== undefined,
    message: "option -s gives an address, but -U connects to a socket PATH",
  },
  {
    broken: (o) => socketPaths(o).some((p) => bytes(p) > MAX_SOCKET_PATH_BYTES),
    message: (o) =>
      `socket path too long: '${
        socketPaths(o).find((p) => bytes(p) > MAX_SOCKET_PATH_BYTES)
      }' (at most ${MAX_SOCKET_PATH_BYTES} bytes)`,
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
  { broken: (o) => proxyProblemOf(o) !== undefined, message: (o) => proxyProblemOf(o)! },
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
      (o.tls.serverName !== undefined || o.tls.insecure),
    message: "options --ssl-servername and --ssl-insecure are for connecting, not -l",
  },
  {
    broken: (o) =>
      isSession(o) && f<{ key?: string; cert?: string }>(o, "tls")?.key !== undefined &&
      f<{ cert?: string }>(o, "tls")?.cert === undefined,
    message: "option --ssl-key needs --ssl-cert",
  },
  {
    broken: (o) =>
      o.mode === "connect" && o.tls?.insecure === true && o.tls.trustFile !== undefined,
    message:
      "options --ssl-insecure and --ssl-trustfile cannot be used together: --ssl-insecure verifies nothing",
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
    broken: (o) =>
      o.mode === "listen" && o.maxConns !== undefined && !o.keepOpen && !o.broker && !o.chat &&
      o.proxyServer === undefined,
    message: "option -m needs -k or --broker or --chat: without -k one client is served",
  },
  {
    broken: (o) =>
      o.mode === "listen" && o.maxConns !== undefined &&
      (o.transport === "udp" || o.transport === "unixgram") && o.forward?.kind !== "udp",
    message:
      "options -m and -u cannot be used together: a datagram listener has no connections to count",
  },
  {
    broken: (o) => o.mode === "listen" && o.broker && o.forward !== undefined,
    message: "options --broker and --forward cannot be used together",
  },
  {
    broken: (o) =>
      o.mode === "listen" &&
      [
          o.serve !== undefined,
          o.forward !== undefined,
          o.broker || o.chat,
          o.exec !== undefined || o.shExec !== undefined,
          o.proxyServer !== undefined,
        ].filter(Boolean).length > 1,
    message: "choose one of --serve, --forward, --proxy-server, --broker/--chat and -e/-c",
  },
  {
    broken: (o) =>
      o.mode === "listen" && (o.broker || o.chat) &&
      (o.transport === "udp" || o.transport === "unixgram"),
    message: "options --broker and --chat need a stream socket (TCP or -U)",
  },
  {
    broken: (o) => o.mode === "listen" && o.forward !== undefined && o.transport === "unixgram",
    message: "option --forward cannot be used with -uU: forward from TCP, -U or -u listeners",
  },
  ...JOB_RULES,
  { broken: (o) => badAccessRule(o) !== undefined, message: (o) => badAccessRule(o)! },
  {
    broken: (o) =>
      o.mode === "listen" && o.local.kind === "unix" &&
      (o.allow.length > 0 || o.deny.length > 0 || o.allowFile !== undefined ||
        o.denyFile !== undefined),
    message: "options --allow and --deny match IP addresses: clients of a -U listener have none",
  },
  // TLS both ways (issue 14).
  {
    broken: (o) => o.mode === "listen" && o.tls?.trustFile !== undefined && !o.tls.verify,
    message:
      "option --ssl-trustfile with -l needs --ssl-verify: it names the CAs client certificates must come from",
  },
  {
    broken: (o) => o.mode === "listen" && o.tls?.verify === true && o.tls.trustFile === undefined,
    message:
      "option --ssl-verify with -l needs --ssl-trustfile: the CAs client certificates must come from (the system's are not trusted for clients)",
  },
  // Proxy servers (issue 14).
  {
    broken: (o) =>
      o.mode === "listen" && o.proxyServer !== undefined && o.transport !== "tcp" &&
      o.transport !== "unix",
    message: "a proxy server (--proxy-server) needs a stream listener (TCP or -U)",
  },
  {
    broken: (o) => proxyServerNoEffect(o) !== undefined,
    message: (o) =>
      `option ${
        proxyServerNoEffect(o)
      } has no effect on a proxy server: it relays both ways until each side ends`,
  },
  {
    broken: (o) =>
      o.mode === "listen" && o.proxyServer?.type === "socks5" &&
      o.proxyServer.auth !== undefined &&
      (bytes(o.proxyServer.auth.user) > 255 || bytes(o.proxyServer.auth.pass) > 255),
    message: "--proxy-auth user name and password must be at most 255 bytes each for socks5",
  },
];

/** The first option given to a proxy server that it would ignore, as typed. */
function proxyServerNoEffect(o: Options): string | undefined {
  if (o.mode !== "listen" || o.proxyServer === undefined) return undefined;
  if (o.quitAfterEofMs !== undefined) return "-q";
  if (o.noShutdown) return "--no-shutdown";
  if (o.sendOnly) return "--send-only";
  if (o.recvOnly) return "--recv-only";
  return undefined;
}

/** The options that shape a session's data: what a mode with no such session ignores. */
const SESSION_DATA: readonly OptionName[] = [
  "quit-after-eof",
  "no-shutdown",
  "send-only",
  "recv-only",
  "crlf",
  "interval",
  "output",
  "hex-dump",
  "timestamp",
  "progress",
  "rate-limit",
];

/**
 * What each mode or option would silently ignore, and why: each pair is
 * refused (checked after {@linkcode FLAG_RULES}' own lines).
 */
export const IGNORED: readonly [OptionName, readonly OptionName[], string][] = [
  ["zero-io", ["source", "port"], "-z probes from any local address"],
  ["zero-io", SESSION_DATA, "-z moves no data"],
  ["serve", SESSION_DATA, "--serve answers clients by itself"],
  [
    "forward",
    ["quit-after-eof", "no-shutdown", "send-only", "recv-only"],
    "--forward relays both ways until each side ends",
  ],
  ["broker", SESSION_DATA, "--broker relays bytes between clients as they are"],
  ["chat", SESSION_DATA, "--chat relays lines between clients as they are"],
  ["recv-only", ["quit-after-eof", "crlf", "interval"], "--recv-only never reads stdin"],
  ["send-only", ["timestamp"], "--send-only writes nothing it receives"],
  ["udp", ["no-shutdown"], "a datagram socket has no half-close"],
  [
    "wait-for",
    [
      "listen",
      "zero-io",
      "unixsock",
      "source",
      "port",
      "exec",
      "sh-exec",
      "ssl",
      "proxy",
      ...SESSION_DATA,
    ],
    "--wait-for only connects to each target and closes",
  ],
];

/**
 * The rules on the flags as typed: those that involve flags a mode's record
 * does not carry, read before the record is built, in this order.
 */
export const FLAG_RULES: readonly FlagRule[] = [
  { flags: ["ipv4", "ipv6"] },
  { flags: ["keep-open"], needs: ["listen"] },
  { flags: ["max-conns"], needs: ["listen"] },
  { flags: ["broker"], needs: ["listen"] },
  { flags: ["chat"], needs: ["listen"] },
  { flags: ["forward"], needs: ["listen"] },
  { flags: ["serve"], needs: ["listen"] },
  { flags: ["allow"], needs: ["listen"] },
  { flags: ["deny"], needs: ["listen"] },
  { flags: ["allowfile"], needs: ["listen"] },
  { flags: ["denyfile"], needs: ["listen"] },
  { flags: ["json"], needs: ["zero-io", "wait-for"] },
  { flags: ["ssl-cert"], needs: ["ssl"] },
  { flags: ["ssl-key"], needs: ["ssl"] },
  { flags: ["ssl-trustfile"], needs: ["ssl"] },
  { flags: ["ssl-servername"], needs: ["ssl"] },
  { flags: ["ssl-alpn"], needs: ["ssl"] },
  { flags: ["ssl-insecure"], needs: ["ssl"] },
  { flags: ["proxy-type"], needs: ["proxy", "listen"] },
  { flags: ["proxy-auth"], needs: ["proxy", "listen"] },
  { flags: ["zero-io", "listen"] },
  { flags: ["zero-io", "unixsock"] },
  { flags: ["listen", "proxy"] },
  { flags: ["zero-io", "ssl"] },
  { flags: ["zero-io", "exec"] },
  { flags: ["zero-io", "sh-exec"] },
  { flags: ["zero-io", "proxy"] },
  { flags: ["append-output"], needs: ["output", "hex-dump"] },
  { flags: ["shutdown", "no-shutdown"], why: "-N asks for the half-close --no-shutdown turns off" },
  { flags: ["listen", "unixsock", "port"], message: "option -U takes a socket PATH, not a port" },
  // Proxy servers and TLS both ways (issue 14).
  { flags: ["proxy-server"], needs: ["listen"] },
  {
    flags: ["listen", "proxy-auth"],
    needs: ["proxy-server", "proxy-type"],
    message:
      "option --proxy-auth with -l needs --proxy-server: it sets what the proxy's clients must give",
  },
  {
    flags: ["proxy-server", "proxy-type"],
    why: "with -l, --proxy-type is ncat's spelling of --proxy-server: give one",
  },
  { flags: ["ssl-verify"], needs: ["ssl"] },
  { flags: ["ssl-pin"], needs: ["ssl"] },
  { flags: ["ssl-verify", "ssl-insecure"], why: "--ssl-insecure verifies nothing" },
  {
    flags: ["ssl-pin", "ssl-insecure"],
    why: "--ssl-insecure accepts any certificate, a pin only the one named",
  },
  {
    flags: ["listen", "unixsock", "source"],
    message: "option -s gives an address, but -lU listens on a socket PATH",
  },
  // Issue 14: wait-for, --size, --rate-limit.
  {
    flags: ["wait-for", "udp"],
    message:
      "option --wait-for cannot wait for UDP: a UDP port does not answer to say it is served (probe one with -zu)",
  },
  {
    flags: ["forward", "size"],
    why: "--size counts stdin's bytes, and --forward does not read stdin",
  },
  { flags: ["size"], needs: ["progress"] },
  ...IGNORED.flatMap(([mode, ignored, why]) =>
    ignored.map((other): FlagRule => ({ flags: [mode, other], why }))
  ),
  // Habits (issue 12): ncat's --ssl-verify asks for what --ssl-insecure turns off.
  { flags: ["ssl-verify", "ssl-insecure"], why: "--ssl-insecure verifies nothing" },
];

/** The message of a flag rule. */
function flagRuleMessage(rule: FlagRule): string {
  if (rule.message !== undefined) return rule.message;
  const text = rule.needs !== undefined
    ? `option ${flagName(rule.flags[0])} needs ${rule.needs.map(flagName).join(" or ")}`
    : `options ${rule.flags.map(flagName).join(" and ")} cannot be used together`;
  return rule.why === undefined ? text : `${text}: ${rule.why}`;
}

/**
 * Checks the raw flags against {@linkcode FLAG_RULES}; throws the first
 * broken one as a usage error.
 *
 * @example
 * ```ts
 * checkFlagRules({ "keep-open": true }); // throws: option -k needs -l
 * ```
 */
export function checkFlagRules(values: Record<string, unknown>): void {
  const given = (k: string) => values[k] !== undefined && values[k] !== false;
  for (const rule of FLAG_RULES) {
    if (!rule.flags.every(given)) continue;
    if (rule.needs === undefined || !rule.needs.some(given)) {
      throw usageError(flagRuleMessage(rule));
    }
  }
}

/**
 * Checks a parsed record against {@linkcode RULES}; throws the first broken
 * one as a usage error.
 *
 * @example
 * ```ts
 * checkRules(options); // after parsing, before anything touches the system
 * ```
 */
export function checkRules(options: Options): void {
  for (const rule of RULES) {
    if (rule.broken(options)) {
      throw usageError(typeof rule.message === "string" ? rule.message : rule.message(options));
    }
  }
}

// --- WebSocket (lib/ws/) ---

/** The WebSocket endpoints a command line names, for {@linkcode checkWsFlagRules}. */
export interface WsEndpoints {
  /** The first argument is a URL (`scheme://...`), whatever its scheme. */
  urlArgument: boolean;
  /** The `ws://`/`wss://` URL to connect to. */
  connect?: { secure: boolean };
  /** The `--forward ws://`/`wss://` target. */
  forward?: { secure: boolean };
}

/** One WebSocket rule: broken when `broken` says so. */
interface WsFlagRule {
  broken: (given: (flag: OptionName) => boolean, ws: WsEndpoints) => boolean;
  message: string;
}

const WS_ENDPOINTS = "ws://HOST:PORT/PATH, wss://..., -l --ws PORT or --forward ws://...";
const hasWsEndpoint = (given: (flag: OptionName) => boolean, ws: WsEndpoints) =>
  ws.connect !== undefined || ws.forward !== undefined || given("ws");

/**
 * The WebSocket rules, in the order they are checked, before
 * {@linkcode FLAG_RULES} (a `wss://` URL stands for `--ssl` there).
 */
export const WS_FLAG_RULES: readonly WsFlagRule[] = [
  { broken: (g) => g("ws") && !g("listen"), message: "option --ws needs -l" },
  {
    broken: (g, ws) => g("zero-io") && ws.urlArgument,
    message: "option -z probes HOST PORT..., not a URL",
  },
  {
    broken: (g, ws) => g("listen") && ws.urlArgument,
    message: "option -l listens on a PORT, not a URL: serve WebSocket clients with -l --ws PORT",
  },
  ...(["binary", "header", "subprotocol"] as const).map((flag): WsFlagRule => ({
    broken: (g, ws) => g(flag) && !hasWsEndpoint(g, ws),
    message: `option --${flag} needs a WebSocket endpoint: ${WS_ENDPOINTS}`,
  })),
  {
    broken: (g, ws) => g("udp") && (ws.connect !== undefined || g("ws")),
    message: "option -u cannot be used with WebSocket: it runs over TCP",
  },
  {
    broken: (g, ws) => g("unixsock") && ws.connect !== undefined,
    message: "option -U takes a socket PATH, not a URL",
  },
  {
    broken: (g, ws) => g("ssl") && ws.connect?.secure === false,
    message: "option --ssl with a ws:// URL: write wss:// for WebSocket over TLS",
  },
  {
    broken: (g, ws) =>
      g("listen") && !g("ssl") && ws.forward?.secure === true &&
      (g("ssl-cert") || g("ssl-key") || g("ssl-alpn")),
    message:
      "options --ssl-cert, --ssl-key and --ssl-alpn are the listener's and need --ssl (a wss:// target is verified with --ssl-trustfile, --ssl-servername, --ssl-insecure)",
  },
  {
    broken: (g, ws) =>
      g("listen") && ws.forward?.secure === true && g("ssl-insecure") && g("ssl-trustfile"),
    message:
      "options --ssl-insecure and --ssl-trustfile cannot be used together: --ssl-insecure verifies nothing",
  },
];

/**
 * Checks the raw flags and the command line's WebSocket endpoints against
 * {@linkcode WS_FLAG_RULES}; throws the first broken one as a usage error.
 *
 * @example
 * ```ts
 * checkWsFlagRules({ binary: true }, { urlArgument: false }); // throws: --binary needs ...
 * ```
 */
export function checkWsFlagRules(values: Record<string, unknown>, ws: WsEndpoints): void {
  const given = (k: OptionName) => values[k] !== undefined && values[k] !== false;
  for (const rule of WS_FLAG_RULES) {
    if (rule.broken(given, ws)) throw usageError(rule.message);
  }
}
