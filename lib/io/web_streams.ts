/**
 * Web Streams at the edges of the data path, half-close safe both ways.
 *
 * Deno's own `conn.readable` and `conn.writable` close the whole connection
 * when the readable reaches its end or the writable is closed, so the reply
 * to a request sent with a half-close is lost. {@linkcode connStreams} gives
 * a connection's bytes as a pair of streams where closing the writable is a
 * half-close (`closeWrite()`) and the readable's end leaves the connection
 * open for writing. {@linkcode streamsDuplex} goes the other way: any
 * `{ readable, writable }` pair (a `TransformStream`, a child process's
 * stdout and stdin, `connStreams` itself) becomes the {@linkcode Duplex}
 * that `relay` takes. {@linkcode stageStream} makes a transform of the data
 * path (a {@linkcode Stage}) usable with `pipeThrough`.
 *
 * Ownership: each of these takes what it is given. The streams of
 * `connStreams` close the connection once both of them are done; the duplex
 * of `streamsDuplex` cancels and aborts its streams when closed.
 *
 * @module
 */

import { type Duplex, type Sink, type Stage, writeAll } from "./sink.ts";

/** A readable and a writable byte stream: the two directions of a byte channel. */
export interface ByteStreams {
  /** Bytes coming in. */
  readable: ReadableStream<Uint8Array>;
  /** Bytes going out. */
  writable: WritableStream<Uint8Array>;
}

/** A connection's two directions as streams; see {@linkcode connStreams}. */
export interface ConnStreams extends Disposable {
  /**
   * The bytes the peer sends, as a byte stream (BYOB readers work). It ends
   * when the peer's data ends; the connection stays open for writing.
   */
  readonly readable: ReadableStream<Uint8Array<ArrayBuffer>>;
  /**
   * Bytes to send. Closing it half-closes the connection: the peer sees the
   * end of data and may still answer. Aborting it closes the connection.
   */
  readonly writable: WritableStream<Uint8Array>;
  /** Resolves once the connection is closed. */
  readonly closed: Promise<void>;
  /** Closes the connection now, whatever the streams are doing. */
  close(): void;
}

/** Options of {@linkcode connStreams}. */
export interface ConnStreamsOptions {
  /** Bytes asked of the connection per read when the reader brings no buffer (default 64 KiB). */
  readSize?: number;
}

/**
 * Wraps a connection (a `Deno.Conn`, a TLS session's `conn`, any
 * {@linkcode Duplex}) as `{ readable, writable }` without Deno's half-close
 * trap: closing `writable` calls `closeWrite()`, and `readable` ending does
 * not close anything. The connection is closed once both streams are done
 * (the readable ended, was cancelled or failed, and the writable was
 * closed, aborted or failed), or at once by `close()`, by disposal or by
 * aborting the writable. The streams own the connection from now on.
 *
 * @example An HTTP/1.0 request whose whole reply arrives after the half-close
 * ```ts
 * import { connectTcp, connStreams } from "@socktool/socktool";
 *
 * const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const serving = (async () => {
 *   using client = await server.accept();
 *   const buf = new Uint8Array(1024);
 *   while (await client.read(buf) !== null); // read the request to its end
 *   await client.write(new TextEncoder().encode("HTTP/1.0 200 OK\r\n\r\nhello"));
 * })();
 * const { readable, writable } = connStreams(await connectTcp("127.0.0.1", server.addr.port));
 * const writer = writable.getWriter();
 * await writer.write(new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
 * await writer.close(); // a half-close: the reply still comes
 * const reply = await new Response(readable).text();
 * await serving;
 * server.close();
 * if (!reply.endsWith("hello")) throw new Error(reply);
 * ```
 */
