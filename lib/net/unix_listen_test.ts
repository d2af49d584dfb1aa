import assert from "node:assert/strict";
import { listenUnix } from "./unix_listen.ts";

Deno.test("listenUnix serves a client and removes its socket file on close", async () => {
  const dir = await Deno.makeTempDir({ prefix: "socktool-unix-" });
  const path = `${dir}/l.sock`;
  try {
    const listener = await listenUnix(path);
    assert.equal(listener.addr.path, path);
    const [server, client] = await Promise.all([
      listener.accept(),
      Deno.connect({ transport: "unix", path }),
    ]);
    await client.write(new TextEncoder().encode("hi"));
    const buf = new Uint8Array(8);
    assert.equal(await server.read(buf), 2);
    server.close();
    client.close();
    listener.close();
    listener.close(); // twice is fine
    assert.ok(!(await Deno.lstat(path).then(() => true, () => false)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
