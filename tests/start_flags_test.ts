import assert from "node:assert/strict";
import { socktoolCommand } from "./_test_utils/harness.ts";

const config = JSON.parse(
  Deno.readTextFileSync(new URL("../deno.json", import.meta.url)),
) as { tasks: Record<string, string> };

Deno.test("the tests run socktool with the deno run flags of deno.json's start task", () => {
  if (Deno.env.get("SOCKTOOL_CMD")) return; // pointed elsewhere on purpose
  const words = config.tasks.start.split(/\s+/);
  const flags = words.slice(
    words.indexOf("run") + 1,
    words.findIndex((w) => w.endsWith("main.ts")),
  );
  const cmd = socktoolCommand();
  for (const flag of flags) assert.ok(cmd.includes(flag), `${flag} missing from ${cmd.join(" ")}`);
});

Deno.test("compile and install bake in the start task's V8 flags", () => {
  const v8 = config.tasks.start.split(/\s+/).filter((w) => w.startsWith("--v8-flags="));
  for (const flag of v8) assert.ok(config.tasks.compile.includes(flag), `compile: ${flag}`);
  // deno task install runs scripts/install.ts, which takes them from the start task.
  const install = Deno.readTextFileSync(new URL("../scripts/install.ts", import.meta.url));
  assert.match(config.tasks.install, /scripts\/install\.ts/);
  assert.match(install, /tasks\.start\.split\(.*--v8-flags=/s);
});
