/**
 * Unix domain stream listeners (`-lU PATH`) whose socket file goes away with
 * them: closing the listener removes the file, so every path that ends
 * listen mode (a finished session, SIGINT, SIGTERM, an error) cleans up.
 *
 * @module
 */

import { networkError } from "../errors.ts";
import { claimSocketPath, ownSocketFile, removeSocketFileSync } from "./unix_socket_file.ts";

/**
 * A `Deno.UnixListener` that removes its socket file when closed.
 *
 * @example
 * ```ts
 * using listener = await listenUnix("/tmp/app.sock");
 * const conn = await listener.accept();
 * ```
 */
export class UnixSocketListener implements Deno.Listener<Deno.UnixConn, Deno.UnixAddr> {
  #inner: Deno.UnixListener;
  #path: string;
  #closed = false;

  /**
   * Wraps a Unix listener that owns its socket file.
   *
   * @param inner the listener, bound to `path`
   * @param path the socket file to remove on close
   */
  constructor(inner: Deno.UnixListener, path: string) {
    this.#inner = inner;
    this.#path = path;
  }

  /** The path listened on. */
  get addr(): Deno.UnixAddr {
    return this.#inner.addr;
  }

  /** Waits for the next client. */
  accept(): Promise<Deno.UnixConn> {
    return this.#inner.accept();
  }

  /** Stops listening and removes the socket file. Closing twice does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#inner.close();
    } finally {
      removeSocketFileSync(this.#path);
    }
  }

  /** Lets the process exit while listening. */
  unref(): void {
    this.#inner.unref();
  }

  /** Keeps the process alive while listening (the default). */
  ref(): void {
    this.#inner.ref();
  }

  /** Clients, one after another, until closed. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Deno.UnixConn> {
    return this.#inner[Symbol.asyncIterator]();
  }

  /** Closes the listener (and removes the file). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Listens on a Unix stream socket at `path`, replacing a stale socket file
 * and refusing one in use (exit 1).
 *
 * @example
 * ```ts
 * import { connectUnix, listenUnix } from "@socktool/socktool";
 *
 * const dir = await Deno.makeTempDir();
 * {
 *   using listener = await listenUnix(`${dir}/app.sock`); // the file goes with the listener
 *   using _client = await connectUnix(`${dir}/app.sock`);
 *   using _conn = await listener.accept();
 * }
 * await Deno.remove(dir); // empty again
 * ```
 */
export async function listenUnix(path: string): Promise<UnixSocketListener> {
  await claimSocketPath(path);
  try {
    const listener = new UnixSocketListener(Deno.listen({ transport: "unix", path }), path);
    ownSocketFile(path);
    return listener;
  } catch (err) {
    throw networkError(`listen ${path}`, err);
  }
}
