import assert from "node:assert/strict";
import { parseAuthority } from "./authority.ts";

Deno.test("parseAuthority reads host:port and [v6]:port, and nothing without a port", () => {
  assert.deepEqual(parseAuthority("example.com:443"), { host: "example.com", port: 443 });
  assert.deepEqual(parseAuthority("127.0.0.1:1"), { host: "127.0.0.1", port: 1 });
  assert.deepEqual(parseAuthority("[::1]:65535"), { host: "::1", port: 65535 });
  for (
    const bad of [
      "example.com",
      "example.com:",
      "[::1]",
      "[::1]:",
      "::1:80",
      "h:0",
      "h:65536",
      "h:123456",
      ":80",
      "[nothex]:80",
      "user@h:80",
      "h/x:80",
      "a b:80",
    ]
  ) {
    assert.equal(parseAuthority(bad), undefined, bad);
  }
});
