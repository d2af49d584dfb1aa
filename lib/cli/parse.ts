/**
 * Turns argv into the typed {@linkcode Options} record. Pure: no I/O, no
 * exit; every problem is a usage error (exit 2). Option-combination rules
 * live in `rules.ts`; this file only reads values.
 *
 * @module
 */

import { type ArgvToken, type ArgvValues, splitArgv } from "./argv.ts";
import { ExitCode, SocktoolError, usageError } from "../errors.ts";
import { checkFlagRules, checkRules, checkWsFlagRules } from "./rules.ts";
import { ipVersion, isMalformedIPv4, stripBrackets } from "../net/address.ts";
import { parsePort, parsePortList } from "./ports.ts";
import { parseDuration } from "./duration.ts";
import { OPTION_TABLE, type OptionName } from "./option_table.ts";
import { closestOptions, splitGluedPorts, splitHostPort } from "./habits.ts";
import { parseByteSize } from "./byte_size.ts";
import { parseForwardTarget, parseWaitTarget } from "./targets.ts";
import { isServeName, SERVE_NAMES, type ServeName } from "../serve/responders.ts";
import { parsePin } from "../tls/pin.ts";
import { looksLikeUrl, parseWsUrl, type WsUrl, WsUrlError } from "../ws/url.ts";
import { HANDSHAKE_HEADERS } from "../ws/handshake.ts";
import {
  COMPLETION_SHELLS,
  type CompletionShell,
  type ConnectOptions,
  type ListenOptions,
  type Options,
  type ProbeOptions,
  type ProxyOptions,
  type ProxyServerSpec,
  type SessionOptions,
  type TlsOptions,
  type Transport,
  type WaitForOptions,
  type WsSettings,
} from "./options.ts";

export { OPTION_TABLE };

type Values = ArgvValues<typeof OPTION_TABLE>;

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
  // Split as node:util's parseArgs does when not strict (argv.ts: without
  // the cost of loading node:util); checkTokens says what strict parsing
  // would refuse, in netcat's words.
  const parsed = splitArgv(splitGluedPorts(args), OPTION_TABLE);
  checkTokens(parsed.tokens);
  const v = parsed.values as Values;
  const pos = parsed.positionals;
  if (v.help) return { mode: "help" };
  if (v.version) return { mode: "version" };
  if (v.completions !== undefined) return { mode: "completions", shell: shellArg(v.completions) };
  // ncat's --ssl-verify is --ssl that verifies, which socktool does by default.
  if (v["ssl-verify"]) v.ssl = true;
  const ws = wsEndpointsOf(v, pos);
  checkWsFlagRules(v, { urlArgument: pos.length > 0 && looksLikeUrl(pos[0]), ...ws });
  // A wss:// URL asks for TLS as --ssl does, so the --ssl-* options are welcome with it.
  checkFlagRules(ws.connect?.secure || ws.forward?.secure ? { ...v, ssl: true } : v);
  const options = v["wait-for"] !== undefined
    ? waitForOptions(v, pos)
    : v["zero-io"]
    ? probeOptions(v, pos)
    : v.listen
    ? wsListenOptions(v, pos, ws.forward)
    : ws.connect
    ? wsConnectOptions(v, pos, ws.connect)
    : connectOptions(v, pos, sessionOptions(v));
  checkRules(options);
  return options;
}

type Token = ArgvToken;

/**
 * What strict parsing would refuse, said netcat's way, for the first token
 * in argv order that is wrong: an unknown option, a value missing or given to
 * an option that takes none, or a value that looks like another option.
 */
