/**
 * socktool as a library: the modes and the data path, typed, for Deno
 * programs. The CLI in `main.ts` is one user of these.
 *
 * @example
 * ```ts
 * import { connectTcp, relay, stdioDuplex } from "./mod.ts";
 * const conn = await connectTcp("127.0.0.1", 9999);
 * await relay(stdioDuplex(), conn);
 * ```
 *
 * @example A TLS client through a SOCKS5 proxy, verified against the system's roots
 * ```ts
 * import { connectTls, connectViaProxy, relay, stdioDuplex } from "./mod.ts";
 * const tunnel = await connectViaProxy({
 *   proxy: { host: "127.0.0.1", port: 1080, type: "socks5" },
 *   target: { host: "example.test", port: 443 },
 * });
 * const { conn } = await connectTls(tunnel, { serverName: "example.test" });
 * await relay(stdioDuplex(), conn);
 * ```
 *
 * @module
 */

// The data path
export { ExitCode, SocktoolError } from "./lib/errors.ts";
export {
  type Duplex,
  pump,
  relay,
  type RelayOptions,
  type RelayResult,
} from "./lib/session/relay.ts";
export { composeStages, type Sink, type Stage, writeAll } from "./lib/io/sink.ts";
export { stdinIsTerminal, stdioDuplex } from "./lib/io/stdio.ts";
export { closeSessionLogs, sessionStages } from "./lib/transforms/stages.ts";
export { openSessionLogs } from "./lib/modes/prepare.ts";
export { crlfStage } from "./lib/transforms/crlf.ts";
export { timestampPrefix, timestampStage } from "./lib/transforms/timestamp.ts";

// Getting a connection
export { connectTcp } from "./lib/net/tcp_connect.ts";
export { connectTcpFrom } from "./lib/net/tcp_from.ts";
export { acceptOne, listenTcp } from "./lib/net/tcp_listen.ts";
export { connectUnix } from "./lib/net/unix_connect.ts";
export { listenUnix } from "./lib/net/unix_listen.ts";
export { DatagramDuplex } from "./lib/net/udp_duplex.ts";
export { connectViaProxy } from "./lib/proxy/connect.ts";
export { connectTls } from "./lib/tls/connect.ts";
export { acceptTls, createTlsServer } from "./lib/tls/listen.ts";
export { generateSelfSigned } from "./lib/tls/self_signed.ts";
export { formatTlsInfo } from "./lib/tls/info.ts";

// Serving
export { acceptClients } from "./lib/serve/accept.ts";
export { AccessPolicy, loadAccessPolicy } from "./lib/serve/access.ts";
export { forwardClient } from "./lib/serve/forward.ts";
export { serveStream } from "./lib/serve/services.ts";
export { Broker } from "./lib/serve/broker.ts";
export { spawnProgram } from "./lib/session/exec.ts";
export { probeMode } from "./lib/modes/probe.ts";

// The types those functions take and return
export type * from "./lib/errors.ts";
export type * from "./lib/session/relay.ts";
export type * from "./lib/io/sink.ts";
export type * from "./lib/io/stdio.ts";
export type * from "./lib/transforms/stages.ts";
export type * from "./lib/transforms/timestamp.ts";
export type * from "./lib/net/tcp_connect.ts";
export type * from "./lib/net/tcp_from.ts";
export type * from "./lib/net/tcp_listen.ts";
export type * from "./lib/net/unix_listen.ts";
export type * from "./lib/net/udp_duplex.ts";
export type * from "./lib/proxy/connect.ts";
export type * from "./lib/tls/connect.ts";
export type * from "./lib/tls/listen.ts";
export type * from "./lib/tls/self_signed.ts";
export type * from "./lib/tls/info.ts";
export type * from "./lib/serve/accept.ts";
export type * from "./lib/serve/access.ts";
export type * from "./lib/serve/forward.ts";
export type * from "./lib/serve/services.ts";
export type * from "./lib/session/exec.ts";
export type * from "./lib/modes/probe.ts";
export type * from "./lib/io/log.ts";
export type * from "./lib/io/log_file.ts";
export type * from "./lib/session/session.ts";
export type * from "./lib/probe/result.ts";
export type * from "./lib/transforms/crlf.ts";
export type * from "./lib/transforms/progress.ts";
export type * from "./lib/transforms/stats.ts";
export type * from "./lib/serve/broker.ts";

// The command line
export { parseCommandLine } from "./lib/cli/parse.ts";
export type * from "./lib/cli/options.ts";
export type { WsUrl } from "./lib/ws/url.ts";

// Everyday jobs (issue 14): waiting for services, pacing, datagram forwarding
export { waitUntilUp } from "./lib/probe/wait.ts";
export { rateLimitStage, TokenBucket } from "./lib/transforms/rate_limit.ts";
export { forwardDatagrams } from "./lib/serve/udp_forward.ts";
export type * from "./lib/probe/wait.ts";
export type * from "./lib/transforms/rate_limit.ts";
export type * from "./lib/serve/udp_forward.ts";
