/**
 * The typed record the command line becomes: one shape per mode, sharing
 * the session options. `lib/modes/command.ts` dispatches on `mode`.
 *
 * @module
 */

import type { SessionOptions } from "../session/options.ts";
import type { ServeName } from "../serve/responders.ts";
import type { TlsOptions } from "../session/options.ts";
import type { WsUrl } from "../ws/url.ts";

export type { SessionOptions, TlsOptions, Transport } from "../session/options.ts";

/** A TCP/UDP host and port, or a Unix socket path. */
export type Endpoint =
  | { kind: "inet"; host: string; port: number }
  | { kind: "unix"; path: string };

/** A proxy for connects (SPEC §5). */
export interface ProxyOptions {
  /** Proxy host. */
  host: string;
  /** Proxy port. */
  port: number;
  /** The proxy protocol. */
  type: "socks5" | "socks4" | "http";
  /** `--proxy-auth USER:PASS`. */
  auth?: { user: string; pass: string };
}

/** `socktool HOST PORT`: connect. */
export interface ConnectOptions extends SessionOptions {
  /** Connect mode. */
  mode: "connect";
  /** Where to connect. */
  target: Endpoint;
  /** `-s`: source address of the connection. */
  sourceAddr?: string;
  /** `-p`: source port of the connection. */
  sourcePort?: number;
  /** `--proxy` and its settings. */
  proxy?: ProxyOptions;
  /** A `ws://` or `wss://` URL instead of HOST PORT (`target` is its host and port). */
  ws?: WsTarget;
}

/** `socktool -l [HOST] PORT`: listen. */
export interface ListenOptions extends SessionOptions {
  /** Listen mode (`-l`). */
  mode: "listen";
  /** Where to listen; `host` is absent for all interfaces. */
  local: { kind: "inet"; host?: string; port: number } | { kind: "unix"; path: string };
  /** `-k`: keep accepting, serve clients at once. */
  keepOpen: boolean;
  /** `-m`: at most this many clients at once. */
  maxConns?: number;
  /** `--allow` rules. */
  allow: string[];
  /** `--deny` rules. */
  deny: string[];
  /** `--allowfile`. */
  allowFile?: string;
  /** `--denyfile`. */
  denyFile?: string;
  /** `--broker`. */
  broker: boolean;
  /** `--chat`. */
  chat: boolean;
  /** `--forward TARGET`. */
  forward?: ForwardTarget;
  /** `--serve NAME`. */
  serve?: ServeName;
  /** `--ws`: clients speak WebSocket. */
  ws?: WsSettings;
  /** `--forward ws://...`: the target is a WebSocket (`forward` is its host and port). */
  forwardWs?: WsTarget & {
    /** For `wss://`: how the target's certificate is verified. */
    tls?: TlsOptions;
  };
  /** `--proxy-server TYPE` (or ncat's `-l --proxy-type TYPE`) and `--proxy-auth`. */
  proxyServer?: ProxyServerSpec;
}

/** A proxy server on a listener (`-l --proxy-server socks5|http`). */
export interface ProxyServerSpec {
  /** The protocol served. */
  type: "socks5" | "http";
  /** `--proxy-auth USER:PASS`: what every client must give. */
  auth?: { user: string; pass: string };
}

/** How WebSocket messages are made and the handshake is dressed. */
export interface WsSettings {
  /** `--binary`: one binary message per chunk instead of text lines. */
  binary: boolean;
  /** `--header 'Name: value'`, in order. */
  headers: [string, string][];
  /** `--subprotocol`: offered by a client, accepted by a listener. */
  subprotocols: string[];
}

/** A WebSocket to connect to. */
export interface WsTarget extends WsSettings {
  /** Where. */
  url: WsUrl;
}

/** `socktool -z HOST PORT...`: probe. */
export interface ProbeOptions {
  /** Probe mode (`-z`). */
  mode: "probe";
  /** TCP, or UDP with `-u`. */
  transport: "tcp" | "udp";
  /** The host whose ports are probed. */
  host: string;
  /** Ports to probe, ascending and unique. */
  ports: number[];
  /** `-v` count. */
  verbose: number;
  /** `-4` / `-6`. */
  family?: 4 | 6;
  /** `-n`: numeric addresses only. */
  numeric: boolean;
  /** `-w` in milliseconds: the per-port timeout. */
  waitMs?: number;
  /** `--json`: one JSON object per port. */
  json: boolean;
}

/**
 * Where `--forward` relays each client: what a listener accepts (TCP, a Unix
 * stream socket, or UDP for a `-u` listener).
 */
export type ForwardTarget =
  | { kind: "tcp"; host: string; port: number }
  | { kind: "unix"; path: string }
  | { kind: "udp"; host: string; port: number };
// A ws:// or wss:// target is read by parse.ts (wsListenOptions): `forward` then holds the
// TCP address under it, and `ListenOptions.forwardWs` the WebSocket settings.

/** `socktool --wait-for SECS TARGET...`: wait until every target accepts a connection. */
export interface WaitForOptions {
  /** Wait-for mode. */
  mode: "wait-for";
  /** The targets, in command-line order: TCP host and port, or a Unix socket path. */
  targets: Endpoint[];
  /** How long to wait in all, in milliseconds; 0 tries each target once. */
  deadlineMs: number;
  /** `-w`: one attempt's connect timeout, in milliseconds. */
  attemptTimeoutMs?: number;
  /** `-v` count. */
  verbose: number;
  /** `-4` / `-6`. */
  family?: 4 | 6;
  /** `-n`: numeric addresses only. */
  numeric: boolean;
  /** `--json`: one JSON object per target on stdout. */
  json: boolean;
}

/** `--help`. */
export interface HelpOptions {
  /** Print usage and exit 0. */
  mode: "help";
}

/** `--version`. */
export interface VersionOptions {
  /** Print the version and exit 0. */
  mode: "version";
}

/** The shells `--completions` writes a script for. */
export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;

/** A shell of {@linkcode COMPLETION_SHELLS}. */
export type CompletionShell = typeof COMPLETION_SHELLS[number];

/** `--completions SHELL`. */
export interface CompletionsOptions {
  /** Print the completion script and exit 0. */
  mode: "completions";
  /** The shell the script is for. */
  shell: CompletionShell;
}

/** Everything the command line can ask for. */
export type Options =
  | ConnectOptions
  | ListenOptions
  | ProbeOptions
  | WaitForOptions
  | HelpOptions
  | VersionOptions
  | CompletionsOptions;
