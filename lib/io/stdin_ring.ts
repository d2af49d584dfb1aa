/**
 * Fast stdin: a worker reads stdin into a shared ring buffer and the main
 * thread drains whatever has gathered in one go.
 *
 * Why: each `Deno.stdin.read()` costs a hop to a blocking thread (~40 µs
 * here) and a pipe yields at most 64 KiB per read, which capped stdin at
 * about 1 GiB/s, below nc. Blocking `readSync` in a worker runs at pipe
 * speed, and the ring turns many small reads into few large ones. The ring
 * is bounded, so a slow network still slows the reading of stdin.
 *
 * Now the fallback: a pipe, a FIFO, a file or `/dev/null` is read on the
 * main thread through libc ({@linkcode ./stdin_direct.ts}), which costs no
 * second runtime at start and less CPU per GiB; the ring reads what libc
 * cannot (a socket, another device) or where the `ffi` permission is not
 * granted (socktool used as a library).
 *
 * @module
 */

import { CTL_DONE, CTL_READ, CTL_SLOTS, CTL_WRITE } from "./ring_layout.ts";
import { stdinWorkerUrl } from "./stdin_worker.ts";

/** A reader of stdin with Deno's `read(p)` shape. */
export interface StdinReader {
  /** Reads into `p`; resolves with the count, or `null` at EOF. */
  read(p: Uint8Array): Promise<number | null>;
  /** Stops the worker. */
  close(): void;
}

/**
 * Starts reading stdin through a worker and a ring of `size` bytes (a power
 * of two). The worker starts at once; nothing is read from stdin until the
 * first `read` call.
 *
 * @example
 * ```ts
 * const stdin = stdinRing();
 * const buf = new Uint8Array(65536);
 * const n = await stdin.read(buf);
 * ```
 */
export function stdinRing(size = 4 * 1024 * 1024): StdinReader {
  if (size <= 0 || (size & (size - 1)) !== 0) {
    throw new RangeError(`ring size must be a power of two: received ${size}`);
  }
  const ring = new Uint8Array(new SharedArrayBuffer(size));
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_SLOTS * 4));
  const mask = size - 1;
  // The worker boots now, in parallel with connecting (booting at the first
  // read stalled the main thread ~11 ms, enough to drop a burst of UDP), but
  // touches stdin only once asked: bytes nobody reads must stay in stdin.
  // From a data: URL: no read permission needed for socktool's own files.
  const worker = new Worker(stdinWorkerUrl(), { type: "module" });
  let started = false;
  let r = 0;
  return {
    async read(p) {
      if (!started) {
        started = true;
        worker.postMessage({ ring: ring.buffer, ctl: ctl.buffer });
      }
      for (;;) {
        const w = Atomics.load(ctl, CTL_WRITE);
        const used = (w - r) | 0;
        if (used > 0) {
          const at = r & mask;
          const n = Math.min(used, p.length, size - at);
          p.set(ring.subarray(at, at + n));
          r = (r + n) | 0;
          Atomics.store(ctl, CTL_READ, r);
          Atomics.notify(ctl, CTL_READ);
          return n;
        }
        if (Atomics.load(ctl, CTL_DONE) === 1) {
          // EOF is set after the last write position: look once more.
          if (((Atomics.load(ctl, CTL_WRITE) - r) | 0) === 0) {
            // The worker is done: a live one would keep the process alive.
            worker.terminate();
            return null;
          }
          continue;
        }
        // The worker sets CTL_DONE, then wakes CTL_WRITE's waiters: if that
        // happens between the two loads above and this wait, nothing wakes it
        // (CTL_WRITE did not change). A bounded wait looks again.
        const waiting = Atomics.waitAsync(ctl, CTL_WRITE, w, 50);
        if (waiting.async) await waiting.value;
      }
    },
    close() {
      worker.terminate();
    },
  };
}
