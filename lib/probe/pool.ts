/**
 * Runs many probes at once with a bounded number in flight, and hands the
 * results on in the order of the input, each as soon as it and every one
 * before it are known (so output streams in port order).
 *
 * @module
 */

/** Options for {@linkcode runInOrder}. */
export interface RunInOrderOptions {
  /** At most this many tasks in flight (at least 1). */
  limit: number;
  /**
   * Start with this many in flight (default `limit`) and double, up to
   * `limit`, each time a task takes longer than `slowMs`: answers that come
   * at once (a loopback host refusing) gain nothing from a crowd of pending
   * connects and lose a little to it, while slow answers (round trips,
   * timeouts) gain everything.
   */
  start?: number;
  /** What counts as a slow task for `start` (default 5 ms). */
  slowMs?: number;
  /** Stops starting tasks; resolves once those in flight have settled. */
  signal?: AbortSignal;
}

/**
 * Calls `task` on every item, at most `limit` at a time, and `emit` with
 * each result in input order. `emit` may return `false` to stop early (the
 * output is gone); tasks in flight still settle before this resolves.
 * `task` must not reject: a probe's failure is a result, not an error.
 *
 * @returns how many results were emitted
 * @example
 * ```ts
 * await runInOrder([1, 2, 3], (n) => Promise.resolve(n * 2), (r) => console.log(r), { limit: 2 });
 * // 2, 4, 6 in that order
 * ```
 */
export async function runInOrder<T, R>(
  items: readonly T[],
  task: (item: T) => Promise<R>,
  emit: (result: R) => boolean | void | Promise<boolean | void>,
  opts: RunInOrderOptions,
): Promise<number> {
  if (!(opts.limit >= 1)) throw new RangeError(`limit must be 1 or more, got ${opts.limit}`);
  const results = new Map<number, R>();
  let next = 0; // next index to start
  let emitted = 0; // next index to emit
  let inFlight = 0;
  let width = Math.max(1, Math.min(opts.start ?? opts.limit, opts.limit));
  const slowMs = opts.slowMs ?? 5;
  let stopped = false;
  // Settled tasks and an abort wake the loop; a wake with nobody waiting is
  // remembered, so a task that settles while `emit` is busy is never missed.
  let woken = false;
  let wake: (() => void) | undefined;
  const signalWake = () => {
    woken = true;
    wake?.();
  };
  const sleep = async () => {
    if (!woken) await new Promise<void>((resolve) => wake = resolve);
    wake = undefined;
    woken = false;
  };
  opts.signal?.addEventListener("abort", signalWake, { once: true });

  try {
    for (;;) {
      while (!stopped && !opts.signal?.aborted && next < items.length && inFlight < width) {
        const i = next++;
        inFlight++;
        const started = performance.now();
        task(items[i]).then((r) => {
          if (width < opts.limit && performance.now() - started > slowMs) {
            width = Math.min(opts.limit, width * 2);
          }
          results.set(i, r);
          inFlight--;
          signalWake();
        });
      }
      if (!stopped && results.has(emitted)) {
        const r = results.get(emitted)!;
        results.delete(emitted);
        emitted++;
        if ((await emit(r)) === false) stopped = true;
        continue;
      }
      const nothingMore = stopped || opts.signal?.aborted || emitted >= items.length;
      // Leave nothing running behind the caller's back.
      if (nothingMore && inFlight === 0) break;
      await sleep();
    }
  } finally {
    opts.signal?.removeEventListener("abort", signalWake);
  }
  return emitted;
}
