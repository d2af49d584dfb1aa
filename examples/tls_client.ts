/**
 * A TLS client and the local server it talks to. The server has a fresh
 * self-signed certificate; the client trusts it as a CA and verifies it as
 * for any server (chain, dates, name). `--allow-sys` is Deno's price for
 * reading the system's CA store, which the client trusts too.
 *
 *     deno run --allow-net --allow-sys examples/tls_client.ts
 */
import {
  acceptTls,
  connectTcp,
  connectTls,
  connStreams,
  createTlsServer,
  listenTcp,
} from "@socktool/socktool";

// The local server: greets each client over TLS, then half-closes.
const server = await createTlsServer();
using listener = await listenTcp("127.0.0.1", 0);
(async () => {
  for await (const tcp of listener) {
    acceptTls(tcp, server).then(async (session) => {
      await session.conn.write(new TextEncoder().encode("hello over TLS\n"));
      await session.conn.closeWrite();
    }).catch((err) => console.error(`server: ${err.message}`));
  }
})();

// The client.
const tcp = await connectTcp("127.0.0.1", listener.addr.port, { timeoutMs: 5000 });
using session = await connectTls(tcp, { serverName: "localhost", caCerts: [server.cert] });
console.error(`${session.info.protocol}, server ${session.info.peerSubject}`);
const { readable, writable } = connStreams(session.conn);
await writable.close();
console.log((await new Response(readable).text()).trimEnd());
