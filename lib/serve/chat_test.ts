import assert from "node:assert/strict";
import { ChatLines, neutralise } from "./chat.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("neutralise escapes C0 controls and DEL, keeps tab and text", () => {
  assert.equal(dec(neutralise(enc("a\tb"))), "a\tb");
  assert.equal(dec(neutralise(enc("\x1b[2J\x07bell\x7f"))), "\\033[2J\\007bell\\177");
  assert.equal(dec(neutralise(enc("\x00"))), "\\000");
});

Deno.test("neutralise drops the CR of a CRLF line end but escapes a CR inside a line", () => {
  assert.equal(dec(neutralise(enc("hello\r"))), "hello");
  assert.equal(dec(neutralise(enc("over\rwrite"))), "over\\015write");
});

Deno.test("neutralise keeps valid UTF-8 and escapes C1 controls and invalid bytes", () => {
  assert.equal(dec(neutralise(enc("héllo wörld ✓ 😀"))), "héllo wörld ✓ 😀");
  assert.equal(dec(neutralise(new Uint8Array([0xc2, 0x9b, 0x41]))), "\\302\\233A"); // U+009B CSI
  assert.equal(dec(neutralise(new Uint8Array([0x9b, 0x41]))), "\\233A"); // a lone 8-bit CSI
  assert.equal(dec(neutralise(new Uint8Array([0xe2, 0x82]))), "\\342\\202"); // truncated
  assert.equal(dec(neutralise(new Uint8Array([0xc0, 0xaf]))), "\\300\\257"); // overlong
  assert.equal(dec(neutralise(new Uint8Array([0xed, 0xa0, 0x80]))), "\\355\\240\\200"); // surrogate
});

Deno.test("ChatLines prefixes each line and holds a partial line for the next chunk", () => {
  const lines = new ChatLines("user1");
  assert.equal(dec(lines.push(enc("hel"))), "");
  assert.equal(dec(lines.push(enc("lo\nwor"))), "<user1> hello\n");
  assert.equal(dec(lines.push(enc("ld\r\n\n"))), "<user1> world\n<user1> \n");
  assert.equal(dec(lines.push(enc("tail"))), "");
  assert.equal(dec(lines.flush()), "<user1> tail\n");
  assert.equal(dec(lines.flush()), "");
});

Deno.test("ChatLines cuts a line longer than the limit into pieces", () => {
  const lines = new ChatLines("u", 4);
  assert.equal(dec(lines.push(enc("abcdefghij"))), "<u> abcd\n<u> efgh\n");
  assert.equal(dec(lines.push(enc("\n"))), "<u> ij\n");
});

Deno.test("ChatLines keeps a UTF-8 character split across chunks whole", () => {
  const lines = new ChatLines("u");
  const bytes = enc("é\n");
  assert.equal(dec(lines.push(bytes.subarray(0, 1))), "");
  assert.equal(dec(lines.push(bytes.subarray(1))), "<u> é\n");
});
