/**
 * The option table: every option socktool knows, with its type and short
 * letter (SPEC §1: every short option has a long name), and how messages
 * name an option.
 *
 * @module
 */

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
  // TLS both ways (issue 14): client certificates required by a listener, pinning.
  "ssl-verify": { type: "boolean" },
  "ssl-pin": { type: "string", multiple: true },
  proxy: { type: "string" },
  "proxy-type": { type: "string" },
  "proxy-auth": { type: "string" },
  // Issue 14, everyday jobs: wait for services, watch and pace transfers.
  "wait-for": { type: "string" },
  size: { type: "string" },
  "rate-limit": { type: "string", short: "L" },
  // Proxy servers (issue 14).
  "proxy-server": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
  // Habits (issue 12): shell completion scripts (ncat's --ssl-verify is with the TLS options).
  completions: { type: "string" },
  // WebSocket (lib/ws/).
  ws: { type: "boolean" },
  binary: { type: "boolean" },
  header: { type: "string", multiple: true },
  subprotocol: { type: "string" },
} as const;

/** The long name of an option, as `OPTION_TABLE` spells it. */
export type OptionName = keyof typeof OPTION_TABLE;

/**
 * How messages name an option: its short form if it has one (`-o`), else its
 * long form (`--serve`), as netcat users type them.
 *
 * @example
 * ```ts
 * flagName("hex-dump"); // "-x"
 * flagName("broker");   // "--broker"
 * ```
 */
export function flagName(name: OptionName): string {
  const spec: { type: string; short?: string } = OPTION_TABLE[name];
  return spec.short ? `-${spec.short}` : `--${name}`;
}
