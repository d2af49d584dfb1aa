import { assertEquals } from "../_test_utils.ts";
import { closestOptions, editDistance, splitGluedPorts, splitHostPort } from "./habits.ts";

Deno.test("splitGluedPorts splits a port glued to flags that take no value", () => {
  const table: [string[], string[]][] = [
    [["-l9999"], ["-l", "9999"]],
    [["-lvk9999"], ["-lvk", "9999"]],
    [["-ul53"], ["-ul", "53"]],
    [["-l0"], ["-l", "0"]],
    [["-l44"], ["-l", "44"]],
    [["-v", "-l9999", "-k"], ["-v", "-l", "9999", "-k"]],
  ];
  for (const [args, want] of table) assertEquals(splitGluedPorts(args), want, args.join(" "));
});

Deno.test("splitGluedPorts leaves values, -4/-6 and everything after -- alone", () => {
  const unchanged: string[][] = [
    ["-l4", "9999"], // listen over IPv4
    ["-lv6", "9999"],
    ["-p9999"], // a value already
    ["-lp9999"],
    ["-w5", "h", "1"],
    ["-o", "-l9999"], // the file -l9999
    ["-lo", "-l9999", "1"],
    ["--output", "-l9999", "h", "1"],
    ["--", "-l9999"],
    ["-9999"], // no flag before the digits
    ["-y9999"], // not a flag: reported as unknown
    ["--listen9999"],
  ];
  for (const args of unchanged) assertEquals(splitGluedPorts(args), args, args.join(" "));
});

Deno.test("splitHostPort reads HOST:PORT and [V6]:PORT, never a bare IPv6 address", () => {
  assertEquals(splitHostPort("localhost:9999"), { host: "localhost", port: "9999" });
  assertEquals(splitHostPort("127.0.0.1:80"), { host: "127.0.0.1", port: "80" });
  assertEquals(splitHostPort("[::1]:80"), { host: "::1", port: "80" });
  assertEquals(splitHostPort("h:20-30"), { host: "h", port: "20-30" });
  for (
    const text of ["::1", "fe80::1", "localhost", "9999", "h:", ":80", "[::1]", "a:b:80", "h:http"]
  ) {
    assertEquals(splitHostPort(text), undefined, text);
  }
});

Deno.test("closestOptions suggests the nearest long option, a unique prefix, or nothing", () => {
  assertEquals(closestOptions("sslx"), ["ssl"]);
  assertEquals(closestOptions("lsiten"), ["listen"]);
  assertEquals(closestOptions("verbos"), ["verbose"]);
  assertEquals(closestOptions("ssl-trust"), ["ssl-trustfile"]);
  assertEquals(closestOptions("keepopen"), ["keep-open"]);
  assertEquals(closestOptions("frobnicate"), []);
  assertEquals(closestOptions("x"), []);
  // Two equally close: both named; more: none.
  assertEquals(closestOptions("ab", ["abc", "abd"]), ["abc", "abd"]);
  assertEquals(closestOptions("ab", ["abc", "abd", "abe"]), []);
});

Deno.test("editDistance counts a swap of neighbours as one edit", () => {
  assertEquals(editDistance("", "abc"), 3);
  assertEquals(editDistance("abc", "abc"), 0);
  assertEquals(editDistance("lsiten", "listen"), 1);
  assertEquals(editDistance("sslx", "ssl"), 1);
  assertEquals(editDistance("kitten", "sitting"), 3);
});
