/**
 * Fast stdin: small inputs are read directly; once stdin proves to be a
 * stream of data, a worker reads it into a shared ring buffer and the main
 * thread drains whatever has gathered in one go.
 *
 * Why the worker: each `Deno.stdin.read()` costs a hop to a blocking thread
 * (~40 µs here) and a pipe yields at most 64 KiB per read, which capped
 * stdin at about 1 GiB/s, below nc. Blocking `readSync` in a worker runs at
 * pipe speed, and the ring turns many small reads into few large ones. The
 * ring is bounded, so a slow network still slows the reading of stdin.
 *
 * Why not always: booting a worker is a second JavaScript runtime, about 70
 * million instructions and 15 MB of memory, more than the rest of a short
 * run (`printf 'GET /\n\n' | socktool host 80`, a listener whose stdin is
 * /dev/null, a terminal). So stdin is read directly until
 * {@linkcode StdinRingOptions.ringAfter} bytes have come; then the worker
 * boots while direct reads go on, and takes over at a read with nothing in
 * flight, so that the bytes stay in order.
 *
 * @module
 */

import { enlargePipe } from "./pipe.ts";
import { CTL_DONE, CTL_GO, CTL_READ, CTL_READY, CTL_SLOTS, CTL_WRITE } from "./ring_layout.ts";
import { stdinWorkerUrl } from "./stdin_worker.ts";

/** A reader of stdin with Deno's `read(p)` shape. */
export interface StdinReader {
  /** Reads into `p`; resolves with the count, or `null` at EOF. */
  read(p: Uint8Array): Promise<number | null>;
  /** Stops the worker. */
  close(): void;
  /**
   * Who reads stdin: `direct` (no worker), `booting` (the worker is on its
   * way), `ready` (it waits to take over at the next read), `ring` (it reads).
   */
  readonly mode: "direct" | "booting" | "ready" | "ring";
}

/** Options for {@linkcode stdinRing}. */
export interface StdinRingOptions {
  /** The ring's size in bytes, a power of two (default 4 MiB). */
  size?: number;
  /** Bytes read directly before the worker is started (default 1 MiB). */
  ringAfter?: number;
  /** What is read (default `Deno.stdin`); the worker always reads the real stdin. */
  input?: { read(p: Uint8Array): Promise<number | null> };
}

/**
 * Reads stdin: directly at first, through a worker and a ring once more
 * than `ringAfter` bytes have come. Nothing is read from stdin until the
 * first `read` call, and never more than asked before the worker takes
 * over: bytes nobody reads stay in stdin.
 *
 * @example
 * ```ts
 * const stdin = stdinRing();
 * const buf = new Uint8Array(65536);
 * const n = await stdin.read(buf);
 * ```
 */
export function stdinRing(options: StdinRingOptions = {}): StdinReader {
  const size = options.size ?? 4 * 1024 * 1024;
  if (size <= 0 || (size & (size - 1)) !== 0) {
    throw new RangeError(`ring size must be a power of two: received ${size}`);
  }
  const ringAfter = options.ringAfter ?? 1024 * 1024;
  const input = options.input ?? Deno.stdin;
  const mask = size - 1;
  let ring: Uint8Array | undefined;
  let ctl: Int32Array | undefined;
  let worker: Worker | undefined;
  /** The worker reads: every read comes from the ring. */
  let ringMode = false;
  let directBytes = 0;
  let directInFlight = false;
  let pipeChecked = false;
  let ended = false;
  let r = 0;

  const startWorker = () => {
    ring = new Uint8Array(new SharedArrayBuffer(size));
    ctl = new Int32Array(new SharedArrayBuffer(CTL_SLOTS * 4));
    // From a data: URL: no read permission needed for socktool's own files.
    worker = new Worker(stdinWorkerUrl(), { type: "module" });
    worker.postMessage({ ring: ring.buffer, ctl: ctl.buffer });
  };

  const readDirect = async (p: Uint8Array): Promise<number | null> => {
    // A pipe of 1 MiB: fewer, larger reads, and a writer that sleeps less (pipe.ts).
    if (!pipeChecked && options.input === undefined) enlargePipe(0);
    pipeChecked = true;
    let n: number | null;
    directInFlight = true;
    try {
      n = await input.read(p);
    } catch {
      n = null; // a closed or unreadable stdin ends input, as in netcat
    } finally {
      directInFlight = false;
    }
    if (n === null) {
      ended = true;
      worker?.terminate();
      return null;
    }
    directBytes += n;
    if (worker === undefined && directBytes >= ringAfter) startWorker();
    return n;
  };

  const readRing = async (p: Uint8Array, ring: Uint8Array, ctl: Int32Array) => {
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
          // A live worker keeps a Deno process alive: stdin is done, so is it.
          ended = true;
          worker?.terminate();
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
  };

  return {
    read(p) {
      if (ended) return Promise.resolve(null);
      // With no direct read in flight, nobody else is reading stdin: the
      // worker may take over, and its first read gets the next byte.
      if (
        !ringMode && !directInFlight && ctl !== undefined && Atomics.load(ctl, CTL_READY) === 1
      ) {
        ringMode = true;
        Atomics.store(ctl, CTL_GO, 1);
        Atomics.notify(ctl, CTL_GO);
      }
      return ringMode ? readRing(p, ring!, ctl!) : readDirect(p);
    },
    close() {
      worker?.terminate();
    },
    get mode() {
      if (ringMode) return "ring";
      if (ctl === undefined) return "direct";
      return Atomics.load(ctl, CTL_READY) === 1 ? "ready" : "booting";
    },
  };
}
