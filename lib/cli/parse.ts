/**
 * Turns argv into the typed {@linkcode Options} record. Pure: no I/O, no
 * exit; every problem is a usage error (exit 2). Option-combination rules
 * live in `rules.ts`; this file only reads values.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { usageError } from "../errors.ts";
import { checkFlagRules, checkRules } from "./rules.ts";
import { isMalformedIPv4, parsePort, parsePortList, stripBrackets } from "../net/address.ts";
import type {
  ConnectOptions,
  ListenOptions,
  Options,
  ProbeOptions,
  ProxyOptions,
  SessionOptions,
  TlsOptions,
  Transport,
} from "./options.ts";

/** The option table: every short option has a long name (SPEC §1). */
export const OPTION_TABLE = {
  listen: { type: "boolean", short: "l" },
  port: { type: "string", short: "p" },
  source: { type: "string", short: "s" },
  ipv4: { type: "boolean", short: "4" },
  ipv6: { type: "boolean", short: "6" },
  udp: { type: "boolean", short: "u" },
  unixsock: { type: "boolean", short: "U" },
  "keep-open": { type: "boolean", short: "k" },
  "max-conns": { type: "string", short: "m" },
  nodns: { type: "boolean", short: "n" },
  verbose: { type: "boolean", short: "v", multiple: true },
  wait: { type: "string", short: "w" },
  "quit-after-eof": { type: "string", short: "q" },
  shutdown: { type: "boolean", short: "N" },
  "no-shutdown": { type: "boolean" },
  "zero-io": { type: "boolean", short: "z" },
  json: { type: "boolean" },
  crlf: { type: "boolean", short: "C" },
  interval: { type: "string", short: "i" },
  exec: { type: "string", short: "e" },
  "sh-exec": { type: "string", short: "c" },
  "send-only": { type: "boolean" },
  "recv-only": { type: "boolean" },
  output: { type: "string", short: "o" },
  "hex-dump": { type: "string", short: "x" },
  "append-output": { type: "boolean" },
  timestamp: { type: "boolean" },
  progress: { type: "boolean" },
  allow: { type: "string", multiple: true },
  deny: { type: "string", multiple: true },
  allowfile: { type: "string" },
  denyfile: { type: "string" },
  broker: { type: "boolean" },
  chat: { type: "boolean" },
  forward: { type: "string" },
  serve: { type: "string" },
  ssl: { type: "boolean" },
  "ssl-cert": { type: "string" },
  "ssl-key": { type: "string" },
  "ssl-trustfile": { type: "string" },
  "ssl-servername": { type: "string" },
  "ssl-alpn": { type: "string" },
  "ssl-insecure": { type: "boolean" },
  proxy: { type: "string" },
  "proxy-type": { type: "string" },
  "proxy-auth": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTION_TABLE }>>["values"];

/**
 * Parses socktool's command line.
 *
 * @example
 * ```ts
 * const opts = parseCommandLine(["-lvnp", "4444"]);
 * // { mode: "listen", local: { kind: "inet", port: 4444 }, verbose: 1, numeric: true, ... }
 * ```
 */
export function parseCommandLine(args: readonly string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: OPTION_TABLE,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw usageError(describeParseError(err));
  }
  const { values: v, positionals: pos } = parsed;
  if (v.help) return { mode: "help" };
  if (v.version) return { mode: "version" };
  checkFlagRules(v);
  const options = v["zero-io"]
    ? probeOptions(v, pos)
    : v.listen
    ? listenOptions(v, pos, sessionOptions(v))
    : connectOptions(v, pos, sessionOptions(v));
  checkRules(options);
  return options;
}

/** parseArgs' messages are long and mention JavaScript; say it netcat's way. */
function describeParseError(err: unknown): string {
  const msg = String((err as Error)?.message ?? err);
  const unknown = /Unknown option '([^']+)'/.exec(msg);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '(-\w, )?(--[\w-]+)[^']*' argument missing/.exec(msg);
  if (missing) {
    return `option ${missing[1] ? missing[1].slice(0, 2) + "/" : ""}${missing[2]} needs a value`;
  }
  const ambiguous = /Option '(-\w)' argument is ambiguous/.exec(msg);
  if (ambiguous) {
    return `option ${ambiguous[1]} needs a value, not another option (write ${
      ambiguous[1]
    }VALUE for a value that starts with '-')`;
  }
  const notValue = /Option '(-\w, )?(--[\w-]+)[^']*' does not take an argument/.exec(msg);
  if (notValue) return `option ${notValue[2]} takes no value`;
  return msg.split(/\.\s/)[0].replace(/\.$/, "");
}

