/**
 * Worker side of {@linkcode ../stdout_ring.ts}: writes what the main thread
 * puts in the shared ring to stdout with blocking `writeSync`, as much as has
 * gathered in one call. On a write error (stdout closed) it raises the done
 * flag and stops.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { CTL_DONE, CTL_READ, CTL_WRITE } from "./ring_layout.ts";

self.onmessage = (e: MessageEvent<{ ring: SharedArrayBuffer; ctl: SharedArrayBuffer }>) => {
  const ring = new Uint8Array(e.data.ring);
  const ctl = new Int32Array(e.data.ctl);
  const mask = ring.length - 1;
  let r = 0;
  for (;;) {
    let w = Atomics.load(ctl, CTL_WRITE);
    while (w === r) {
      Atomics.wait(ctl, CTL_WRITE, w);
      w = Atomics.load(ctl, CTL_WRITE);
    }
    const at = r & mask;
    const n = Math.min((w - r) | 0, ring.length - at);
    try {
      r = (r + Deno.stdout.writeSync(ring.subarray(at, at + n))) | 0;
    } catch {
      Atomics.store(ctl, CTL_DONE, 1);
      Atomics.notify(ctl, CTL_READ);
      return;
    }
    Atomics.store(ctl, CTL_READ, r);
    Atomics.notify(ctl, CTL_READ);
  }
};
