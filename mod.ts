/**
 * socktool as a library: connections, listeners and the half-close-safe
 * relay of the `socktool` command, typed, with Web Streams at the edges and
 * disposable handles, for Deno programs.
 *
 * What is here, grouped like the code:
 *
 * - **Connect and listen**: {@linkcode connectTcp}, {@linkcode listenTcp},
 *   {@linkcode connectUnix}, {@linkcode listenUnix}.
 * - **Relay**: {@linkcode relay} copies both ways between two
 *   {@linkcode Duplex}es until a stop rule fires (SPEC §3: half-close on
 *   end of input, every byte delivered, backpressure both ways).
 * - **Stdio**: {@linkcode stdioDuplex}, {@linkcode stdinIsTerminal}.
 * - **Web Streams**: {@linkcode connStreams} (a connection as
 *   `{ readable, writable }`, closing the writable is a half-close),
 *   {@linkcode streamsDuplex} (any `{ readable, writable }` as a duplex for
 *   `relay`), {@linkcode stageStream} (a transform for `pipeThrough`).
 * - **Transforms** (`Stage`s, for `relay`'s `inbound`/`outbound` or
 *   `stageStream`): {@linkcode crlfStage}, {@linkcode timestampStage},
 *   {@linkcode hexDumpStage}, {@linkcode rateLimitStage}.
 * - **TLS**: {@linkcode connectTls}, {@linkcode createTlsServer},
 *   {@linkcode acceptTls} (verification on by default, checked by socktool).
 * - **Proxy**: {@linkcode connectViaProxy} (SOCKS5, SOCKS4a, HTTP CONNECT).
 * - **Probe**: {@linkcode probePorts}, {@linkcode waitUntilUp}.
 * - **Errors**: {@linkcode SocktoolError} carries an {@linkcode ExitCode}.
 *
 * Ownership, the same everywhere:
 *
 * 1. What a function returns is yours to close: connections, listeners,
 *    TLS sessions, `stdioDuplex()`, `connStreams()`. All are `Disposable`,
 *    so `using` closes them.
 * 2. A function that builds on a connection you pass in takes it over:
 *    `connectTls(conn)`, `acceptTls(conn)`, `connStreams(conn)` and
 *    `streamsDuplex(pair)` close what they were given when their result is
 *    closed, and `connectTls`/`acceptTls` close it when they fail.
 * 3. `relay(local, remote)` half-closes each side when the other's data
 *    ends (for `stdioDuplex()` that closes stdout, so its reader sees the
 *    end) and closes `remote` when it ends; `local` stays yours (it is
 *    often stdio, which outlives one session).
 * 4. `stdioDuplex()` reads stdin only when asked and stops by itself at
 *    stdin's end; disposing it stops it earlier. Either way nothing of it
 *    keeps the process alive, and library use needs no read permission.
 *
 * Errors are {@linkcode SocktoolError}s with a one-line message in
 * socktool's grammar (`connect 127.0.0.1:9: connection refused`) and the
 * exit code the command would use.
 *
 * @example Relay stdin and stdout to a TCP server
 * ```ts
 * import { connectTcp, relay, stdinIsTerminal, stdioDuplex } from "@socktool/socktool";
 *
 * using server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * server.accept().then(async (c) => {
 *   await c.write(new TextEncoder().encode("hello from the server\n"));
 *   c.close();
 * });
 * using stdio = stdioDuplex();
 * const conn = await connectTcp("127.0.0.1", server.addr.port, { timeoutMs: 5000 });
 * const result = await relay(stdio, conn, { localIsTerminal: stdinIsTerminal() });
 * console.error(`sent ${result.sent} bytes, received ${result.received}`);
 * ```
 *
 * @module
 */

// Connect and listen
export { connectTcp, type ConnectTcpOptions } from "./lib/net/tcp_connect.ts";
export { listenTcp, type ListenTcpOptions } from "./lib/net/tcp_listen.ts";
export { connectUnix } from "./lib/net/unix_connect.ts";
export { listenUnix, type UnixSocketListener } from "./lib/net/unix_listen.ts";

// Relay
export {
  type Duplex,
  relay,
  type RelayEnd,
  type RelayOptions,
  type RelayResult,
} from "./lib/session/relay.ts";

// Stdio
export { stdinIsTerminal, type StdioDuplex, stdioDuplex } from "./lib/io/stdio.ts";

// Web Streams
export {
  type ByteStreams,
  type ConnStreams,
  connStreams,
  type ConnStreamsOptions,
  stageStream,
  type StreamsDuplex,
  streamsDuplex,
} from "./lib/io/web_streams.ts";

// Transforms
export type { Sink, Stage } from "./lib/io/sink.ts";
export { crlfStage } from "./lib/transforms/crlf.ts";
export { type TimestampOptions, timestampStage } from "./lib/transforms/timestamp.ts";
export { hexDumpStage, type HexDumpWriter } from "./lib/transforms/hex_dump.ts";
export type { Direction } from "./lib/transforms/stats.ts";
export { type RateLimitOptions, rateLimitStage } from "./lib/transforms/rate_limit.ts";

// TLS
export { connectTls, type TlsConnectOptions, type TlsSession } from "./lib/tls/connect.ts";
export {
  acceptTls,
  type AcceptTlsOptions,
  type ClientAuthOptions,
  createTlsServer,
  type TlsServer,
  type TlsServerOptions,
} from "./lib/tls/listen.ts";
export type { TlsInfo } from "./lib/tls/info.ts";
export type { TrustAnchors } from "./lib/tls/verify.ts";

// Proxy
export { connectViaProxy, type ProxyConnectOptions, type ProxySpec } from "./lib/proxy/connect.ts";

// Probe
export { probePorts, type ProbePortsOptions } from "./lib/probe/probe_ports.ts";
export type { PortState, ProbeResult } from "./lib/probe/result.ts";
export {
  type AttemptOptions,
  type WaitOptions,
  type WaitOutcome,
  type WaitTarget,
  waitUntilUp,
} from "./lib/probe/wait.ts";

// Errors
export { ExitCode, type ExitCodeValue, SocktoolError } from "./lib/errors.ts";
