import assert from "node:assert/strict";
import { absoluteSocketPath, sameSocketPath } from "./unix_datagram_path.ts";

Deno.test("absoluteSocketPath resolves a relative path against the working directory", () => {
  const cwd = Deno.cwd();
  assert.equal(absoluteSocketPath("srv.sock"), `${cwd}/srv.sock`);
  assert.equal(absoluteSocketPath("./a/../srv.sock"), `${cwd}/srv.sock`);
  assert.equal(absoluteSocketPath("/tmp//x/./y/../s.sock"), "/tmp/x/s.sock");
});

Deno.test("sameSocketPath: relative and absolute spellings of one file are the same peer", () => {
  const cwd = Deno.cwd();
  assert.ok(sameSocketPath("srv.sock", `${cwd}/srv.sock`));
  assert.ok(sameSocketPath(`${cwd}/srv.sock`, "./srv.sock"));
  assert.ok(!sameSocketPath("srv.sock", `${cwd}/other.sock`));
  assert.ok(!sameSocketPath("", ""), "an unbound sender is nobody");
});

Deno.test("sameSocketPath follows a symbolic link to the socket's directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "socktool-path-" });
  try {
    await Deno.mkdir(`${dir}/real`);
    await Deno.symlink(`${dir}/real`, `${dir}/link`);
    const sock = Deno.listenDatagram({ transport: "unixpacket", path: `${dir}/real/s.sock` });
    try {
      assert.ok(sameSocketPath(`${dir}/link/s.sock`, `${dir}/real/s.sock`));
      assert.ok(!sameSocketPath(`${dir}/link/none.sock`, `${dir}/real/s.sock`));
    } finally {
      sock.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
