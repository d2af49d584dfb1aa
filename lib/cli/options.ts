/**
 * The typed record the command line becomes: one shape per mode, sharing
 * the session options. `main.ts` dispatches on `mode`.
 *
 * @module
 */

import type { SessionOptions } from "../session/options.ts";
import type { ServeName } from "../serve/responders.ts";

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
  /** `--forward HOST:PORT`. */
  forward?: { host: string; port: number };
  /** `--serve NAME`. */
  serve?: ServeName;
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

/** Everything the command line can ask for. */
export type Options =
  | ConnectOptions
  | ListenOptions
  | ProbeOptions
  | HelpOptions
  | VersionOptions;
