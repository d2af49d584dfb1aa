import assert from "node:assert/strict";
import { isIP } from "node:net";
import { ipLiteralVersion } from "./ip_literal.ts";

Deno.test("ipLiteralVersion agrees with node:net isIP on literals and near-misses", () => {
  const cases = [
    "127.0.0.1",
    "0.0.0.0",
    "255.255.255.255",
    "1.2.3.999",
    "1.2.3",
    "01.2.3.4",
    "1.2.3.4.5",
    "::",
    "::1",
    "fe80::1",
    "fe80::1%eth0",
    "2001:db8::8a2e:370:7334",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    "::ffff:127.0.0.1",
    "::ffff:1.2.3.999",
    "12345::",
    "localhost",
    "example.test",
    "",
    ":",
    ":::",
    "1:2:3:4:5:6:7::",
    "::1:2:3:4:5:6:7",
    "g::1",
    "[::1]",
    "fe80::1%",
  ];
  for (const c of cases) assert.equal(ipLiteralVersion(c), isIP(c), c);
});
