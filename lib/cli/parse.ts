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
import { ipVersion, isMalformedIPv4, stripBrackets } from "../net/address.ts";
import { parsePort, parsePortList } from "./ports.ts";
import { parseDuration } from "./duration.ts";
import { OPTION_TABLE, type OptionName } from "./option_table.ts";
import { isServeName, SERVE_NAMES, type ServeName } from "../serve/responders.ts";
import { parsePin } from "../tls/pin.ts";
import type {
  ConnectOptions,
  ListenOptions,
  Options,
  ProbeOptions,
  ProxyOptions,
  ProxyServerSpec,
  SessionOptions,
  TlsOptions,
  Transport,
} from "./options.ts";

export { OPTION_TABLE };

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
  // Not strict: parseArgs' own errors are long, mention JavaScript and can
  // only be told apart by their text. Its tokens say the same as data.
  const parsed = parseArgs({
    args: [...args],
    options: OPTION_TABLE,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  checkTokens(parsed.tokens);
  const v = parsed.values as Values;
  const pos = parsed.positionals;
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

type Token = NonNullable<ReturnType<typeof parseArgs>["tokens"]>[number];

/**
 * What strict parsing would refuse, said netcat's way, for the first token
 * in argv order that is wrong: an unknown option, a value missing or given to
 * an option that takes none, or a value that looks like another option.
 */
function checkTokens(tokens: readonly Token[]): void {
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    if (!Object.hasOwn(OPTION_TABLE, t.name)) throw usageError(`unknown option ${t.rawName}`);
    const spec: { type: string; short?: string } = OPTION_TABLE[t.name as OptionName];
    if (spec.type === "boolean") {
      if (t.value !== undefined) throw usageError(`option --${t.name} takes no value`);
      continue;
    }
    if (t.value === undefined) {
      throw usageError(`option ${spec.short ? `-${spec.short}/` : ""}--${t.name} needs a value`);
    }
    // A value that looks like an option is taken for a forgotten value, as strict parsing does.
    if (!t.inlineValue && t.value.length > 1 && t.value.startsWith("-")) {
      const way = t.rawName.startsWith("--") ? `${t.rawName}=VALUE` : `${t.rawName}VALUE`;
      throw usageError(
        `option ${t.rawName} needs a value, not another option (write ${way} for a value that starts with '-')`,
      );
    }
  }
}

function transportOf(v: Values): Transport {
  if (v.unixsock) return v.udp ? "unixgram" : "unix";
  return v.udp ? "udp" : "tcp";
}

/** A duration option's value in milliseconds (`cli/duration.ts`), or `undefined` when not given. */
function durationOf(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseDuration(flag, text);
}

function sessionOptions(v: Values): SessionOptions {
  const verbose = v.verbose?.length ?? 0;
  return {
    transport: transportOf(v),
    verbose,
    family: v.ipv4 ? 4 : v.ipv6 ? 6 : undefined,
    numeric: v.nodns ?? false,
    waitMs: durationOf("-w", v.wait),
    quitAfterEofMs: durationOf("-q", v["quit-after-eof"]),
    noShutdown: v["no-shutdown"] ?? false,
    sendOnly: v["send-only"] ?? false,
    recvOnly: v["recv-only"] ?? false,
    crlf: v.crlf ?? false,
    intervalMs: durationOf("-i", v.interval),
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
  // Without --ssl, its options are refused by rules.ts.
  if (!v.ssl) return undefined;
  const alpn = v["ssl-alpn"]?.split(",").map((s) => s.trim()).filter((s) => s !== "") ?? [];
  return {
    cert: v["ssl-cert"],
    key: v["ssl-key"],
    trustFile: v["ssl-trustfile"],
    serverName: v["ssl-servername"],
    alpn,
    insecure: v["ssl-insecure"] ?? false,
    verify: v["ssl-verify"] ?? false,
    pins: (v["ssl-pin"] ?? []).map(pinArg),
  };
}

/** A `--ssl-pin` value, as 64 lower-case hex digits. */
function pinArg(text: string): string {
  const pin = parsePin(text);
  if (pin === undefined) {
    throw usageError(
      `bad value '${text}' for --ssl-pin: expected sha256:HEX (64 hex digits, colons allowed)`,
    );
  }
  return pin;
}

/**
 * `HOST:PORT` or `[V6]:PORT`; with `defaultPort`, the port may be left out
 * (`HOST`, `[V6]`, a bare IPv6 address). Messages quote what the user typed.
 */
function parseHostPort(
  flag: string,
  text: string,
  defaultPort?: number,
): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\w+)$/.exec(text) ?? /^([^:\[\]]+):(\w+)$/.exec(text);
  if (m) return { host: m[1], port: parsePort(m[2]) };
  if (defaultPort !== undefined) {
    const host = /^\[([^\]]+)\]$/.exec(text)?.[1] ??
      (/^[^:\[\]]+$/.test(text) || ipVersion(text) === 6 ? text : undefined);
    if (host !== undefined) return { host, port: defaultPort };
  }
  const expected = defaultPort === undefined ? "HOST:PORT" : "HOST[:PORT]";
  throw usageError(`bad value '${text}' for ${flag}: expected ${expected}`);
}

