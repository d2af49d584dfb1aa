/**
 * A small netcat: relays stdin and stdout to HOST PORT. When stdin ends,
 * the connection is half-closed and the reply still comes; when the
 * server's data ends too, the program ends by itself.
 *
 *     deno run --allow-net examples/relay_to_stdio.ts 127.0.0.1 9999
 */
import { connectTcp, relay, SocktoolError, stdinIsTerminal, stdioDuplex } from "@socktool/socktool";

const [host = "127.0.0.1", port = "9999"] = Deno.args;
using stdio = stdioDuplex();
try {
  const conn = await connectTcp(host, Number(port), { timeoutMs: 5000 });
  const result = await relay(stdio, conn, { localIsTerminal: stdinIsTerminal() });
  console.error(`sent ${result.sent} bytes, received ${result.received} bytes`);
} catch (err) {
  if (!(err instanceof SocktoolError)) throw err;
  console.error(`relay: ${err.message}`); // relay: connect 127.0.0.1:9999: connection refused
  Deno.exitCode = err.exitCode;
}
