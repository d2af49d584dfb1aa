/**
 * Waits until a service accepts connections (`--wait-for`): attempt after
 * attempt, backing off, until it is up or the deadline passes. Each attempt
 * resolves the name again (a container's name may appear late), connects,
 * and closes at once, sending nothing.
 *
 * @module
 */

import { causeInWords, SocktoolError } from "../errors.ts";
import { resolveHost } from "../net/resolve.ts";
import { tryInTurn } from "../net/try_in_turn.ts";
import { formatHostPort } from "../net/address.ts";

/** What to wait for: a TCP host and port, or a Unix stream socket. */
export type WaitTarget =
  | { kind: "inet"; host: string; port: number }
  | { kind: "unix"; path: string };

/** One attempt's outcome. */
export type AttemptResult =
  | { up: true; address: string }
  | { up: false; reason: string };

/** The first pause between attempts, in milliseconds. */
export const FIRST_PAUSE_MS = 100;
/** The longest pause between attempts: at most four attempts a second, per target. */
export const MAX_PAUSE_MS = 250;
/** One attempt's connect timeout when `-w` does not say. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 2000;

/**
 * The pause after the `n`th failed attempt (1-based): 100 ms, growing by
 * half each time, then 250 ms for good.
 *
 * @example
 * ```ts
 * [1, 2, 3, 4].map(pauseAfter); // [100, 150, 225, 250]
 * ```
 */
export function pauseAfter(n: number): number {
  return Math.min(MAX_PAUSE_MS, Math.round(FIRST_PAUSE_MS * 1.5 ** Math.max(0, n - 1)));
}

/** Options of {@linkcode attemptConnect}. */
export interface AttemptOptions {
  /** `-4` / `-6`. */
  family?: 4 | 6;
  /** Gives up on this attempt (a timeout, the deadline, a signal). */
  signal?: AbortSignal;
}

/** The cause of a failed attempt in words: `connection refused`, `no such host`. */
function reasonOf(err: unknown): string {
  const name = (err as Error)?.name;
  if (name === "TimeoutError" || name === "AbortError" || name === "TimedOut") return "timed out";
  // Resolution failures arrive wrapped with their action; the cause is what counts here.
  if (err instanceof SocktoolError && err.cause !== undefined) return causeInWords(err.cause);
  return causeInWords(err);
}

/**
 * Connects to `target` once and closes at once. Never rejects: a refusal,
 * a missing socket file, an unknown name or a timeout is a result.
 *
 * @example
 * ```ts
 * await attemptConnect({ kind: "inet", host: "127.0.0.1", port: 22 });
 * // { up: true, address: "127.0.0.1:22" } or { up: false, reason: "connection refused" }
 * ```
 */
export async function attemptConnect(
  target: WaitTarget,
  opts: AttemptOptions = {},
): Promise<AttemptResult> {
  try {
    if (target.kind === "unix") {
      const conn = await Deno.connect({ transport: "unix", path: target.path });
      conn.close();
      return { up: true, address: target.path };
    }
    const addresses = await resolveHost(target.host, { family: opts.family });
    return await tryInTurn(addresses, async ({ address }) => {
      const conn = await Deno.connect({
        hostname: address,
        port: target.port,
        signal: opts.signal,
      });
      conn.close();
      return { up: true as const, address: formatHostPort(address, target.port) };
    }, { signal: opts.signal });
  } catch (err) {
    return { up: false, reason: opts.signal?.aborted ? "timed out" : reasonOf(err) };
  }
}

/** Options of {@linkcode waitUntilUp}. */
export interface WaitOptions extends Omit<AttemptOptions, "signal"> {
  /** When to give up, on the `performance.now()` clock; attempts in flight are cut short. */
  deadline: number;
  /** One attempt's connect timeout; {@linkcode DEFAULT_ATTEMPT_TIMEOUT_MS} by default. */
  attemptTimeoutMs?: number;
  /** Stops waiting (SIGINT, SIGTERM). */
  signal?: AbortSignal;
  /** Told after each failed attempt, with its number (1 for the first). */
  onFailed?: (reason: string, attempt: number) => void;
}

/** How waiting for one target ended. */
export interface WaitOutcome {
  /** The target accepted a connection. */
  up: boolean;
  /** The address that accepted (`127.0.0.1:80`, a socket path). */
  address?: string;
  /** Why the last attempt failed, when not up. */
  reason?: string;
  /** Attempts made. */
  attempts: number;
  /** Milliseconds from the start until up, or until giving up. */
  ms: number;
}

/**
 * Tries `target` until it accepts a connection or `deadline` passes; an
 * attempt in flight at the deadline is cut short. The first attempt is made
 * even when the deadline has passed already, with its whole timeout, so a
 * deadline of 0 tries once.
 *
 * @example
 * ```ts
 * import { waitUntilUp } from "@socktool/socktool";
 *
 * using db = Deno.listen({ hostname: "127.0.0.1", port: 0 }); // the service waited for
 * const r = await waitUntilUp({ kind: "inet", host: "127.0.0.1", port: db.addr.port }, {
 *   deadline: performance.now() + 30_000,
 * });
 * if (!r.up) throw new Error(`still down: ${r.reason}`);
 * console.log(`up after ${r.attempts} attempt(s)`);
 * ```
 */
export async function waitUntilUp(target: WaitTarget, o: WaitOptions): Promise<WaitOutcome> {
  const started = performance.now();
  const timeoutMs = o.attemptTimeoutMs || DEFAULT_ATTEMPT_TIMEOUT_MS;
  for (let attempts = 1;; attempts++) {
    const left = o.deadline - performance.now();
    // No attempt outlasts the deadline, but a deadline of 0 gets one whole attempt.
    const limit = attempts === 1 && left <= 0 ? timeoutMs : Math.min(timeoutMs, Math.max(left, 1));
    const signals = [AbortSignal.timeout(limit), o.signal].filter((s) => s !== undefined);
    const r = await attemptConnect(target, { family: o.family, signal: AbortSignal.any(signals) });
    const elapsed = () => performance.now() - started;
    if (r.up) return { up: true, address: r.address, attempts, ms: elapsed() };
    if (o.signal?.aborted) return { up: false, reason: "interrupted", attempts, ms: elapsed() };
    o.onFailed?.(r.reason, attempts);
    const down = { up: false, reason: r.reason, attempts };
    const remaining = o.deadline - performance.now();
    if (remaining <= 0) return { ...down, ms: elapsed() };
    // Never past the deadline: giving up comes on time, not a pause late.
    const pause = Math.min(pauseAfter(attempts), remaining);
    if (!(await sleep(pause, o.signal))) return { ...down, reason: "interrupted", ms: elapsed() };
    if (o.deadline - performance.now() <= 0) return { ...down, ms: elapsed() };
  }
}

/** Resolves `true` after `ms`, or `false` at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
