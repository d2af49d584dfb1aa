/**
 * The library as another project sees it: every value `mod.ts` exports has
 * an example that imports `@socktool/socktool`, and each such example (and
 * each program in `examples/`) runs to completion from a temporary folder
 * outside this repository, importing `mod.ts` by file URL, with no
 * configuration file, only the permissions it needs and a deadline.
 */

import assert from "node:assert/strict";

const MOD_URL = new URL("../mod.ts", import.meta.url).href;
const EXAMPLES = new URL("../examples/", import.meta.url);
const DEADLINE_MS = 20_000;

/** The `@socktool/socktool` examples of each symbol `deno doc` lists for mod.ts ("(module)": the module doc's). */
function docExamples(): Map<string, string[]> {
  const out = new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", new URL("../mod.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "inherit",
    env: { DENO_NO_UPDATE_CHECK: "1" },
  }).outputSync();
  const json = JSON.parse(new TextDecoder().decode(out.stdout));
  type Tag = { kind: string; doc?: string };
  const examplesOf = (tags: Tag[] | undefined): string[] =>
    (tags ?? [])
      .filter((t) => t.kind === "example" && t.doc !== undefined)
      .flatMap((t) => [...t.doc!.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]))
      .filter((code) => code.includes(`from "@socktool/socktool"`));
  const found = new Map<string, string[]>();
  for (const node of Object.values(json.nodes) as Record<string, unknown>[]) {
    const moduleDoc = node.module_doc as { tags?: Tag[] } | undefined;
    if (moduleDoc) found.set("(module)", examplesOf(moduleDoc.tags));
    for (const symbol of node.symbols as { name: string; declarations: unknown[] }[]) {
      const codes = symbol.declarations.flatMap((d) =>
        examplesOf((d as { jsDoc?: { tags?: Tag[] } }).jsDoc?.tags)
      );
      found.set(symbol.name, [...(found.get(symbol.name) ?? []), ...codes]);
    }
  }
  return found;
}

/**
 * Runs `source` as a program of another project: written to a temporary
 * folder, `@socktool/socktool` replaced by mod.ts's file URL, no config.
 */
async function runProgram(
  source: string,
  permissions: readonly string[],
  opts: { args?: readonly string[]; stdin?: Uint8Array } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await Deno.makeTempDir({ prefix: "socktool-example-" });
  try {
    const file = `${dir}/program.ts`;
    await Deno.writeTextFile(
      file,
      source.replaceAll(`"@socktool/socktool"`, JSON.stringify(MOD_URL))
        .replaceAll(`"../mod.ts"`, JSON.stringify(MOD_URL)),
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "--no-config", ...permissions, file, ...(opts.args ?? [])],
      cwd: dir,
      stdin: opts.stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), DEADLINE_MS);
    if (opts.stdin) {
      const writer = child.stdin.getWriter();
      await writer.write(opts.stdin);
      await writer.close();
    }
    const out = await child.output();
    clearTimeout(timer);
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("mod.ts type-checks from another project with no configuration", async () => {
  const dir = await Deno.makeTempDir({ prefix: "socktool-check-" });
  try {
    await Deno.writeTextFile(
      `${dir}/program.ts`,
      `import * as socktool from ${
        JSON.stringify(MOD_URL)
      };\nconsole.log(Object.keys(socktool));\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "-q", "--no-config", `${dir}/program.ts`],
      cwd: dir,
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const examples = docExamples();
const exported = Object.keys(await import("../mod.ts")).sort();

Deno.test("every value mod.ts exports has an example that imports @socktool/socktool", () => {
  const missing = exported.filter((name) => !(examples.get(name)?.length));
  assert.deepEqual(missing, []);
  assert.ok(examples.get("(module)")?.length, "the module doc has an example");
});

Deno.test("mod.ts exports about two dozen values, all of them on purpose", () => {
  assert.ok(exported.length >= 20 && exported.length <= 30, `${exported.length}: ${exported}`);
});

/** What an example needs beyond the network. */
const EXTRA_PERMISSIONS: Record<string, string[]> = {
  connectUnix: ["--allow-read", "--allow-write"],
  listenUnix: ["--allow-read", "--allow-write"],
  // Deno asks `sys` for reading the system's CA store, which a TLS client trusts.
  connectTls: ["--allow-sys"],
  acceptTls: ["--allow-sys"],
};

for (const name of ["(module)", ...exported]) {
  for (const [i, code] of (examples.get(name) ?? []).entries()) {
    Deno.test(`the example ${i + 1} of ${name} runs with only what it needs`, async () => {
      const r = await runProgram(code, ["--allow-net", ...(EXTRA_PERMISSIONS[name] ?? [])]);
      assert.equal(r.code, 0, `exit ${r.code}\n${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    });
  }
}

const example = (file: string) => Deno.readTextFile(new URL(file, EXAMPLES));
const PROGRAMS = ["relay_to_stdio.ts", "echo_streams.ts", "tls_client.ts"];

Deno.test("examples/relay_to_stdio.ts relays stdin and stdout and exits by itself, with --allow-net", async () => {
  // A server that reads the request to its end (the half-close), then answers.
  using server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    using conn = await server.accept();
    let total = 0;
    const buf = new Uint8Array(65536);
    for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) total += n;
    await conn.write(new TextEncoder().encode(`got ${total} bytes\n`));
  })();
  const input = new Uint8Array(1024 * 1024 + 3).fill(0x61);
  const r = await runProgram(await example("relay_to_stdio.ts"), ["--allow-net"], {
    args: ["127.0.0.1", String(server.addr.port)],
    stdin: input,
  });
  await serving;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `got ${input.length} bytes\n`);
  assert.equal(r.stderr, `sent ${input.length} bytes, received ${r.stdout.length} bytes\n`);
});

Deno.test("examples/relay_to_stdio.ts reports a refused connection in one line, exit 1", async () => {
  const port = (() => {
    using l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    return l.addr.port;
  })();
  const r = await runProgram(await example("relay_to_stdio.ts"), ["--allow-net"], {
    args: ["127.0.0.1", String(port)],
    stdin: new Uint8Array(0),
  });
  assert.deepEqual([r.code, r.stderr], [
    1,
    `relay: connect 127.0.0.1:${port}: connection refused\n`,
  ]);
});

Deno.test("examples/echo_streams.ts echoes through Web Streams and exits by itself, with --allow-net", async () => {
  const r = await runProgram(await example("echo_streams.ts"), ["--allow-net"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "echoed: hello, echo\n");
  assert.match(r.stderr, /^echo server on 127\.0\.0\.1:\d+\n$/);
});

Deno.test("examples/tls_client.ts verifies its local server and reads its greeting, with --allow-net --allow-sys", async () => {
  const r = await runProgram(await example("tls_client.ts"), ["--allow-net", "--allow-sys"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "hello over TLS\n");
  assert.match(r.stderr, /^TLSv1\.[23], server CN=socktool\n$/);
});

Deno.test("examples/ holds exactly the programs this test runs", async () => {
  const files = [];
  for await (const e of Deno.readDir(EXAMPLES)) files.push(e.name);
  assert.deepEqual(files.sort(), [...PROGRAMS].sort());
});
