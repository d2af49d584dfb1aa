/**
 * The typed record the command line becomes: one shape per mode, sharing
 * the session options. `main.ts` dispatches on `mode`.
 *
 * @module
 */

/** How the session's bytes travel. */
export type Transport = "tcp" | "udp" | "unix" | "unixgram";

/** A TCP/UDP host and port, or a Unix socket path. */
export type Endpoint =
  | { kind: "inet"; host: string; port: number }
  | { kind: "unix"; path: string };

/** TLS settings (SPEC §5). */
export interface TlsOptions {
  /** Certificate file (PEM): the server's, or a client certificate. */
  cert?: string;
  /** Private key file (PEM) for `cert`. */
  key?: string;
  /** Extra trusted CA certificates (PEM). */
  trustFile?: string;
  /** Name sent as SNI and verified in the server certificate. */
  serverName?: string;
  /** ALPN protocols to offer, in order. */
  alpn: string[];
  /** Verification off (warned about on every use). */
  insecure: boolean;
}

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

/** Options every data session shares, whatever its mode. */
export interface SessionOptions {
  /** TCP, UDP, Unix stream or Unix datagram. */
  transport: Transport;
  /** `-v` count. */
  verbose: number;
  /** `-4` / `-6`. */
  family?: 4 | 6;
  /** `-n`: numeric addresses only. */
  numeric: boolean;
  /** `-w` in milliseconds: connect timeout and idle timeout. */
  waitMs?: number;
  /** `-q` in milliseconds: deadline after stdin EOF. */
  quitAfterEofMs?: number;
  /** `--no-shutdown`: keep the write half open after stdin EOF. */
  noShutdown: boolean;
  /** `--send-only`. */
  sendOnly: boolean;
  /** `--recv-only`. */
  recvOnly: boolean;
  /** `-C`. */
  crlf: boolean;
  /** `-i` in milliseconds. */
  intervalMs?: number;
  /** `-o FILE`. */
  output?: string;
  /** `-x FILE`. */
  hexDump?: string;
  /** `--append-output`. */
  appendOutput: boolean;
  /** `--timestamp`. */
  timestamp: boolean;
  /** `--progress`. */
  progress: boolean;
  /** `-e`: the program and its arguments, run without a shell. */
  exec?: string[];
  /** `-c`: a command line for `/bin/sh -c`. */
  shExec?: string;
  /** `--ssl` and its settings; absent without `--ssl`. */
  tls?: TlsOptions;
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
  serve?: string;
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
