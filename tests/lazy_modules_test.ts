/**
 * The modules socktool loads at run time (`lib/lazy.ts`) are found by every
 * way it ships: each is named once in `LazyModules` with its own type, has a
 * literal loader in the npm entry (which `deno bundle` follows), is
 * `--include`d by `deno task compile`, and loads by URL under `deno run`.
 * Nothing in the command's sources names a module of its own with a literal
 * `import()` any more (that would put it back in the start-up graph).
 */

import assert from "node:assert/strict";
import { load } from "../lib/lazy.ts";
import { NPM_LOADERS } from "../npm/main.ts";

const ROOT = new URL("../", import.meta.url);
const read = (path: string) => Deno.readTextFileSync(new URL(path, ROOT));

/** `LazyModules`' entries in lib/lazy.ts: [name, the path its type imports]. */
function lazyEntries(): [string, string][] {
  const text = read("lib/lazy.ts");
  const body = text.slice(text.indexOf("export interface LazyModules {"));
  const entries = [
    ...body.slice(0, body.indexOf("\n}")).matchAll(
      /^\s+"([^"]+)": typeof import\("([^"]+)"\);$/gm,
    ),
  ].map((m) => [m[1], m[2]] as [string, string]);
  assert.ok(entries.length >= 10, `found only ${entries.length} entries in LazyModules`);
  return entries;
}

Deno.test("LazyModules: each name is the path of the module its type imports, and exists", () => {
  const names = new Set<string>();
  for (const [name, typed] of lazyEntries()) {
    assert.equal(new URL(typed, new URL("lib/lazy.ts", ROOT)).href, new URL(name, ROOT).href);
    assert.ok(Deno.statSync(new URL(name, ROOT)).isFile, `${name} exists`);
    assert.ok(!names.has(name), `${name} named once`);
    names.add(name);
  }
});

Deno.test("the npm entry has a literal loader for each lazily loaded module, of that module", () => {
  const names = lazyEntries().map(([name]) => name);
  assert.deepEqual(Object.keys(NPM_LOADERS).sort(), [...names].sort());
  const text = read("npm/main.ts");
  const loaders = [...text.matchAll(/^\s+"([^"]+)": \(\) => import\("([^"]+)"\),$/gm)];
  assert.equal(loaders.length, names.length, "one loader of the checked shape per module");
  for (const [, name, spec] of loaders) {
    assert.equal(new URL(spec, new URL("npm/main.ts", ROOT)).href, new URL(name, ROOT).href);
  }
});

Deno.test("deno task compile --includes every lazily loaded module", () => {
  const config = JSON.parse(read("deno.json"));
  const included = [...String(config.tasks.compile).matchAll(/--include (\S+)/g)].map((m) => m[1]);
  for (const [name] of lazyEntries()) assert.ok(included.includes(name), `${name} --include'd`);
  for (const path of included) assert.ok(Deno.statSync(new URL(path, ROOT)).isFile, path);
});

Deno.test("the command's sources load their own modules only through lib/lazy.ts", () => {
  const wrong: string[] = [];
  const check = (path: string) => {
    for (const line of read(path).split("\n")) {
      if (/^\s*(\*|\/\/|\/\*)/.test(line)) continue; // a comment
      for (const m of line.matchAll(/(?<!typeof )\bimport\(\s*["'`]([^"'`]+)/g)) {
        if (!m[1].startsWith("node:")) wrong.push(`${path}: import("${m[1]}")`);
      }
    }
  };
  check("main.ts");
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(new URL(dir, ROOT))) {
      const path = `${dir}${e.name}`;
      if (e.isDirectory) walk(`${path}/`);
      else if (
        e.name.endsWith(".ts") && !e.name.endsWith("_test.ts") && !path.includes("_test_utils")
      ) {
        check(path);
      }
    }
  };
  walk("lib/");
  assert.deepEqual(wrong, []);
});

Deno.test("load imports by URL the very module a static import gets", async () => {
  for (const [name] of lazyEntries()) {
    const byUrl = await load(name as keyof typeof NPM_LOADERS);
    const literal = await import(new URL(name, ROOT).href);
    assert.equal(byUrl, literal, name);
  }
});