function proxyOptions(v: Values): ProxyOptions | undefined {
  // --proxy-type and --proxy-auth without --proxy are refused by rules.ts.
  if (v.proxy === undefined) return undefined;
  const type = (v["proxy-type"] ?? "socks5").toLowerCase();
  if (type !== "socks5" && type !== "socks4" && type !== "http") {
    throw usageError(`bad proxy type '${v["proxy-type"]}': must be socks5, socks4 or http`);
  }
  const { host, port } = parseHostPort("--proxy", v.proxy, type === "http" ? 3128 : 1080);
  return { host, port, type, auth: proxyAuthArg(v["proxy-auth"]) };
}

/** `--proxy-auth USER:PASS`, split at the first colon. */
function proxyAuthArg(text: string | undefined): { user: string; pass: string } | undefined {
  if (text === undefined) return undefined;
  const i = text.indexOf(":");
  if (i < 0) throw usageError("bad value for --proxy-auth: expected USER:PASS");
  return { user: text.slice(0, i), pass: text.slice(i + 1) };
}

/**
 * `--proxy-server TYPE`, or ncat's spelling `-l --proxy-type TYPE` (both
 * together are refused by rules.ts), with `--proxy-auth` as what clients
 * must give.
 */
function proxyServerArg(v: Values): ProxyServerSpec | undefined {
  const flag = v["proxy-server"] !== undefined ? "--proxy-server" : "--proxy-type";
  const text = v["proxy-server"] ?? v["proxy-type"];
  if (text === undefined) return undefined;
  const type = text.toLowerCase();
  if (type !== "socks5" && type !== "http") {
    throw usageError(
      `bad value '${text}' for ${flag} with -l: a proxy server speaks socks5 or http`,
    );
  }
  return { type, auth: proxyAuthArg(v["proxy-auth"]) };
}

/** A host or address argument; `what` names it for messages (`HOST`, `value for -s`). */
function hostArg(host: string, what: string): string {
  if (host === "" || host === "[]") throw usageError(`empty ${what}: give an address or a name`);
  if (isMalformedIPv4(host)) throw usageError(`bad address '${host}': not an IPv4 address`);
  return stripBrackets(host);
}

/** A Unix socket path argument; `what` names it for messages (`PATH`, `value for -s`). */
function pathArg(path: string, what: string): string {
  if (path === "") throw usageError(`empty ${what}: give a socket path`);
  return path;
}

/** The `--serve` name. */
function serveArg(name: string): ServeName {
  if (!isServeName(name)) {
    throw usageError(`unknown --serve name '${name}': choose one of ${SERVE_NAMES.join(", ")}`);
  }
  return name;
}

function connectOptions(v: Values, pos: string[], s: SessionOptions): ConnectOptions {
  const base = {
    ...s,
    mode: "connect" as const,
    sourceAddr: v.source === undefined
      ? undefined
      : s.transport === "unixgram"
      ? pathArg(v.source, "value for -s")
      : hostArg(v.source, "value for -s"),
    sourcePort: v.port === undefined ? undefined : parsePort(v.port),
    proxy: proxyOptions(v),
  };
  if (s.transport === "unix" || s.transport === "unixgram") {
    if (pos.length === 0) throw usageError("missing socket path: socktool -U PATH");
    if (pos.length > 1) throw usageError("option -U takes a socket PATH, not a HOST and PORT");
    return { ...base, target: { kind: "unix", path: pathArg(pos[0], "PATH") } };
  }
  if (pos.length === 0) throw usageError("missing host and port: socktool HOST PORT");
  if (pos.length === 1) throw usageError(`missing port after host '${pos[0]}'`);
  if (pos.length > 2) throw usageError(`unexpected argument '${pos[2]}'`);
  return {
    ...base,
    target: { kind: "inet", host: hostArg(pos[0], "HOST"), port: parsePort(pos[1]) },
  };
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
    serve: v.serve === undefined ? undefined : serveArg(v.serve),
    proxyServer: proxyServerArg(v),
  };
  if (s.transport === "unix" || s.transport === "unixgram") {
    if (pos.length === 0) throw usageError("missing socket path: socktool -lU PATH");
    if (pos.length > 1) throw usageError("option -U takes a socket PATH, not a HOST and PORT");
    return { ...base, local: { kind: "unix", path: pathArg(pos[0], "PATH") } };
  }
  let host = v.source === undefined ? undefined : hostArg(v.source, "value for -s");
  let portText = v.port;
  const rest = [...pos];
  if (portText === undefined) portText = rest.pop();
  if (rest.length > 1) throw usageError(`unexpected argument '${rest[1]}'`);
  if (rest.length === 1) {
    if (host !== undefined) throw usageError("give the listen address once: -s ADDR or HOST");
    host = hostArg(rest[0], "HOST");
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
  if (pos.length === 0) throw usageError("missing host and ports: socktool -z HOST PORT...");
  if (pos.length === 1) throw usageError(`missing port after host '${pos[0]}'`);
  return {
    mode: "probe",
    transport: v.udp ? "udp" : "tcp",
    host: hostArg(pos[0], "HOST"),
    ports: parsePortList(pos.slice(1)),
    verbose: v.verbose?.length ?? 0,
    family: v.ipv4 ? 4 : v.ipv6 ? 6 : undefined,
    numeric: v.nodns ?? false,
    waitMs: durationOf("-w", v.wait),
    json: v.json ?? false,
  };
}