function checkTokens(tokens: readonly Token[]): void {
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    if (!Object.hasOwn(OPTION_TABLE, t.name)) throw unknownOption(t.rawName);
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

/** `unknown option --sslx`, with the closest long options as a hint when some are close. */
function unknownOption(rawName: string): SocktoolError {
  const close = rawName.startsWith("--") ? closestOptions(rawName.slice(2)) : [];
  if (close.length === 0) return usageError(`unknown option ${rawName}`);
  return new SocktoolError(`unknown option ${rawName}`, ExitCode.Usage, {
    hint: `did you mean ${close.map((n) => `--${n}`).join(" or ")}?`,
  });
}

/** The shell of `--completions SHELL`. */
function shellArg(text: string): CompletionShell {
  if (!(COMPLETION_SHELLS as readonly string[]).includes(text)) {
    throw usageError(`bad value '${text}' for --completions: choose bash, zsh or fish`);
  }
  return text as CompletionShell;
}

/**
 * `HOST:PORT` typed as one argument where HOST and PORT were expected: both
 * halves, or `undefined` for anything else. Giving a port both ways is refused.
 */
function joinedHostPort(pos: string[]): { host: string; port: string } | undefined {
  const joined = pos.length > 0 ? splitHostPort(pos[0]) : undefined;
  if (joined && pos.length > 1) {
    throw usageError(`give the port once: '${pos[0]}' already names port ${joined.port}`);
  }
  return joined;
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
    size: v.size === undefined ? undefined : parseByteSize("--size", v.size),
    rateLimit: v["rate-limit"] === undefined
      ? undefined
      : parseByteSize("-L", v["rate-limit"], "bytes per second"),
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
  const joined = joinedHostPort(pos);
  if (joined) {
    return {
      ...base,
      target: { kind: "inet", host: hostArg(joined.host, "HOST"), port: parsePort(joined.port) },
    };
  }
  if (pos.length === 1 && /^\d+$/.test(pos[0])) throw barePort(pos[0], s.transport);
  if (pos.length === 1) throw usageError(`missing port after host '${pos[0]}'`);
  if (pos.length > 2) throw usageError(`unexpected argument '${pos[2]}'`);
  return {
    ...base,
    target: { kind: "inet", host: hostArg(pos[0], "HOST"), port: parsePort(pos[1]) },
  };
}

/** `socktool 9999`: a port alone, which netcat users mean as a listener. */
function barePort(port: string, transport: Transport): SocktoolError {
  const [l, u] = transport === "udp" ? ["-ul", "-u "] : ["-l", ""];
  return new SocktoolError(`to listen on ${port}, type socktool ${l} ${port}`, ExitCode.Usage, {
    hint: `to connect, give the host too: socktool ${u}HOST ${port}`,
  });
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
    forward: v.forward === undefined ? undefined : parseForwardTarget(v.forward),
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
  const joined = portText === undefined ? joinedHostPort(pos) : undefined;
  const rest = joined ? [joined.host, joined.port] : [...pos];
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
  const joined = joinedHostPort(pos);
  if (!joined && pos.length === 1) throw usageError(`missing port after host '${pos[0]}'`);
  return {
    mode: "probe",
    transport: v.udp ? "udp" : "tcp",
    host: hostArg(joined?.host ?? pos[0], "HOST"),
    ports: parsePortList(joined ? [joined.port] : pos.slice(1)),
    verbose: v.verbose?.length ?? 0,
    family: v.ipv4 ? 4 : v.ipv6 ? 6 : undefined,
    numeric: v.nodns ?? false,
    waitMs: durationOf("-w", v.wait),
    json: v.json ?? false,
  };
}

/** `--wait-for SECS TARGET...`: every positional is a target. */
function waitForOptions(v: Values, pos: string[]): WaitForOptions {
  const deadlineMs = parseDuration("--wait-for", v["wait-for"]!);
  if (pos.length === 0) {
    throw usageError("missing target: socktool --wait-for SECS HOST:PORT [unix:PATH ...]");
  }
  return {
    mode: "wait-for",
    targets: pos.map(parseWaitTarget),
    deadlineMs,
    attemptTimeoutMs: durationOf("-w", v.wait),
    verbose: v.verbose?.length ?? 0,
    family: v.ipv4 ? 4 : v.ipv6 ? 6 : undefined,
    numeric: v.nodns ?? false,
    json: v.json ?? false,
  };
}

// --- WebSocket (lib/ws/) ---

/** The `ws://`/`wss://` URLs of a command line: one to connect to, a `--forward` target. */
function wsEndpointsOf(v: Values, pos: string[]): { connect?: WsUrl; forward?: WsUrl } {
  const connect = !v.listen && !v["zero-io"] && pos.length > 0 && looksLikeUrl(pos[0])
    ? wsUrlArg(pos[0], `bad URL '${pos[0]}'`)
    : undefined;
  const forward = v.forward !== undefined && looksLikeUrl(v.forward)
    ? wsUrlArg(v.forward, `bad value '${v.forward}' for --forward`)
    : undefined;
  return { connect, forward };
}

function wsUrlArg(text: string, what: string): WsUrl {
  try {
    return parseWsUrl(text);
  } catch (err) {
    if (err instanceof WsUrlError) throw usageError(`${what}: ${err.message}`);
    throw err;
  }
}

/** `--binary`, `--header`, `--subprotocol`. */
function wsSettings(v: Values): WsSettings {
  return {
    binary: v.binary ?? false,
    headers: (v.header ?? []).map(headerArg),
    subprotocols: v.subprotocol === undefined ? [] : subprotocolArg(v.subprotocol),
  };
}

/** An HTTP token (RFC 9110): what a header name and a subprotocol are made of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `--header 'Name: value'`: a token, a colon, a value with no control characters. */
function headerArg(text: string): [string, string] {
  const colon = text.indexOf(":");
  if (colon < 0) throw usageError(`bad value '${text}' for --header: expected 'Name: value'`);
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  if (!TOKEN.test(name)) {
    throw usageError(
      `bad header name '${name}' in --header: letters, digits and -_.!#$%&'*+^\`|~ only`,
    );
  }
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
    throw usageError(
      `bad value for --header ${name}: control characters (CR, LF...) are not allowed`,
    );
  }
  if (HANDSHAKE_HEADERS.includes(name.toLowerCase())) {
    throw usageError(
      `option --header cannot set ${name}: socktool sets it for the handshake${
        name.toLowerCase() === "sec-websocket-protocol" ? " (use --subprotocol)" : ""
      }`,
    );
  }
  return [name, value];
}

