/**
 * The program of the stdin worker of {@linkcode ../stdin_ring.ts}: it reads
 * stdin with blocking `readSync` into a shared ring buffer, so the main
 * thread never waits for a thread hop per read. Stops at EOF or a read error.
 *
 * The worker runs from a `data:` URL holding this program's source text
 * ({@linkcode stdinWorkerUrl}), not from this file: loading it then needs no
 * read permission, whether socktool runs from a clone, from JSR or as a
 * compiled binary, and a library user with only `--allow-net` can use
 * `stdioDuplex()`.
 *
 * @module
 */

import { CTL_DONE, CTL_READ, CTL_WRITE } from "./ring_layout.ts";

/** The one thing the worker's program touches of its global scope. */
interface WorkerScope {
  onmessage:
    | ((e: MessageEvent<{ ring: SharedArrayBuffer; ctl: SharedArrayBuffer }>) => void)
    | null;
}

/**
 * The worker's whole program. It runs from its source text, so it must use
 * nothing from outside its own body but globals: the ring's control slots
 * come in as arguments.
 */
function stdinWorkerMain(
  scope: WorkerScope,
  slots: { write: number; read: number; done: number },
): void {
  scope.onmessage = (e) => {
    const ring = new Uint8Array(e.data.ring);
    const ctl = new Int32Array(e.data.ctl);
    const mask = ring.length - 1;
    let w = 0;
    for (;;) {
      let r = Atomics.load(ctl, slots.read);
      // Full ring: wait for the reader; this is the backpressure on stdin.
      while (ring.length - ((w - r) | 0) === 0) {
        Atomics.wait(ctl, slots.read, r);
        r = Atomics.load(ctl, slots.read);
      }
      const free = ring.length - ((w - r) | 0);
      const at = w & mask;
      let n: number | null;
      try {
        n = Deno.stdin.readSync(ring.subarray(at, at + Math.min(free, ring.length - at)));
      } catch {
        n = null; // a closed or unreadable stdin ends input, as in netcat
      }
      if (n === null) {
        Atomics.store(ctl, slots.done, 1);
        Atomics.notify(ctl, slots.write);
        return;
      }
      w = (w + n) | 0;
      Atomics.store(ctl, slots.write, w);
      Atomics.notify(ctl, slots.write);
    }
  };
}

/**
 * The URL to start the stdin worker from: a `data:` URL of its program.
 *
 * @example
 * ```ts
 * const worker = new Worker(stdinWorkerUrl(), { type: "module" });
 * ```
 */
export function stdinWorkerUrl(): string {
  const slots = JSON.stringify({ write: CTL_WRITE, read: CTL_READ, done: CTL_DONE });
  const source = `(${stdinWorkerMain.toString()})(self, ${slots});\n`;
  return `data:text/javascript,${encodeURIComponent(source)}`;
}
