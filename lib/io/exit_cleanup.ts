/**
 * Clean-ups that must happen however socktool ends, even when a signal's
 * deadline cuts the run short with work still pending (a stalled stdout, a
 * program that never reads, a target that stopped reading): remove the Unix
 * socket files socktool created, kill the programs it started.
 *
 * The normal paths clean up after themselves (a listener removes its file on
 * close, a session stops its program); what registers here is the last
 * resort that the command (`lib/modes/command.ts`) runs right before
 * exiting. Each clean-up is synchronous, so nothing can hold up the exit.
 *
 * @module
 */

const cleanups = new Set<() => void>();

/**
 * Registers `fn` to run at exit unless it is unregistered first (call the
 * returned function once the resource is gone by the normal path).
 *
 * @example
 * ```ts
 * const forget = atExit(() => removeSocketFileSync(path));
 * // ... later, once the file is removed by the normal path:
 * forget();
 * ```
 */
export function atExit(fn: () => void): () => void {
  // A wrapper, so that registering one function twice keeps two entries.
  const entry = () => fn();
  cleanups.add(entry);
  return () => {
    cleanups.delete(entry);
  };
}

/**
 * Runs every registered clean-up once, newest first, and forgets them. A
 * clean-up that throws does not stop the others.
 *
 * @example
 * ```ts
 * runExitCleanups();
 * Deno.exit(code);
 * ```
 */
export function runExitCleanups(): void {
  const pending = [...cleanups].reverse();
  cleanups.clear();
  for (const fn of pending) {
    try {
      fn();
    } catch { /* best effort: the process is about to end */ }
  }
}
