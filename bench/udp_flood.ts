/**
 * Paced UDP sender for row 5: sends COUNT datagrams of SIZE bytes to 127.0.0.1:PORT at RATE per
 * second from one socket (so a listener that answers "the first peer" keeps receiving), then
 * prints one JSON line with what it achieved.
 *
 * First it sends one warm-up datagram and waits for a line on stdin: the benchmark sends that
 * line once the datagram came out of the receiver, so the timed flood meets a receiver that is
 * already in its receive loop (start-up is row 7's business) and that has chosen this socket
 * as its peer.
 *
 * Pacing is in 1 ms slices: the sender catches up to `rate × elapsed` and then yields to a timer,
 * so bursts are at most rate/1000 datagrams; the same sender feeds every tool.
 *
 * Run: `deno run -q --allow-net=127.0.0.1 --unstable-net bench/udp_flood.ts PORT RATE COUNT SIZE`
 * @module
 */

/** What one flood achieved. */
export interface FloodResult {
  sent: number;
  seconds: number;
  perSecond: number;
}

/**
 * Sends `count` datagrams of `size` bytes at `rate`/s to 127.0.0.1:`port`; with `go`, first one
 * warm-up datagram (not counted), then waits for `go` to settle.
 */
export async function udpFlood(
  port: number,
  rate: number,
  count: number,
  size: number,
  go?: Promise<unknown>,
): Promise<FloodResult> {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const to: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port };
  const buf = new Uint8Array(size).fill(0x61);
  if (go) {
    await sock.send(buf, to);
    await go;
  }
  const start = performance.now();
  let sent = 0;
  try {
    while (sent < count) {
      const due = Math.min(count, Math.ceil(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        await sock.send(buf, to);
        sent++;
      }
      if (sent < count) await new Promise((r) => setTimeout(r, 1));
    }
  } finally {
    sock.close();
  }
  const seconds = (performance.now() - start) / 1000;
  return { sent, seconds, perSecond: sent / seconds };
}

if (import.meta.main) {
  const [port, rate, count, size] = Deno.args.map(Number);
  const go = Deno.stdin.read(new Uint8Array(16));
  console.log(JSON.stringify(await udpFlood(port, rate, count, size, go)));
}
