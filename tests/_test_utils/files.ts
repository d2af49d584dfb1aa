/**
 * File helpers for end-to-end tests of Unix sockets: a scratch directory,
 * and waiting for a socket file to appear (with a deadline, never a sleep).
 *
 * @module
 */

/**
 * Runs `fn` with a fresh directory, removed afterwards.
 *
 * @example
 * ```ts
 * await inTempDir(async (dir) => { ... });
 * ```
 */
export async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "socktool-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Whether anything (a socket file too) is at `path`. */
export const exists = (path: string): Promise<boolean> =>
  Deno.lstat(path).then(() => true, () => false);

/** Resolves once `path` exists, or rejects at the deadline. */
export async function waitForFile(path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await exists(path))) {
    if (Date.now() > deadline) throw new Error(`${path} never appeared`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
