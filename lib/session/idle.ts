/**
 * The one `-w` idle timer: a session (a relay, a served client, a built-in
 * responder) is idle when no byte moved either way for `ms` milliseconds.
 * One timer per session, re-armed from the time of the last byte, so a busy
 * session costs no timer churn.
 *
 * @module
 */

/** setTimeout's longest delay (about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A per-session idle timer (`-w`): call `touch()` on every byte. */
export interface IdleWatch extends Disposable {
  /** Records activity now. */
  touch(): void;
  /** Cancels the timer. */
  stop(): void;
}

/**
 * Calls `onIdle` once no `touch()` came for `ms` milliseconds; with no `ms`
 * (or 0) it never fires.
 *
 * @example
 * ```ts
 * using idle = watchIdle(5000, () => conn.close());
 * idle.touch(); // on every byte
 * ```
 */
export function watchIdle(ms: number | undefined, onIdle: () => void): IdleWatch {
  if (!ms || ms <= 0) return { touch() {}, stop() {}, [Symbol.dispose]() {} };
  const limit = Math.min(ms, MAX_TIMER_MS);
  let last = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    const quiet = performance.now() - last;
    if (quiet >= limit) {
      timer = undefined;
      onIdle();
    } else timer = setTimeout(check, limit - quiet);
  };
  timer = setTimeout(check, limit);
  const stop = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return { touch: () => last = performance.now(), stop, [Symbol.dispose]: stop };
}
