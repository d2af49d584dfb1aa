/**
 * The house rule of README's Design table: imports in lib/ only point down.
 * A folder may import itself, `errors.ts` and the folders listed for it.
 */
import assert from "node:assert/strict";

const LIB = new URL("../lib/", import.meta.url);

const MAY_IMPORT: Record<string, string[]> = {
  modes: ["cli", "serve", "session", "ws", "tls", "proxy", "probe", "transforms", "net", "io"],
  cli: ["serve", "session", "ws", "tls", "proxy", "probe", "transforms", "net", "io"],
  serve: ["session", "ws", "tls", "proxy", "probe", "transforms", "net", "io"],
  session: ["ws", "tls", "proxy", "probe", "transforms", "net", "io"],
  ws: ["net", "io"],
  tls: ["net", "io"],
  proxy: ["net", "io"],
  probe: ["net", "io"],
  transforms: ["io"],
  net: ["io"],
  io: [],
};

Deno.test("lib/ imports only point down (README's Design table)", () => {
  const wrong: string[] = [];
  for (const [folder, allowed] of Object.entries(MAY_IMPORT)) {
    for (const entry of Deno.readDirSync(new URL(`${folder}/`, LIB))) {
      if (!entry.name.endsWith(".ts") || entry.name.endsWith("_test.ts")) continue;
      if (entry.name.startsWith("_test_utils")) continue;
      const text = Deno.readTextFileSync(new URL(`${folder}/${entry.name}`, LIB));
      for (const m of text.matchAll(/(?:from|import\()\s*"\.\.\/([a-z_]+)\//g)) {
        if (!allowed.includes(m[1])) wrong.push(`${folder}/${entry.name} imports ${m[1]}/`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});
