/**
 * The loop every connect uses to try the addresses a name resolves to, one
 * after another, until one answers.
 *
 * @module
 */

/**
 * Tries `attempt` on each item in turn until one succeeds; rejects with the
 * last failure. An abort of `signal` stops the turn at once. `onFailed` hears
 * of every failure but the last, which is the caller's to tell (so `-v`
 * never says the same failure twice).
 *
 * @example
 * ```ts
 * const conn = await tryInTurn(["::1", "127.0.0.1"], (a) => connectTo(a));
 * ```
 */
export async function tryInTurn<T, R>(
  items: readonly T[],
  attempt: (item: T) => Promise<R>,
  opts: { signal?: AbortSignal; onFailed?: (err: unknown, item: T) => void } = {},
): Promise<R> {
  if (items.length === 0) throw new RangeError("tryInTurn needs at least one item");
  let last: unknown;
  for (const [i, item] of items.entries()) {
    try {
      return await attempt(item);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      last = err;
      if (i < items.length - 1) opts.onFailed?.(err, item);
    }
  }
  throw last;
}
