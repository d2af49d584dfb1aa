import assert from "node:assert/strict";
import {
  descriptorOfPath,
  explainRefusal,
  openDescriptorPath,
  readTextAtPath,
  readThroughLibc,
  RefusedPathError,
} from "./fd_path.ts";
import { causeInWords } from "../errors.ts";
import { openLibc } from "./libc.ts";

const linux = Deno.build.os === "linux";

Deno.test("descriptorOfPath names the descriptor of /dev/std*, /dev/fd/N, /proc/self/fd/N, and no other", () => {
  const table: [string, number | undefined][] = [
    ["/dev/stdin", 0],
    ["/dev/stdout", 1],
    ["/dev/stderr", 2],
    ["/dev/fd/0", 0],
    ["/dev/fd/63", 63],
    ["/proc/self/fd/2", 2],
    ["/proc/self/fd/12", 12],
    ["/dev/fd/", undefined],
    ["/dev/fd/x", undefined],
    ["/dev/fd/1/", undefined],
    ["/proc/1/fd/1", undefined],
    ["/dev/shm/x", undefined],
    ["dev/stdout", undefined],
    ["/tmp/stdout", undefined],
  ];
  for (const [path, fd] of table) assert.equal(descriptorOfPath(path), fd, path);
});

Deno.test("explainRefusal turns Deno's NotCapable for /dev, /proc, /sys into a RefusedPathError", async () => {
  const err = await Deno.open("/dev/shm/socktool-never", { write: true, create: true })
    .then((f) => (f.close(), null), (e) => e);
  // The test permission set, like socktool's, is not --allow-all.
  assert.ok(err instanceof Deno.errors.NotCapable);
  const explained = explainRefusal("/dev/shm/socktool-never", err);
  assert.ok(explained instanceof RefusedPathError);
  assert.equal((explained as Error).cause, err);
  assert.match(causeInWords(explained), /^refused by Deno, which opens files under \/dev, \/proc/);
  assert.ok(explainRefusal("/proc/self/status", err) instanceof RefusedPathError);
  assert.equal(explainRefusal("/home/x", err), err);
  const other = new Deno.errors.NotFound("gone");
  assert.equal(explainRefusal("/dev/shm/x", other), other);
});

Deno.test(
  "readThroughLibc reads /proc/net/unix, which Deno refuses",
  { ignore: !linux },
  async () => {
    const table = await readThroughLibc("/proc/net/unix");
    assert.ok(table !== undefined);
    assert.match(new TextDecoder().decode(table), /^Num/);
    await assert.rejects(() => readThroughLibc("/proc/self/no-such-file"), Deno.errors.NotFound);
  },
);

Deno.test("readTextAtPath reads an ordinary file, and says why for a refused path", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(path, "127.0.0.1\n");
    assert.equal(await readTextAtPath(path), "127.0.0.1\n");
  } finally {
    await Deno.remove(path);
  }
  const err = await readTextAtPath("/proc/self/status").then(() => null, (e) => e);
  assert.ok(err instanceof RefusedPathError);
});

Deno.test("descriptor paths refuse the runtime's own descriptors (close-on-exec)", {
  ignore: !linux,
}, async () => {
  // A file Deno opened is close-on-exec: never one the shell handed over.
  const path = await Deno.makeTempFile();
  using file = await Deno.open(path, { read: true, write: true });
  try {
    await Deno.writeTextFile(path, "keep me");
    // Its number, found the way stdout_fd.ts does: readlink through libc.
    const libc = openLibc(
      {
        readlink: { parameters: ["buffer", "buffer", "usize"], result: "isize" },
      } as const,
    )!;
    let fd: number | undefined;
    try {
      const buf = new Uint8Array(4096);
      for (let n = 3; n < 1024 && fd === undefined; n++) {
        const link = new TextEncoder().encode(`/proc/self/fd/${n}\0`);
        const len = Number(libc.symbols.readlink(link, buf, BigInt(buf.length)));
        if (len > 0 && new TextDecoder().decode(buf.subarray(0, len)) === path) fd = n;
      }
    } finally {
      libc.close();
    }
    assert.ok(fd !== undefined);
    assert.throws(() => openDescriptorPath(`/dev/fd/${fd}`, false), /not handed to socktool/);
    await assert.rejects(() => readTextAtPath(`/proc/self/fd/${fd}`), /not handed to socktool/);
    assert.equal(await Deno.readTextFile(path), "keep me");
    assert.ok(file);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("openDescriptorPath: stderr is written in place, other paths are not descriptors", () => {
  assert.equal(openDescriptorPath("/tmp/x.log", false), undefined);
  const err = openDescriptorPath("/dev/stderr", false);
  assert.equal(err?.kind, "stderr");
  assert.equal(err?.writeSync(new Uint8Array()), 0);
  err?.close();
});
