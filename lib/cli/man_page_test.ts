import { assertEquals } from "../_test_utils.ts";
import { manPage } from "./man_page.ts";
import { parseHelp } from "./help_model.ts";

Deno.test("manPage escapes roff: hyphens, backslashes, a leading dot", () => {
  const page = manPage(
    parseHelp(`t — a tool

Options:
  -x, --xy-z FILE           path\\name; .dots

.starts with a dot
`),
    "1.0",
  );
  assertEquals(
    page.includes("\\fB\\-x\\fR, \\fB\\-\\-xy\\-z\\fR \\fIFILE\\fR\npath\\ename; .dots\n"),
    true,
    page,
  );
  assertEquals(page.includes("\n\\&.starts with a dot\n"), true, page);
  assertEquals(page.startsWith(".\\\" Made from 't --help'"), true);
  assertEquals(page.includes('.TH T 1 "" "t 1.0" "User Commands"'), true);
});
