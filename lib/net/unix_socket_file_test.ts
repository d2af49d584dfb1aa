import assert from "node:assert/strict";
import { claimSocketPath, isWrongSocketType, removeSocketFile } from "./unix_socket_file.ts";
import { SocktoolError } from "../errors.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "socktool-unix-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

Deno.test("claimSocketPath accepts a path where nothing is", () =>
  withDir(async (dir) => {
    await claimSocketPath(`${dir}/free.sock`);
  }));

Deno.test("claimSocketPath replaces a stale socket file", () =>
  withDir(async (dir) => {
    const path = `${dir}/stale.sock`;
    // A closed datagram socket leaves its file behind (a closed Deno stream
    // listener removes its own), like a process that died.
    Deno.listenDatagram({ transport: "unixpacket", path }).close();
    assert.ok(await exists(path));
    await claimSocketPath(path);
    assert.ok(!(await exists(path)));
  }));

Deno.test("claimSocketPath refuses a path a stream listener holds, leaving it alone", () =>
  withDir(async (dir) => {
    const path = `${dir}/busy.sock`;
    const listener = Deno.listen({ transport: "unix", path });
    try {
      const err = await claimSocketPath(path).then(() => null, (e) => e);
      assert.ok(err instanceof SocktoolError);
      assert.equal(err.exitCode, 1);
      assert.match(err.message, /^listen .*busy\.sock: address already in use/);
      assert.ok(await exists(path));
    } finally {
      listener.close();
    }
  }));

Deno.test("claimSocketPath refuses a path a datagram socket holds", () =>
  withDir(async (dir) => {
    const path = `${dir}/dgram.sock`;
    const sock = Deno.listenDatagram({ transport: "unixpacket", path });
    try {
      await assert.rejects(() => claimSocketPath(path), /address already in use/);
    } finally {
      sock.close();
    }
  }));

Deno.test("claimSocketPath never removes a file that is not a socket", () =>
  withDir(async (dir) => {
    const path = `${dir}/plain.txt`;
    await Deno.writeTextFile(path, "keep me");
    await assert.rejects(() => claimSocketPath(path), /not a socket/);
    assert.equal(await Deno.readTextFile(path), "keep me");
    await removeSocketFile(path);
    assert.equal(await Deno.readTextFile(path), "keep me");
  }));

Deno.test("isWrongSocketType: a stream connect to a datagram socket, and nothing else", () =>
  withDir(async (dir) => {
    const path = `${dir}/d.sock`;
    const sock = Deno.listenDatagram({ transport: "unixpacket", path });
    try {
      const err = await Deno.connect({ transport: "unix", path }).then(() => null, (e) => e);
      assert.ok(isWrongSocketType(err));
      const missing = await Deno.connect({ transport: "unix", path: `${dir}/none.sock` })
        .then(() => null, (e) => e);
      assert.ok(!isWrongSocketType(missing));
      assert.ok(!isWrongSocketType(new Error("wrong type")));
    } finally {
      sock.close();
    }
  }));
