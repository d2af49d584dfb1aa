import { assertEquals } from "../_test_utils.ts";
import { escapeBytes, escapeText } from "./escape.ts";

Deno.test("escapeText shows ESC, BEL, CR, LF, DEL and C1 controls as octal escapes", () => {
  assertEquals(escapeText("a\x1b]0;pwned\x07b"), "a\\033]0;pwned\\007b");
  assertEquals(escapeText("x\r\ny\x7f"), "x\\015\\012y\\177");
  assertEquals(escapeText("c1:\u009b2J"), "c1:\\302\\2332J");
});

Deno.test("escapeText leaves tabs and valid UTF-8 text untouched", () => {
  assertEquals(escapeText("tab\there é 日本 🙂"), "tab\there é 日本 🙂");
});

Deno.test("escapeBytes escapes bytes that are not valid UTF-8", () => {
  const out = escapeBytes(new Uint8Array([0x41, 0xff, 0xc3]));
  assertEquals(new TextDecoder().decode(out), "A\\377\\303");
});
