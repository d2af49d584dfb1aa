/**
 * `deno task install`: from a copy of the clone, into a temporary root; the
 * installed command then runs from another folder, after the clone is gone,
 * with the permissions of `deno.json` (TCP and UDP, which needs the `net`
 * unstable flag).
 */

import assert from "node:assert/strict";
import { isShipped, pathAdvice, permissionFlags } from "../scripts/install.ts";
import { spawn } from "./_test_utils/harness.ts";

const REPO = new URL("../", import.meta.url).pathname;

/** Copies what a clone holds that the install needs (sources, config, the script). */
async function copyClone(dest: string): Promise<void> {
  const out = await new Deno.Command("git", {
    args: [
      "ls-files",
      "-co",
      "--exclude-standard",
      "main.ts",
      "mod.ts",
      "deno.json",
      "deno.lock",
      "lib",
      "scripts",
    ],
    cwd: REPO,
  }).output();
  const files = new TextDecoder().decode(out.stdout).split("\n").filter((f) => f !== "");
  for (const file of files) {
    await Deno.mkdir(`${dest}/${file}`.replace(/\/[^/]*$/, ""), { recursive: true });
    await Deno.copyFile(`${REPO}/${file}`, `${dest}/${file}`).catch(() => {}); // deleted, not committed
  }
}

/** Runs `deno task -q install ARGS` in `cwd` with PATH `path`; returns its output. */
async function runInstall(cwd: string, args: string[], path: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "install", ...args],
    cwd,
    env: { PATH: path, HOME: Deno.env.get("HOME") ?? "/root", DENO_NO_UPDATE_CHECK: "1" },
    clearEnv: true,
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

const denoDir = Deno.execPath().replace(/\/[^/]*$/, "");

Deno.test("deno task install: the command runs from anywhere, after the clone is gone", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "socktool-install-" });
  try {
    const clone = `${tmp}/clone`;
    await copyClone(clone);
    const path = `${denoDir}:/usr/bin:/bin`;
    const r = await runInstall(clone, ["--root", `${tmp}/root`], path);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `^installed socktool \\d+\\.\\d+\\.\\d+ in ${tmp}/root/bin ` +
          `\\(not on your PATH; add it: export PATH="${tmp}/root/bin:\\$PATH"\\)\\n`,
      ),
    );
    await Deno.remove(clone, { recursive: true });

    const elsewhere = `${tmp}/elsewhere`;
    await Deno.mkdir(elsewhere);
    const command = `${tmp}/root/bin/socktool`;
    const env = { PATH: path };
    const version = spawn(command, ["--version"], { cwd: elsewhere, env, stdin: "null" });
    const v = await version.finish(10_000);
    assert.equal(v.code, 0, v.stderr);
    assert.match(new TextDecoder().decode(v.stdout), /^socktool \d+\.\d+\.\d+\n$/);

    // TCP with the net permission.
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const client = spawn(command, ["127.0.0.1", String(listener.addr.port)], {
      cwd: elsewhere,
      env,
    });
    using conn = await listener.accept();
    await client.write("over tcp\n");
    await client.closeStdin();
    const got = new Uint8Array(64);
    let n = 0;
    for (
      let k = await conn.read(got.subarray(n));
      k !== null;
      k = await conn.read(got.subarray(n))
    ) {
      n += k;
    }
    assert.equal(new TextDecoder().decode(got.subarray(0, n)), "over tcp\n");
    await conn.closeWrite();
    assert.equal((await client.finish(10_000)).code, 0);

    // UDP needs the `net` unstable flag of deno.json.
    const sock = Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" });
    const udp = spawn(command, [
      "-u",
      "-q",
      "0",
      "127.0.0.1",
      String((sock.addr as Deno.NetAddr).port),
    ], {
      cwd: elsewhere,
      env,
    });
    await udp.write("over udp");
    await udp.closeStdin();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("no datagram within 10 s")), 10_000);
    });
    try {
      const [datagram] = await Promise.race([sock.receive(), late]);
      assert.equal(new TextDecoder().decode(datagram), "over udp");
    } finally {
      clearTimeout(timer);
      sock.close();
    }
    const u = await udp.finish(10_000);
    assert.equal(u.code, 0, u.stderr);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("deno task install says when its folder is on PATH already", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "socktool-install-" });
  try {
    const r = await runInstall(
      REPO,
      ["--root", `${tmp}/root`],
      `${tmp}/root/bin:${denoDir}:/usr/bin:/bin`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^installed socktool \S+ in \S+ \(on your PATH: try socktool --help\)\n/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("install: permissionFlags names each permission and the unstable features", () => {
  assert.deepEqual(
    permissionFlags({ net: true, read: true, ffi: ["/a.so", "/b.so"], sys: false }, ["net"]),
    ["--allow-net", "--allow-read", "--allow-ffi=/a.so,/b.so", "--unstable-net"],
  );
});

Deno.test("install: pathAdvice writes the PATH line with $HOME when it can", () => {
  assert.equal(
    pathAdvice("/home/u/.deno/bin", "/usr/bin:/bin", "/home/u"),
    'not on your PATH; add it: export PATH="$HOME/.deno/bin:$PATH"',
  );
  assert.equal(
    pathAdvice("/opt/x/bin", "/usr/bin:/opt/x/bin/", "/home/u"),
    "on your PATH: try socktool --help",
  );
});

Deno.test("install: ships the sources only, as publish does", () => {
  assert.deepEqual(
    [
      "main.ts",
      "lib/io/sink.ts",
      "lib/io/sink_test.ts",
      "lib/_test_utils.ts",
      "tests/tcp_test.ts",
      "lib/x/_test_utils/a.ts",
      "bench/run.ts",
    ]
      .map(isShipped),
    [true, true, false, false, false, false, false],
  );
});
