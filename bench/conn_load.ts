/**
 * Connection-rate load client for row 4: `CONCURRENCY` loops, each opening a TCP connection to
 * 127.0.0.1:PORT, sending 100 bytes, reading the same 100 bytes back, closing, and starting over,
 * for DURATION_MS. Prints one JSON line: successes, errors, connections/s, latency percentiles.
 *
 * Run: `deno run -q --allow-net=127.0.0.1 bench/conn_load.ts PORT CONCURRENCY DURATION_MS`
 * @module
 */

/** What one load run measured. */
export interface LoadResult {
  ok: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  firstError: string | null;
}

const PAYLOAD = 100;
const OP_TIMEOUT_MS = 5000;

async function oneExchange(port: number, payload: Uint8Array): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }, OP_TIMEOUT_MS);
  try {
    let off = 0;
    while (off < payload.length) off += await conn.write(payload.subarray(off));
    const got = new Uint8Array(PAYLOAD);
    let n = 0;
    while (n < PAYLOAD) {
      const r = await conn.read(got.subarray(n));
      if (r === null) throw new Error(`echo ended after ${n} of ${PAYLOAD} bytes`);
      n += r;
    }
    for (let i = 0; i < PAYLOAD; i++) {
      if (got[i] !== payload[i]) throw new Error("echo returned different bytes");
    }
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // The timer closed it.
    }
  }
}

/** Hammers 127.0.0.1:`port` with `concurrency` open-send-read-close loops for `durationMs`. */
export async function connLoad(
  port: number,
  concurrency: number,
  durationMs: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const start = performance.now();
  const end = start + durationMs;
  const payload = new Uint8Array(PAYLOAD).map((_, i) => 32 + (i % 90));
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        await oneExchange(port, payload);
        latencies.push(performance.now() - t);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
        // A refusing server must not turn this into a busy loop.
        await new Promise((r) => setTimeout(r, 1));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies.length
      ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]
      : null;
  return {
    ok: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    firstError,
  };
}

if (import.meta.main) {
  const [port, concurrency, durationMs] = Deno.args.map(Number);
  console.log(JSON.stringify(await connLoad(port, concurrency, durationMs)));
}
