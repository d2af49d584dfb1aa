/**
 * Worker side of {@linkcode ../stdin_ring.ts}: once booted, says so
 * (`CTL_READY`) and waits for the main thread's go (`CTL_GO`, given when
 * the main thread has no read of its own in flight), then reads stdin with
 * blocking `readSync` into a shared ring buffer, so the main thread never
 * waits for a thread hop per read. Stops at EOF or a read error.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { CTL_DONE, CTL_GO, CTL_READ, CTL_READY, CTL_WRITE } from "./ring_layout.ts";

self.onmessage = (e: MessageEvent<{ ring: SharedArrayBuffer; ctl: SharedArrayBuffer }>) => {
  const ring = new Uint8Array(e.data.ring);
  const ctl = new Int32Array(e.data.ctl);
  const mask = ring.length - 1;
  Atomics.store(ctl, CTL_READY, 1);
  while (Atomics.load(ctl, CTL_GO) === 0) Atomics.wait(ctl, CTL_GO, 0);
  let w = 0;
  for (;;) {
    let r = Atomics.load(ctl, CTL_READ);
    // Full ring: wait for the reader; this is the backpressure on stdin.
    while (ring.length - ((w - r) | 0) === 0) {
      Atomics.wait(ctl, CTL_READ, r);
      r = Atomics.load(ctl, CTL_READ);
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
      Atomics.store(ctl, CTL_DONE, 1);
      Atomics.notify(ctl, CTL_WRITE);
      return;
    }
    w = (w + n) | 0;
    Atomics.store(ctl, CTL_WRITE, w);
    Atomics.notify(ctl, CTL_WRITE);
  }
};
