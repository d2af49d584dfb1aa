/**
 * The committed manual page is the one `deno task man` makes from `--help`
 * now, and it is a page groff reads without a warning.
 *
 * @module
 */

import assert from "node:assert/strict";
import { currentManPage, MAN_PAGE_PATH } from "../scripts/man.ts";
import { OPTION_TABLE } from "../lib/cli/option_table.ts";
import { spawnSocktool } from "./_test_utils/harness.ts";

Deno.test("socktool.1 is what `deno task man` makes from --help now", async () => {
  const committed = await Deno.readTextFile(MAN_PAGE_PATH);
  const fresh = currentManPage();
  if (committed === fresh) return;
  const [a, b] = [committed.split("\n"), fresh.split("\n")];
  const i = a.findIndex((line, n) => line !== b[n]);
  assert.fail(
    `socktool.1 is stale (run \`deno task man\`): line ${i + 1} is\n  ${a[i]}\nshould be\n  ${
      b[i]
    }`,
  );
});

Deno.test("the man page names every option and renders with groff without a warning", async () => {
  const page = currentManPage();
  for (const name of Object.keys(OPTION_TABLE)) {
    assert.ok(page.includes(`\\fB\\-\\-${name.replaceAll("-", "\\-")}\\fR`), `--${name}`);
  }
  const groff = new Deno.Command("groff", {
    args: ["-man", "-Tutf8", "-ww", "-z", MAN_PAGE_PATH],
    stderr: "piped",
  });
  const { code, stderr } = await groff.output();
  assert.deepEqual([code, new TextDecoder().decode(stderr)], [0, ""]);
});

Deno.test("the man page and --help come from one text: the same option lines", async () => {
  const run = await spawnSocktool(["--help"], { stdin: "null" }).finish();
  assert.equal(run.code, 0);
  const help = new TextDecoder().decode(run.stdout);
  // Every description in --help is in the page, word for word once roff-escaped.
  const page = currentManPage();
  for (const line of help.split("\n")) {
    const m = /^ {2}(?:-\S, | {4})--\S+(?: \S+)? {2,}(\S.*)$/.exec(line);
    if (m) assert.ok(page.includes(m[1].replaceAll("-", "\\-")), m[1]);
  }
});
