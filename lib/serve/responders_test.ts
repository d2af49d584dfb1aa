import assert from "node:assert/strict";
import {
  chargenLines,
  datagramResponder,
  daytimeLine,
  isServeName,
  SERVE_NAMES,
  stampLines,
  upperAscii,
} from "./responders.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null) => b === null ? null : new TextDecoder().decode(b);
const at = new Date(2024, 0, 2, 3, 4, 5);

Deno.test("every --serve name has a datagram responder", () => {
  for (const name of SERVE_NAMES) assert.equal(typeof datagramResponder(name), "function");
  assert.equal(isServeName("echo"), true);
  assert.equal(isServeName("qotd"), false);
});

Deno.test("echo answers a copy, discard answers nothing", () => {
  const input = enc("ping");
  const reply = datagramResponder("echo")(input)!;
  input.fill(0); // the input is lent: the reply must not share it
  assert.equal(dec(reply), "ping");
  assert.equal(datagramResponder("discard")(enc("x")), null);
});

Deno.test("upper changes ASCII letters only, so UTF-8 stays valid", () => {
  assert.equal(dec(datagramResponder("upper")(enc("héllo wörld 9\n"))), "HéLLO WöRLD 9\n");
  assert.deepEqual(
    upperAscii(new Uint8Array([0x61, 0xc3, 0xa9, 0x7a])),
    new Uint8Array([0x41, 0xc3, 0xa9, 0x5a]),
  );
});

Deno.test("timestamp prefixes every line of a datagram, and a datagram with no LF once", () => {
  assert.equal(
    dec(stampLines(enc("a\nb\n"), at)),
    "[2024-01-02 03:04:05] a\n[2024-01-02 03:04:05] b\n",
  );
  assert.equal(dec(stampLines(enc("no newline"), at)), "[2024-01-02 03:04:05] no newline");
  assert.equal(dec(stampLines(enc(""), at)), "[2024-01-02 03:04:05] ");
  assert.equal(
    dec(datagramResponder("timestamp", () => at)(enc("x\ny"))),
    "[2024-01-02 03:04:05] x\n[2024-01-02 03:04:05] y",
  );
});

Deno.test("daytime is a ctime(3) line with CRLF", () => {
  assert.equal(daytimeLine(new Date(2024, 2, 5, 14, 3, 2)), "Tue Mar  5 14:03:02 2024\r\n");
  assert.equal(
    dec(datagramResponder("daytime", () => at)(enc(""))),
    "Tue Jan  2 03:04:05 2024\r\n",
  );
});

Deno.test("chargen lines rotate through the 95 printable characters, 72 per line", () => {
  const two = dec(chargenLines(0, 2))!;
  assert.equal(two.length, 148);
  assert.equal(two.slice(0, 3), ' !"');
  assert.equal(two.slice(72, 74), "\r\n");
  assert.equal(two.slice(74, 77), '!"#');
  assert.equal(dec(chargenLines(94, 1))!.slice(0, 2), "~ ");
  const respond = datagramResponder("chargen");
  const first = respond(enc(""))!;
  const second = respond(enc(""))!;
  assert.equal(first.length, 444);
  assert.equal(dec(second)!.slice(0, 1), String.fromCharCode(0x20 + 6));
});
