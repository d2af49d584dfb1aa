/**
 * Addresses given as one word, as `--wait-for` and `--forward` take them:
 * `HOST:PORT`, `[V6]:PORT`, `unix:PATH`, and for `--forward` also
 * `tcp:HOST:PORT` and `udp:HOST:PORT`. A bad one is a usage error that
 * quotes what was typed.
 *
 * @module
 */

import { usageError } from "../errors.ts";
import { isMalformedIPv4 } from "../net/address.ts";
import { parsePort } from "./ports.ts";
import type { Endpoint, ForwardTarget } from "./options.ts";

/**
 * `HOST:PORT` or `[V6]:PORT` into a host (brackets gone) and a port; `flag`,
 * `expected` and what the user `typed` (with any `udp:` prefix) go in messages.
 */
function hostPort(
  flag: string,
  text: string,
  expected: string,
  typed = text,
): { host: string; port: number } {
  const m = /^\[([^\]]*)\]:([^:]*)$/.exec(text) ?? /^([^:\[\]]*):([^:]*)$/.exec(text);
  if (!m) {
    const hint = (text.match(/:/g)?.length ?? 0) > 1 && !text.startsWith("[")
      ? " (an IPv6 address goes in brackets: [::1]:80)"
      : "";
    throw usageError(`bad value '${typed}' for ${flag}: expected ${expected}${hint}`);
  }
  const [, host, port] = m;
  const bad = (why: string) => usageError(`bad value '${typed}' for ${flag}: ${why}`);
  if (host === "") throw bad("the host is empty");
  if (isMalformedIPv4(host)) throw bad(`'${host}' is not an IPv4 address`);
  if (port === "") throw bad("the port is missing");
  return { host, port: parsePort(port) };
}

/** `unix:PATH` into its path; an empty path is a usage error. */
function unixPath(flag: string, text: string): string {
  const path = text.slice("unix:".length);
  if (path === "") throw usageError(`bad value '${text}' for ${flag}: the socket path is empty`);
  return path;
}

/**
 * A `--wait-for` target: `HOST:PORT`, `[V6]:PORT` or `unix:PATH`. A
 * `udp:` target is refused: nothing tells whether a UDP port is served.
 *
 * @example
 * ```ts
 * parseWaitTarget("db:5432");          // { kind: "inet", host: "db", port: 5432 }
 * parseWaitTarget("[::1]:80");         // { kind: "inet", host: "::1", port: 80 }
 * parseWaitTarget("unix:/run/a.sock"); // { kind: "unix", path: "/run/a.sock" }
 * ```
 */
export function parseWaitTarget(text: string): Endpoint {
  const flag = "--wait-for";
  if (text.startsWith("unix:")) return { kind: "unix", path: unixPath(flag, text) };
  if (/^udp:/i.test(text)) {
    throw usageError(
      `bad target '${text}' for ${flag}: a UDP port cannot be waited for (nothing answers to say it is served)`,
    );
  }
  const bare = /^tcp:/i.test(text) ? text.slice(4) : text;
  return { kind: "inet", ...hostPort(flag, bare, "HOST:PORT, [V6]:PORT or unix:PATH", text) };
}

/**
 * A `--forward` target: what a listener accepts, `HOST:PORT` (TCP, also
 * spelt `tcp:HOST:PORT`), `unix:PATH`, or `udp:HOST:PORT` for a `-u`
 * listener.
 *
 * @example
 * ```ts
 * parseForwardTarget("127.0.0.1:8080");        // { kind: "tcp", host: "127.0.0.1", port: 8080 }
 * parseForwardTarget("unix:/run/docker.sock"); // { kind: "unix", path: "/run/docker.sock" }
 * parseForwardTarget("udp:[::1]:53");          // { kind: "udp", host: "::1", port: 53 }
 * ```
 */
export function parseForwardTarget(text: string): ForwardTarget {
  const flag = "--forward";
  const expected = "HOST:PORT, unix:PATH or udp:HOST:PORT";
  if (text.startsWith("unix:")) return { kind: "unix", path: unixPath(flag, text) };
  if (/^udp:/i.test(text)) {
    return { kind: "udp", ...hostPort(flag, text.slice(4), expected, text) };
  }
  // A --forward ws:// target never gets here (parse.ts reads it as a WebSocket URL);
  // --wait-for cannot wait for one beyond its TCP port.
  if (/^wss?:\/\//i.test(text)) {
    throw usageError(`bad value '${text}' for ${flag}: give HOST:PORT, not a WebSocket URL`);
  }
  const bare = /^tcp:/i.test(text) ? text.slice(4) : text;
  return { kind: "tcp", ...hostPort(flag, bare, expected, text) };
}

/**
 * How messages name a target: `127.0.0.1:80`, `[::1]:80`, `unix:/run/a.sock`.
 *
 * @example
 * ```ts
 * formatTarget({ kind: "inet", host: "::1", port: 80 }); // "[::1]:80"
 * ```
 */
export function formatTarget(t: Endpoint | ForwardTarget): string {
  if (t.kind === "unix") return `unix:${t.path}`;
  const where = t.host.includes(":") ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
  return t.kind === "udp" ? `udp:${where}` : where;
}
