import assert from "node:assert/strict";
import { connectTcpFrom } from "./tcp_from.ts";
import { SocktoolError } from "../errors.ts";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function readToEnd(conn: Deno.Conn): Promise<Uint8Array> {
  const parts: number[] = [];
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return new Uint8Array(parts);
    for (let i = 0; i < n; i++) parts.push(buf[i]);
  }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

Deno.test("connectTcpFrom binds the source address and port it is given", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const sourcePort = freePort();
  const accepted = listener.accept();
  const conn = await connectTcpFrom("127.0.0.1", port, { sourceAddr: "127.0.0.2", sourcePort });
  const server = await accepted;
  try {
    const seen = server.remoteAddr as Deno.NetAddr;
    assert.equal(seen.hostname, "127.0.0.2");
    assert.equal(seen.port, sourcePort);
    assert.equal((conn.localAddr as Deno.NetAddr).port, sourcePort);
  } finally {
    conn.close();
    server.close();
    listener.close();
  }
});

Deno.test("connectTcpFrom keeps half-close both ways", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepted = listener.accept();
  const conn = await connectTcpFrom("127.0.0.1", port, { sourceAddr: "127.0.0.1" });
  const server = await accepted;
  const enc = new TextEncoder();
  try {
    // The peer half-closes first: we still send, and it still receives.
    await writeAll(server, enc.encode("from server"));
    await server.closeWrite();
    assert.equal(new TextDecoder().decode(await readToEnd(conn)), "from server");
    await writeAll(conn, enc.encode("late reply"));
    await conn.closeWrite();
    assert.equal(new TextDecoder().decode(await readToEnd(server)), "late reply");
  } finally {
    conn.close();
    server.close();
    listener.close();
  }
});

Deno.test("connectTcpFrom carries 4 MiB each way at once without loss", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepted = listener.accept();
  const conn = await connectTcpFrom("127.0.0.1", port, { sourcePort: freePort() });
  const server = await accepted;
  const up = new Uint8Array(4 << 20).map((_, i) => (i * 7) & 0xff);
  const down = new Uint8Array(4 << 20).map((_, i) => (i * 13) & 0xff);
  try {
    const [gotUp, gotDown] = await Promise.all([
      readToEnd(server),
      readToEnd(conn),
      writeAll(conn, up).then(() => conn.closeWrite()),
      writeAll(server, down).then(() => server.closeWrite()),
    ]);
    assert.ok(gotUp.length === up.length && gotUp.every((b, i) => b === up[i]));
    assert.ok(gotDown.length === down.length && gotDown.every((b, i) => b === down[i]));
  } finally {
    conn.close();
    server.close();
    listener.close();
  }
});

Deno.test("connectTcpFrom names the step that failed", async () => {
  const holder = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const busy = (holder.addr as Deno.NetAddr).port;
  const closed = freePort();
  try {
    await assert.rejects(
      () => connectTcpFrom("127.0.0.1", closed, { sourcePort: busy, sourceAddr: "127.0.0.1" }),
      (e: SocktoolError) => {
        assert.equal(e.message, `bind 127.0.0.1:${busy}: address already in use`);
        assert.equal(e.exitCode, 1);
        return true;
      },
    );
    await assert.rejects(
      () => connectTcpFrom("127.0.0.1", closed, { sourceAddr: "127.0.0.1" }),
      { message: `connect 127.0.0.1:${closed}: connection refused` },
    );
    await assert.rejects(
      () => connectTcpFrom("::1", closed, { sourceAddr: "127.0.0.1" }),
      // The command line refuses this first (cli/rules.ts); a library caller gets a RangeError.
      (e: Error) => e instanceof RangeError && /IPv4 address, but ::1/.test(e.message),
    );
  } finally {
    holder.close();
  }
});
