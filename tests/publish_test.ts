/**
 * What `deno publish` would send to JSR: the library and the command's
 * sources, README and LICENSE, nothing else (no tests, test helpers, bench,
 * CI or npm files), and the dry run passes JSR's checks (slow types,
 * license, exports), with one warning, about lib/lazy.ts's import.
 */

import assert from "node:assert/strict";
import { isShipped } from "../scripts/install.ts";

const REPO = new URL("../", import.meta.url).pathname;

Deno.test("deno publish --dry-run ships exactly the sources, README and LICENSE", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: REPO,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  // One warning, and the right one: lib/lazy.ts imports a URL built at run
  // time (out of the start-up graph), relative to itself, no import map.
  const warnings = [...text.matchAll(/^warning\[([^\]]+)\][^\n]*\n\s*--> (\S+):\d+:\d+$/gm)]
    .map((m) => `${m[1]} ${m[2].slice(REPO.length)}`);
  assert.deepEqual(warnings, ["unanalyzable-dynamic-import lib/lazy.ts"], text);
  const published = [...text.matchAll(/^\s+file:\/\/(\S+) \(/gm)]
    .map((m) => m[1].slice(REPO.length)).sort();

  const tracked = await new Deno.Command("git", {
    args: ["ls-files", "-co", "--exclude-standard"],
    cwd: REPO,
  }).output();
  // A set: during a merge, git lists a conflicted file once per stage.
  const expected = [...new Set(new TextDecoder().decode(tracked.stdout).split("\n"))]
    .filter((f) =>
      f !== "" && f !== "deno.lock" && (isShipped(f) || f === "README.md" || f === "LICENSE")
    )
    .filter((f) => {
      try {
        return Deno.statSync(`${REPO}${f}`).isFile;
      } catch {
        return false; // deleted, not committed yet
      }
    })
    .sort();
  assert.deepEqual(published, expected);
});
