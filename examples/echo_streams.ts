/**
 * An echo server on a free port, and a client that talks to it with Web
 * Streams. Closing the client's writable is a half-close: the server sees
 * the end of the data, echoes the rest and closes; the client reads the
 * echo to its end.
 *
 *     deno run --allow-net examples/echo_streams.ts
 */
import { connectTcp, connStreams, listenTcp } from "@socktool/socktool";

using listener = await listenTcp("127.0.0.1", 0);
console.error(`echo server on 127.0.0.1:${listener.addr.port}`);
(async () => {
  for await (const conn of listener) {
    const { readable, writable } = connStreams(conn);
    readable.pipeTo(writable).catch(() => {}); // the end of the echo half-closes too
  }
})();

const { readable, writable } = connStreams(await connectTcp("127.0.0.1", listener.addr.port));
const sending = ReadableStream.from(["hello, ", "echo\n"])
  .pipeThrough(new TextEncoderStream())
  .pipeTo(writable); // closes the writable at the end: a half-close
const echoed = await new Response(readable).text();
await sending;
console.log(`echoed: ${echoed.trimEnd()}`);