function transportOf(v: Values): Transport {
  if (v.unixsock) return v.udp ? "unixgram" : "unix";
  return v.udp ? "udp" : "tcp";
}

/**
 * Parses a duration in seconds (`1`, `0.5`) into milliseconds.
 *
 * @example
 * ```ts
 * parseSeconds("-w", "1.5"); // 1500
 * ```
 */
export function parseSeconds(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(text)) {
    throw usageError(`bad value '${text}' for ${flag}: must be a number of seconds, 0 or more`);
  }
  return Math.round(Number(text) * 1000);
}

function sessionOptions(v: Values): SessionOptions {
  const verbose = v.verbose?.length ?? 0;
  return {
    transport: transportOf(v),
    verbose,
    family: v.ipv4 ? 4 : v.ipv6 ? 6 : undefined,
    numeric: v.nodns ?? false,
    waitMs: parseSeconds("-w", v.wait),
    quitAfterEofMs: parseSeconds("-q", v["quit-after-eof"]),
    noShutdown: v["no-shutdown"] ?? false,
    sendOnly: v["send-only"] ?? false,
    recvOnly: v["recv-only"] ?? false,
    crlf: v.crlf ?? false,
    intervalMs: parseSeconds("-i", v.interval),
    output: v.output,
    hexDump: v["hex-dump"],
    appendOutput: v["append-output"] ?? false,
    timestamp: v.timestamp ?? false,
    progress: v.progress ?? false,
    exec: v.exec === undefined ? undefined : splitExec(v.exec),
    shExec: v["sh-exec"],
    tls: tlsOptions(v),
  };
}

/** `-e "prog arg1 arg2"` runs prog with those arguments; no shell, no quoting. */
function splitExec(text: string): string[] {
  const argv = text.trim().split(/\s+/).filter((s) => s !== "");
  if (argv.length === 0) throw usageError("option -e/--exec needs a program");
  return argv;
}

function tlsOptions(v: Values): TlsOptions | undefined {
  const tlsFlags = [
    "ssl-cert",
    "ssl-key",
    "ssl-trustfile",
    "ssl-servername",
    "ssl-alpn",
    "ssl-insecure",
  ]
    .filter((f) => v[f as keyof Values] !== undefined);
  if (!v.ssl) {
    if (tlsFlags.length) throw usageError(`option --${tlsFlags[0]} needs --ssl`);
    return undefined;
  }
  const alpn = v["ssl-alpn"]?.split(",").map((s) => s.trim()).filter((s) => s !== "") ?? [];
  return {
    cert: v["ssl-cert"],
    key: v["ssl-key"],
    trustFile: v["ssl-trustfile"],
    serverName: v["ssl-servername"],
    alpn,
    insecure: v["ssl-insecure"] ?? false,
  };
}

/** `HOST:PORT` or `[V6]:PORT`. */
function parseHostPort(flag: string, text: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\w+)$/.exec(text) ?? /^([^:]+):(\w+)$/.exec(text);
  if (!m) throw usageError(`bad value '${text}' for ${flag}: expected HOST:PORT`);
  return { host: m[1], port: parsePort(m[2]) };
}

