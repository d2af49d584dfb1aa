import assert from "node:assert/strict";
import { stdinWorkerUrl } from "./stdin_worker.ts";

/**
 * Runs a small program that imports `stdio.ts` by file URL, with no
 * permission at all (a library user's program with only `--allow-net` has
 * more), and gives it `input` on stdin, keeping stdin open when `input` is
 * `"open"`. Fails if the program has not exited by itself within 10 s.
 */
async function runProgram(
  body: string,
  input: Uint8Array | "open" | "null",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await Deno.makeTempDir();
  try {
    const stdio = new URL("./stdio.ts", import.meta.url).href;
    await Deno.writeTextFile(
      `${dir}/prog.ts`,
      `import { stdioDuplex } from ${JSON.stringify(stdio)};\n${body}\n`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-q", "--no-config", "--allow-net", `${dir}/prog.ts`],
      stdin: input === "null" ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const writer = input === "null" ? undefined : child.stdin.getWriter();
    if (input instanceof Uint8Array) {
      await writer!.write(input).catch(() => {});
      await writer!.close().catch(() => {});
    }
    const out = await child.output();
    clearTimeout(timer);
    await writer?.close().catch(() => {});
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const COUNT_TO_EOF = `
const stdio = stdioDuplex();
const buf = new Uint8Array(65536);
let total = 0;
for (let n = await stdio.read(buf); n !== null; n = await stdio.read(buf)) total += n;
await stdio.write(new TextEncoder().encode(String(total)));
await stdio.flush();
`;

Deno.test("stdioDuplex: a program that reads stdin to its end exits by itself, with no permission", async () => {
  const input = new Uint8Array(3 * 1024 * 1024 + 7).fill(0x61);
  const r = await runProgram(COUNT_TO_EOF, input);
  assert.equal(r.stderr, "");
  assert.deepEqual([r.code, r.stdout], [0, String(input.length)]);
});

Deno.test("stdioDuplex: a closed stdin reads as end of data, and the program exits", async () => {
  const r = await runProgram(COUNT_TO_EOF, "null");
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, "0", ""]);
});

Deno.test("stdioDuplex: a program that never reads stdin exits once it disposes the duplex", async () => {
  const r = await runProgram(
    `{ using stdio = stdioDuplex(); await stdio.write(new TextEncoder().encode("bye")); await stdio.flush(); }`,
    "open",
  );
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, "bye", ""]);
});

/** Whether util-linux `script` is here to give a program a terminal. */
function haveScript(): boolean {
  try {
    new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync();
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "stdioDuplex: on a terminal, close() ends a pending read and the program exits",
  ignore: !haveScript(),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const stdio = new URL("./stdio.ts", import.meta.url).href;
      await Deno.writeTextFile(
        `${dir}/prog.ts`,
        `import { stdioDuplex } from ${JSON.stringify(stdio)};
const stdio = stdioDuplex();
const pending = stdio.read(new Uint8Array(1024));
setTimeout(() => stdio.close(), 100);
console.log("read:", await pending);
`,
      );
      const command = `${Deno.execPath()} run -q --no-config ${dir}/prog.ts`;
      // `script` gives the program a terminal; our end of its input stays open.
      const child = new Deno.Command("script", {
        args: ["-qfec", command, "/dev/null"],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      }).spawn();
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const out = await child.output();
      clearTimeout(timer);
      await child.stdin.close().catch(() => {});
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, stdout);
      assert.match(stdout, /read: null/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("the stdin worker runs from a data: URL that needs nothing from outside", () => {
  const url = stdinWorkerUrl();
  assert.match(url, /^data:text\/javascript,/);
  const source = decodeURIComponent(url.slice(url.indexOf(",") + 1));
  assert.doesNotMatch(source, /\bimport\b/);
  // It parses as a script on its own.
  new Function(source);
});
