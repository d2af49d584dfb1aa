import assert from "node:assert/strict";
import { enlargeReceiveBuffer, RECEIVE_BUFFER_BYTES } from "./receive_buffer.ts";

/** What Linux grants an unprivileged SO_RCVBUF request of `bytes` (and reports doubled). */
function granted(bytes: number): number {
  // Through cat: Deno wants --allow-all to read /proc.
  const out = new Deno.Command("cat", { args: ["/proc/sys/net/core/rmem_max"] }).outputSync();
  const max = Number(new TextDecoder().decode(out.stdout).trim());
  return 2 * Math.min(bytes, max);
}

Deno.test("enlargeReceiveBuffer raises the receive buffer of the UDP socket at an address", () => {
  for (const hostname of ["127.0.0.1", "::1"]) {
    let sock: Deno.DatagramConn;
    try {
      sock = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
    } catch {
      continue; // no IPv6 here
    }
    // Another socket beside it must not be taken for it.
    const other = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
    try {
      assert.equal(enlargeReceiveBuffer(sock.addr as Deno.NetAddr), granted(RECEIVE_BUFFER_BYTES));
      assert.equal(enlargeReceiveBuffer(other.addr as Deno.NetAddr, 300_000), granted(300_000));
    } finally {
      sock.close();
      other.close();
    }
  }
});

Deno.test("enlargeReceiveBuffer does nothing for an address no socket of this process has", () => {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (sock.addr as Deno.NetAddr).port;
  sock.close();
  assert.equal(enlargeReceiveBuffer({ transport: "udp", hostname: "127.0.0.1", port }), undefined);
});