function proxyOptions(v: Values): ProxyOptions | undefined {
  if (v.proxy === undefined) {
    if (v["proxy-type"] !== undefined) throw usageError("option --proxy-type needs --proxy");
    if (v["proxy-auth"] !== undefined) throw usageError("option --proxy-auth needs --proxy");
    return undefined;
  }
  const type = (v["proxy-type"] ?? "socks5").toLowerCase();
  if (type !== "socks5" && type !== "socks4" && type !== "http") {
    throw usageError(`bad proxy type '${v["proxy-type"]}': must be socks5, socks4 or http`);
  }
  const defaultPort = type === "http" ? "3128" : "1080";
  const spec = /:\w+$/.test(v.proxy) && !/^[^[]*:.*:/.test(v.proxy)
    ? v.proxy
    : /^\[.*\]:\w+$/.test(v.proxy)
    ? v.proxy
    : `${v.proxy}:${defaultPort}`;
  const { host, port } = parseHostPort("--proxy", spec);
  let auth;
  if (v["proxy-auth"] !== undefined) {
    const i = v["proxy-auth"].indexOf(":");
    if (i < 0) throw usageError("bad value for --proxy-auth: expected USER:PASS");
    auth = { user: v["proxy-auth"].slice(0, i), pass: v["proxy-auth"].slice(i + 1) };
  }
  return { host, port, type, auth };
}

function hostArg(host: string): string {
  if (isMalformedIPv4(host)) throw usageError(`bad address '${host}': not an IPv4 address`);
  return stripBrackets(host);
}

function connectOptions(v: Values, pos: string[], s: SessionOptions): ConnectOptions {
  const base = {
    ...s,
    mode: "connect" as const,
    sourceAddr: v.source === undefined ? undefined : hostArg(v.source),
    sourcePort: v.port === undefined ? undefined : parsePort(v.port),
    proxy: proxyOptions(v),
  };
  if (s.transport === "unix" || s.transport === "unixgram") {
    if (pos.length === 0) throw usageError("missing socket path: socktool -U PATH");
    if (pos.length > 1) throw usageError("option -U takes a socket PATH, not a HOST and PORT");
    return { ...base, target: { kind: "unix", path: pos[0] } };
  }
  if (pos.length === 0) throw usageError("missing host and port: socktool HOST PORT");
  if (pos.length === 1) throw usageError(`missing port after host '${pos[0]}'`);
  if (pos.length > 2) throw usageError(`unexpected argument '${pos[2]}'`);
  return { ...base, target: { kind: "inet", host: hostArg(pos[0]), port: parsePort(pos[1]) } };
}

function listenOptions(v: Values, pos: string[], s: SessionOptions): ListenOptions {
  const base = {
    ...s,
    mode: "listen" as const,
    keepOpen: v["keep-open"] ?? false,
    maxConns: v["max-conns"] === undefined ? undefined : parseCount("-m", v["max-conns"]),
    allow: v.allow ?? [],
    deny: v.deny ?? [],
    allowFile: v.allowfile,
    denyFile: v.denyfile,
    broker: v.broker ?? false,
    chat: v.chat ?? false,
    forward: v.forward === undefined ? undefined : parseHostPort("--forward", v.forward),
    serve: v.serve,
  };
  if (s.transport === "unix" || s.transport === "unixgram") {
    if (v.port !== undefined) throw usageError("option -U takes a socket PATH, not a port");
    if (pos.length === 0) throw usageError("missing socket path: socktool -lU PATH");
    if (pos.length > 1) throw usageError("option -U takes a socket PATH, not a HOST and PORT");
    return { ...base, local: { kind: "unix", path: pos[0] } };
  }
  let host = v.source === undefined ? undefined : hostArg(v.source);
  let portText = v.port;
  const rest = [...pos];
  if (portText === undefined) portText = rest.pop();
  if (rest.length > 1) throw usageError(`unexpected argument '${rest[1]}'`);
  if (rest.length === 1) {
    if (host !== undefined) throw usageError("give the listen address once: -s ADDR or HOST");
    host = hostArg(rest[0]);
  }
  if (portText === undefined) throw usageError("missing port: socktool -l PORT");
  // Port 0 asks the system for a free port; `-v` prints which (SPEC is silent; README says so).
  return { ...base, local: { kind: "inet", host, port: parsePort(portText, { allowZero: true }) } };
}

function parseCount(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw usageError(`bad value '${text}' for ${flag}: must be a whole number, 1 or more`);
  }
  return Number(text);
}

function probeOptions(v: Values, pos: string[]): ProbeOptions {
  if (v.listen) throw usageError("options -z and -l cannot be used together");
  if (v.unixsock) throw usageError("options -z and -U cannot be used together");
  if (pos.length === 0) throw usageError("missing host and ports: socktool -z HOST PORT...");
  if (pos.length === 1) throw usageError(`missing port after host '${pos[0]}'`);
  return {
    mode: "probe",
    transport: v.udp ? "udp" : "tcp",
    host: hostArg(pos[0]),
    ports: parsePortList(pos.slice(1)),
    verbose: v.verbose?.length ?? 0,
    family: v.ipv4 ? 4 : v.ipv6 ? 6 : undefined,
    numeric: v.nodns ?? false,
    waitMs: parseSeconds("-w", v.wait),
    json: v.json ?? false,
  };
}
