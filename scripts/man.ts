/**
 * `deno task man`: writes the manual page `socktool.1` at the repository's
 * root from the `--help` text (`lib/cli/man_page.ts`). Run it after editing
 * `lib/cli/usage.ts`; `lib/cli/man_page_test.ts` fails until you do.
 *
 * @module
 */

import denoConfig from "../deno.json" with { type: "json" };
import { USAGE } from "../lib/cli/usage.ts";
import { parseHelp } from "../lib/cli/help_model.ts";
import { manPage } from "../lib/cli/man_page.ts";

/** Where the page goes: `socktool.1` beside `deno.json`. */
export const MAN_PAGE_PATH: string = new URL("../socktool.1", import.meta.url).pathname;

/**
 * The page as it should be now.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile(MAN_PAGE_PATH, currentManPage());
 * ```
 */
export function currentManPage(): string {
  return manPage(parseHelp(USAGE), denoConfig.version);
}

if (import.meta.main) {
  await Deno.writeTextFile(MAN_PAGE_PATH, currentManPage());
  console.log(`wrote ${MAN_PAGE_PATH}`);
}