export function connStreams(conn: Duplex, options: ConnStreamsOptions = {}): ConnStreams {
  const readSize = options.readSize ?? 64 * 1024;
  if (!(Number.isInteger(readSize) && readSize > 0)) {
    throw new RangeError(`connStreams needs a readSize above 0: received ${readSize}`);
  }
  let readDone = false;
  let writeDone = false;
  const closed = Promise.withResolvers<void>();
  let isClosed = false;
  const close = () => {
    if (isClosed) return;
    isClosed = true;
    try {
      conn.close();
    } catch {
      // Closed already.
    }
    closed.resolve();
  };
  const endRead = () => {
    readDone = true;
    if (writeDone) close();
  };
  const endWrite = () => {
    writeDone = true;
    if (readDone) close();
  };

  const readable = new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: readSize,
    async pull(controller) {
      const request = controller.byobRequest!;
      const view = request.view!;
      const into = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      let n: number | null;
      try {
        do n = await conn.read(into); while (n === 0);
      } catch (err) {
        endRead();
        controller.error(err);
        return;
      }
      if (n === null) {
        endRead();
        controller.close();
        request.respond(0);
        return;
      }
      request.respond(n);
    },
    cancel() {
      endRead();
    },
  });

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      try {
        await writeAll(conn, chunk);
      } catch (err) {
        endWrite();
        throw err;
      }
    },
    async close() {
      try {
        await conn.closeWrite();
      } catch (err) {
        // A peer already gone has learnt that we are done.
        if ((err as Error)?.name !== "NotConnected") throw err;
      } finally {
        endWrite();
      }
    },
    abort() {
      writeDone = true;
      close();
    },
  });

  return {
    readable,
    writable,
    closed: closed.promise,
    close,
    [Symbol.dispose]: close,
  };
}

/** What {@linkcode streamsDuplex} returns: a duplex that can be disposed. */
export interface StreamsDuplex extends Duplex, Disposable {}

/**
 * Turns a `{ readable, writable }` pair into the {@linkcode Duplex} that
 * `relay` takes: `read` reads the readable, `write` writes the writable (a
 * copy: the caller may reuse its buffer at once), `closeWrite` closes the
 * writable, `close` cancels the readable and aborts the writable (after a
 * `closeWrite` that finished, aborting does nothing). It locks both
 * streams and owns them from now on.
 *
 * @example A relay between two pairs of streams: a `TransformStream` echoes
 * ```ts
 * import { relay, streamsDuplex } from "@socktool/socktool";
 *
 * const received: string[] = [];
 * const local = streamsDuplex({
 *   readable: ReadableStream.from([new TextEncoder().encode("hello")]),
 *   writable: new WritableStream({ write: (c) => void received.push(new TextDecoder().decode(c)) }),
 * });
 * const result = await relay(local, streamsDuplex(new TransformStream()));
 * if (received.join("") !== "hello" || result.sent !== 5) throw new Error("lost bytes");
 * ```
 */
export function streamsDuplex(streams: ByteStreams): StreamsDuplex {
  const reader = streams.readable.getReader();
  const writer = streams.writable.getWriter();
  let rest: Uint8Array | undefined;
  let ended = false;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    ended = true;
    reader.cancel().catch(() => {});
    writer.abort().catch(() => {});
  };
  return {
    async read(p) {
      while (rest === undefined || rest.length === 0) {
        if (ended) return null;
        const { value, done } = await reader.read();
        if (done) {
          ended = true;
          return null;
        }
        rest = value;
      }
      const n = Math.min(p.length, rest.length);
      p.set(n === rest.length ? rest : rest.subarray(0, n));
      rest = rest.subarray(n);
      return n;
    },
    async write(p) {
      // Streams may keep a chunk after `write` settles: give them their own.
      await writer.write(p.slice());
      return p.length;
    },
    closeWrite: () => writer.close(),
    close,
    [Symbol.dispose]: close,
  };
}

/**
 * A transform of the data path (`crlfStage`, `timestampStage()`,
 * `rateLimitStage(...)`, `hexDumpStage(...)`) as a `TransformStream`, for
 * `pipeThrough`. Chunks come out in the order the stage passes them on;
 * the stage's own pacing (a rate limit) holds the stream back.
 *
 * @example
 * ```ts
 * import { crlfStage, stageStream } from "@socktool/socktool";
 *
 * const text = await new Response(
 *   new Response("HELO example\nQUIT\n").body!.pipeThrough(stageStream(crlfStage)),
 * ).text();
 * if (text !== "HELO example\r\nQUIT\r\n") throw new Error(JSON.stringify(text));
 * ```
 */
export function stageStream(stage: Stage): TransformStream<Uint8Array, Uint8Array> {
  let sink: Sink;
  let input: Uint8Array | undefined;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      sink = stage({
        write(chunk) {
          // A stage only lends what it passes on, unless it is (part of) the
          // input chunk, which the stream gave us for good.
          controller.enqueue(chunk.buffer === input?.buffer ? chunk : chunk.slice());
          return Promise.resolve();
        },
        close: () => Promise.resolve(),
      });
    },
    async transform(chunk) {
      input = chunk;
      try {
        await sink.write(chunk);
      } finally {
        input = undefined;
      }
    },
    flush: () => sink.close(),
  });
}
