/**
 * Client-side helpers for the listener tests (issue 4): connect, send while
 * reading, read with deadlines. Process spawning lives in `harness.ts`.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { concatBytes } from "../../lib/io/bytes.ts";
import { randomBytes, readConnToEnd, writeConnAll } from "./harness.ts";

const MiB = 1024 * 1024;

/** Rejects with `what` if `promise` has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Connects to a loopback port. */
export function connect(port: number, hostname = "127.0.0.1"): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname, port });
}

/**
 * Sends `data`, half-closes, and reads everything back until EOF, both at
 * once (a large echo would deadlock otherwise). Closes the connection.
 */
export async function sendAndReceive(conn: Deno.Conn, data: Uint8Array): Promise<Uint8Array> {
  try {
    const [, received] = await Promise.all([
      writeConnAll(conn, data).then(() => conn.closeWrite()),
      readConnToEnd(conn),
    ]);
    return received;
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

/**
 * Reads until the text received so far matches `re`; resolves with all text
 * so far. Rejects at EOF or at the deadline.
 */
export async function readUntil(conn: Deno.Conn, re: RegExp, ms = 10_000): Promise<string> {
  const dec = new TextDecoder();
  let text = "";
  const buf = new Uint8Array(65536);
  const loop = async () => {
    while (!re.test(text)) {
      const n = await conn.read(buf);
      if (n === null) throw new Error(`EOF before ${re}; got ${JSON.stringify(text)}`);
      text += dec.decode(buf.subarray(0, n), { stream: true });
    }
    return text;
  };
  return await within(loop(), ms, `reading ${re}; got ${JSON.stringify(text)}`);
}

/** Reads to EOF within a deadline; a reset counts as the end. */
export async function readToEndWithin(conn: Deno.Conn, ms = 10_000): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  const loop = async () => {
    for (;;) {
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch (err) {
        if ((err as Error).name === "ConnectionReset") break;
        throw err;
      }
      if (n === null) break;
      parts.push(buf.slice(0, n));
    }
    return concatBytes(parts);
  };
  return await within(loop(), ms, "reading to EOF");
}

/** Closes, ignoring "already closed". */
export function closeQuietly(c: { close(): void }): void {
  try {
    c.close();
  } catch { /* closed */ }
}

/** UTF-8 bytes of a string. */
export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
/** A string from UTF-8 bytes. */
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/**
 * Streams `mib` MiB of data (each MiB numbered, so loss, duplication or
 * reordering changes the hash) to `conn`, then half-closes; returns the hash
 * of what was sent.
 */
export async function sendNumbered(conn: Deno.Conn, mib: number, seed: number): Promise<string> {
  const base = randomBytes(MiB, seed);
  const hash = createHash("sha256");
  const chunk = new Uint8Array(MiB);
  const view = new DataView(chunk.buffer);
  for (let i = 0; i < mib; i++) {
    chunk.set(base);
    view.setUint32(0, i);
    view.setUint32(MiB - 4, i ^ seed);
    hash.update(chunk);
    await writeConnAll(conn, chunk);
  }
  await conn.closeWrite();
  return hash.digest("hex");
}

/** Reads to EOF, hashing on the way; returns the hash and byte count. */
export async function receiveHashed(conn: Deno.Conn): Promise<{ hash: string; bytes: number }> {
  const hash = createHash("sha256");
  const buf = new Uint8Array(256 * 1024);
  let bytes = 0;
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    hash.update(buf.subarray(0, n));
    bytes += n;
  }
  return { hash: hash.digest("hex"), bytes };
}
