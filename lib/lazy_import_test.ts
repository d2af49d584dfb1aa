import assert from "node:assert/strict";
import { lazyImport } from "./lazy_import.ts";

const ROOT = new URL("../", import.meta.url);

/** Every .ts file of the command: main.ts and lib/ (tests aside). */
function sources(): string[] {
  const out = [new URL("main.ts", ROOT).pathname];
  const walk = (dir: URL) => {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isDirectory) walk(new URL(`${e.name}/`, dir));
      else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
        out.push(new URL(e.name, dir).pathname);
      }
    }
  };
  walk(new URL("lib/", ROOT));
  return out;
}

Deno.test("lazyImport: every call names the same module in its type and its specifier", () => {
  const call = /lazyImport<typeof import\("([^"]+)"\)>\(\s*"([^"]+)",\s*import\.meta\.url,?\s*\)/g;
  let calls = 0;
  for (const path of sources()) {
    if (path.endsWith("/lib/lazy_import.ts")) continue;
    const text = Deno.readTextFileSync(path);
    const found = [...text.matchAll(call)];
    calls += found.length;
    for (const [, typed, loaded] of found) assert.equal(loaded, typed, path);
    // Each call must be of the checked shape (one that the pattern sees).
    const all = text.split("lazyImport<").length - 1;
    assert.equal(found.length, all, `${path}: a lazyImport call of another shape`);
    for (const [, spec] of found) {
      const target = new URL(spec, `file://${path}`);
      assert.ok(Deno.statSync(target).isFile, `${path}: ${spec} does not exist`);
    }
  }
  assert.ok(calls > 5, `found only ${calls} calls`);
});

Deno.test("deno task compile includes every module loaded with lazyImport", () => {
  const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT)));
  const included = new Set(
    [...String(config.tasks.compile).matchAll(/--include (\S+)/g)].map((m) => m[1]),
  );
  const call = /lazyImport<typeof import\("([^"]+)"\)>/g;
  for (const path of sources()) {
    if (path.endsWith("/lib/lazy_import.ts")) continue;
    for (const [, spec] of Deno.readTextFileSync(path).matchAll(call)) {
      const target = new URL(spec, `file://${path}`).pathname.slice(ROOT.pathname.length);
      assert.ok(included.has(target), `${target} (from ${path}) is not --include'd`);
    }
  }
});

Deno.test("lazyImport loads a module relative to the caller", async () => {
  const mod = await lazyImport<typeof import("./lazy_import.ts")>(
    "./lazy_import.ts",
    import.meta.url,
  );
  assert.equal(mod.lazyImport, lazyImport);
});