/** `--subprotocol NAME[,NAME...]`: tokens, in order of preference. */
function subprotocolArg(text: string): string[] {
  const names = text.split(",").map((s) => s.trim());
  const bad = names.find((n) => !TOKEN.test(n));
  if (bad !== undefined) {
    throw usageError(`bad value '${text}' for --subprotocol: '${bad}' is not a protocol name`);
  }
  return names;
}

/** `socktool [options] ws://HOST:PORT/PATH`: connect mode, its target the URL's host and port. */
function wsConnectOptions(v: Values, pos: string[], url: WsUrl): ConnectOptions {
  if (pos.length > 1) throw usageError(`unexpected argument '${pos[1]}' after the URL`);
  const options = connectOptions(
    v,
    [url.host, String(url.port)],
    sessionOptions(url.secure ? { ...v, ssl: true } : v),
  );
  return { ...options, ws: { url, ...wsSettings(v) } };
}

/**
 * A listener's options with `--ws` and a `--forward ws://` target. With a
 * `wss://` target, `--ssl-trustfile`, `--ssl-servername` and
 * `--ssl-insecure` verify the target; the listener keeps its own `--ssl`.
 */
function wsListenOptions(v: Values, pos: string[], forward: WsUrl | undefined): ListenOptions {
  const o = listenOptions(forward ? { ...v, forward: undefined } : v, pos, sessionOptions(v));
  const out: ListenOptions = v.ws ? { ...o, ws: wsSettings(v) } : { ...o };
  if (forward === undefined) return out;
  let tls: TlsOptions | undefined;
  if (forward.secure) {
    if (v["ssl-servername"] === "") {
      throw usageError("option --ssl-servername needs a name: '' is empty");
    }
    tls = {
      alpn: [],
      insecure: v["ssl-insecure"] ?? false,
      trustFile: v["ssl-trustfile"],
      serverName: v["ssl-servername"],
    };
    if (out.tls) {
      out.tls = { ...out.tls, trustFile: undefined, serverName: undefined, insecure: false };
    }
  }
  out.forward = { kind: "tcp", host: forward.host, port: forward.port };
  out.forwardWs = { url: forward, ...wsSettings(v), tls };
  return out;
}
