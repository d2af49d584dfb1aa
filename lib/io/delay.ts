/**
 * The one cancellable wait of the data path (`-i` pacing, `-L` rate limit).
 *
 * @module
 */

/**
 * Resolves after `ms`, or rejects with `signal.reason` as soon as it aborts.
 *
 * @example
 * ```ts
 * await delay(100, session.signal);
 * ```
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
