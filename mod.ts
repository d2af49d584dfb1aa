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
export { type Duplex, pump, relay, type RelayOptions, type RelayResult } from "./lib/relay.ts";
export { composeStages, type Sink, type Stage, writeAll } from "./lib/sink.ts";
export { stdinIsTerminal, stdioDuplex } from "./lib/stdio.ts";
export { closeSessionLogs, openSessionLogs, sessionStages } from "./lib/session_stages.ts";
export { crlfStage } from "./lib/crlf.ts";
export { timestampPrefix, timestampStage } from "./lib/timestamp.ts";

// Getting a connection
export { connectTcp } from "./lib/tcp_connect.ts";
export { connectTcpFrom } from "./lib/source_connect.ts";
export { acceptOne, listenTcp } from "./lib/tcp_listen.ts";
export { connectUnix } from "./lib/unix_connect.ts";
export { listenUnix } from "./lib/unix_listen.ts";
export { DatagramDuplex } from "./lib/udp_duplex.ts";
export { connectViaProxy } from "./lib/proxy.ts";
export { connectTls } from "./lib/tls_connect.ts";
export { acceptTls, createTlsServer } from "./lib/tls_listen.ts";
export { generateSelfSigned } from "./lib/self_signed.ts";
export { formatTlsInfo } from "./lib/tls_info.ts";

// Serving
export { acceptClients } from "./lib/keep_open.ts";
export { AccessPolicy, loadAccessPolicy } from "./lib/access_control.ts";
export { forwardClient } from "./lib/forward.ts";
export { serveStream } from "./lib/serve.ts";
export { Broker } from "./lib/broker.ts";
export { spawnProgram } from "./lib/exec.ts";
export { probeMode } from "./lib/probe.ts";

// The types those functions take and return
export type * from "./lib/errors.ts";
export type * from "./lib/relay.ts";
export type * from "./lib/sink.ts";
export type * from "./lib/stdio.ts";
export type * from "./lib/session_stages.ts";
export type * from "./lib/timestamp.ts";
export type * from "./lib/tcp_connect.ts";
export type * from "./lib/source_connect.ts";
export type * from "./lib/tcp_listen.ts";
export type * from "./lib/unix_listen.ts";
export type * from "./lib/udp_duplex.ts";
export type * from "./lib/proxy.ts";
export type * from "./lib/tls_connect.ts";
export type * from "./lib/tls_listen.ts";
export type * from "./lib/self_signed.ts";
export type * from "./lib/tls_info.ts";
export type * from "./lib/keep_open.ts";
export type * from "./lib/access_control.ts";
export type * from "./lib/forward.ts";
export type * from "./lib/serve.ts";
export type * from "./lib/exec.ts";
export type * from "./lib/probe.ts";
export type * from "./lib/log.ts";
export type * from "./lib/log_file.ts";
export type * from "./lib/session.ts";
export type * from "./lib/probe_result.ts";
export type * from "./lib/crlf.ts";
export type * from "./lib/progress.ts";
export type * from "./lib/session_stats.ts";
export type * from "./lib/broker.ts";

// The command line
export { parseCommandLine } from "./lib/cli/parse.ts";
export type * from "./lib/cli/options.ts";
