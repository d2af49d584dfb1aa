/**
 * Fast stdout: the main thread copies each chunk into a shared ring and a
 * worker writes it out with blocking `writeSync`.
 *
 * Why: each `Deno.stdout.write()` costs a hop to a blocking thread (~40 µs
 * here), which held a receiving socktool below nc when the sender writes
 * small chunks (every socket read became one stdout write). A copy into the
 * ring costs far less, and the worker writes whatever has gathered in one
 * call. The ring is bounded, so a slow stdout still slows the socket reads.
 *
 * @module
 */

import { CTL_DONE, CTL_READ, CTL_SLOTS, CTL_WRITE } from "./ring_layout.ts";

/** A writer to stdout with Deno's `write(p)` shape, and a flush. */
export interface StdoutWriter {
  /** Copies all of `p` into the ring (waiting for room); rejects with BrokenPipe once stdout failed. */
  write(p: Uint8Array): Promise<number>;
  /** Resolves once everything written so far is out (or stdout failed). */
  flush(): Promise<void>;
  /** Stops the worker. Call {@linkcode StdoutWriter.flush} first. */
  close(): void;
}

/**
 * Starts writing stdout through a worker and a ring of `size` bytes (a power
 * of two). The worker starts on the first write.
 *
 * @example
 * ```ts
 * const out = stdoutRing();
 * await out.write(new TextEncoder().encode("hello\n"));
 * await out.flush();
 * ```
 */
export function stdoutRing(size = 4 * 1024 * 1024): StdoutWriter {
  if (size <= 0 || (size & (size - 1)) !== 0) {
    throw new RangeError(`ring size must be a power of two: received ${size}`);
  }
  const ring = new Uint8Array(new SharedArrayBuffer(size));
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_SLOTS * 4));
  const mask = size - 1;
  let worker: Worker | undefined;
  let w = 0;
  // Writers take turns, so two callers' chunks never interleave in the ring.
  let turn: Promise<unknown> = Promise.resolve();

  const failed = () => Atomics.load(ctl, CTL_DONE) === 1;
  const brokenPipe = () => new Deno.errors.BrokenPipe("stdout is closed");
  /** Waits until the worker has moved past `r` (or failed). */
  const consumed = async (r: number) => {
    const waiting = Atomics.waitAsync(ctl, CTL_READ, r);
    if (waiting.async) await waiting.value;
  };

  const copyIn = async (p: Uint8Array): Promise<number> => {
    if (!worker) {
      worker = new Worker(new URL("./stdout_worker.ts", import.meta.url), { type: "module" });
      worker.postMessage({ ring: ring.buffer, ctl: ctl.buffer });
    }
    let off = 0;
    while (off < p.length) {
      if (failed()) throw brokenPipe();
      const r = Atomics.load(ctl, CTL_READ);
      const free = size - ((w - r) | 0);
      if (free === 0) {
        await consumed(r);
        continue;
      }
      const at = w & mask;
      const n = Math.min(p.length - off, free, size - at);
      ring.set(p.subarray(off, off + n), at);
      off += n;
      w = (w + n) | 0;
      Atomics.store(ctl, CTL_WRITE, w);
      Atomics.notify(ctl, CTL_WRITE);
    }
    return p.length;
  };

  return {
    write(p) {
      const done = turn.then(() => copyIn(p));
      turn = done.catch(() => {});
      return done;
    },
    async flush() {
      await turn;
      for (;;) {
        const r = Atomics.load(ctl, CTL_READ);
        if (r === w || failed()) return;
        await consumed(r);
      }
    },
    close() {
      worker?.terminate();
    },
  };
}
