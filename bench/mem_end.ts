/**
 * An ideal far end for rows 2a/2b: memory to socket, or socket to nowhere, in 1 MiB calls, with
 * no pipe on its side. Paired with nc, it shows nc's own ceiling in the same run: what no tool on
 * the other end of nc can exceed.
 *
 * - `send HOST PORT BYTES`: connects, waits for the first byte on stdin (the benchmark's start
 *   signal), sends BYTES zeros, half-closes, waits for the peer's end.
 * - `recv HOST PORT BYTES`: listens, takes one client, reads to its end, writes nothing; exits 1
 *   unless exactly BYTES came.
 *
 * @module
 */

const CHUNK = 1 << 20;

async function send(host: string, port: number, bytes: number): Promise<void> {
  const conn = await Deno.connect({ hostname: host, port });
  await Deno.stdin.read(new Uint8Array(1));
  const buf = new Uint8Array(CHUNK);
  for (let left = bytes; left > 0;) {
    const n = await conn.write(left >= CHUNK ? buf : buf.subarray(0, left));
    left -= n;
  }
  await conn.closeWrite();
  while (await conn.read(buf) !== null) { /* the peer's end */ }
  conn.close();
}

async function recv(host: string, port: number, bytes: number): Promise<number> {
  const listener = Deno.listen({ hostname: host, port });
  const conn = await listener.accept();
  listener.close();
  const buf = new Uint8Array(CHUNK);
  let got = 0;
  for (let n; (n = await conn.read(buf)) !== null;) got += n;
  conn.close();
  if (got === bytes) return 0;
  console.error(`mem_end: received ${got} of ${bytes} bytes`);
  return 1;
}

if (import.meta.main) {
  const [mode, host, port, bytes] = Deno.args;
  if (mode === "send") await send(host, Number(port), Number(bytes));
  else if (mode === "recv") Deno.exit(await recv(host, Number(port), Number(bytes)));
  else {
    console.error("usage: mem_end.ts send|recv HOST PORT BYTES");
    Deno.exit(2);
  }
}
