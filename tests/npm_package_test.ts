/**
 * The npm package (`npm/`), as a Node-only machine gets it: packed into a
 * tarball, installed from it into a temporary prefix (the `deno` dependency
 * comes from the npm registry), then `node_modules/.bin/socktool` moves
 * bytes over loopback and passes signals on.
 */

import assert from "node:assert/strict";
import denoConfig from "../deno.json" with { type: "json" };
import { spawn } from "./_test_utils/harness.ts";

const NPM_DIR = new URL("../npm/", import.meta.url).pathname;
const denoDir = Deno.execPath().replace(/\/[^/]*$/, "");
const env = {
  PATH: `${denoDir}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
  DENO: Deno.execPath(),
};

async function npm(args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command("npm", { args, cwd, env, stdout: "piped", stderr: "piped" })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  assert.equal(out.code, 0, `npm ${args.join(" ")}: ${text(out.stderr)}`);
  return text(out.stdout);
}

Deno.test("the npm package installs from its tarball and runs socktool through the deno package", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "socktool-npm-" });
  try {
    const tarball = (await npm(["pack", "--quiet", "--pack-destination", tmp], NPM_DIR)).trim()
      .split("\n").at(-1);
    assert.equal(tarball, `socktool-${denoConfig.version}.tgz`);
    const listing = await new Deno.Command("tar", { args: ["tzf", `${tmp}/${tarball}`] }).output();
    const files = new TextDecoder().decode(listing.stdout).split("\n").filter((f) => f !== "");
    for (const f of ["bin/socktool.cjs", "dist/main.js", "deno.json", "LICENSE", "package.json"]) {
      assert.ok(files.includes(`package/${f}`), `${f} is in the package`);
    }
    assert.deepEqual(
      files.filter((f) => f.endsWith(".ts")),
      [],
      "no TypeScript: Deno won't strip it in node_modules",
    );

    await npm([
      "install",
      "--quiet",
      "--no-audit",
      "--no-fund",
      "--prefix",
      `${tmp}/prefix`,
      `${tmp}/${tarball}`,
    ], tmp);
    const command = `${tmp}/prefix/node_modules/.bin/socktool`;
    const elsewhere = { cwd: tmp, env: { PATH: "/usr/bin:/bin" } };

    const version = await spawn(command, ["--version"], { ...elsewhere, stdin: "null" }).finish(
      20_000,
    );
    assert.equal(version.code, 0, version.stderr);
    assert.equal(new TextDecoder().decode(version.stdout), `socktool ${denoConfig.version}\n`);

    // A loopback transfer: the peer echoes what it got once socktool half-closes.
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const client = spawn(command, ["127.0.0.1", String(listener.addr.port)], elsewhere);
    const payload = new Uint8Array(256 * 1024).map((_, i) => (i * 31) & 0xff);
    const peer = (async () => {
      using conn = await listener.accept();
      const got: Uint8Array[] = [];
      const buf = new Uint8Array(65536);
      for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
        got.push(buf.slice(0, n));
      }
      for (const chunk of got) await conn.write(chunk);
    })();
    await client.write(payload);
    await client.closeStdin();
    const r = await client.finish(20_000);
    await peer;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.length, payload.length);
    assert.ok(r.stdout.every((b, i) => b === payload[i]), "the echo came back byte-exact");

    // The modes load as chunks of their own (lib/lazy.ts, npm/main.ts): -z is another one.
    const probe = await spawn(command, ["-z", "127.0.0.1", String(listener.addr.port)], {
      ...elsewhere,
      stdin: "null",
    }).finish(20_000);
    assert.equal(probe.code, 0, probe.stderr);

    // A signal sent to the launcher reaches socktool (SPEC §4: 143 on SIGTERM).
    const server = spawn(command, ["-lv", "127.0.0.1", "0"], elsewhere);
    await server.listeningPort(20_000);
    server.kill("SIGTERM");
    const s = await server.finish(20_000);
    assert.equal(s.code, 143, s.stderr);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("the npm package's version is deno.json's", async () => {
  const pkg = JSON.parse(await Deno.readTextFile(`${NPM_DIR}/package.json`));
  assert.equal(pkg.version, denoConfig.version);
  assert.equal(pkg.dependencies.deno, Deno.version.deno, "the deno dependency is the pinned Deno");
});
