/**
 * Connects to a Unix domain stream socket (`socktool -U PATH`).
 *
 * @module
 */

import { networkError } from "../errors.ts";
import { explainRefusal } from "../io/fd_path.ts";
import { isWrongSocketType } from "./unix_socket_file.ts";

/**
 * Connects to the stream socket at `path`; a missing file, a refusal (a
 * stale socket file) or a datagram socket there is a network error (exit 1)
 * naming the path (or `opts.action`, such as `forward to unix:PATH`).
 *
 * @example
 * ```ts
 * import { connectUnix, listenUnix } from "@socktool/socktool";
 *
 * const dir = await Deno.makeTempDir();
 * {
 *   using listener = await listenUnix(`${dir}/app.sock`);
 *   using conn = await connectUnix(`${dir}/app.sock`);
 *   using _accepted = await listener.accept();
 *   console.log(conn.remoteAddr.path);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function connectUnix(
  path: string,
  opts: { action?: string } = {},
): Promise<Deno.UnixConn> {
  const action = opts.action ?? `connect ${path}`;
  try {
    return await Deno.connect({ transport: "unix", path });
  } catch (err) {
    if (isWrongSocketType(err)) {
      throw networkError(action, new Error("a datagram socket, not a stream socket (add -u)"));
    }
    throw networkError(action, explainRefusal(path, err));
  }
}
