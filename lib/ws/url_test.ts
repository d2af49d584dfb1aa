import assert from "node:assert/strict";
import { looksLikeUrl, parseWsUrl, WsUrlError } from "./url.ts";

Deno.test("parseWsUrl reads host, port, path and query, with default ports", () => {
  assert.deepEqual(parseWsUrl("ws://example.test/chat?room=1"), {
    secure: false,
    host: "example.test",
    port: 80,
    path: "/chat?room=1",
    hostHeader: "example.test",
    text: "ws://example.test:80/chat?room=1",
  });
  const s = parseWsUrl("WSS://127.0.0.1:8443");
  assert.equal(s.secure, true);
  assert.equal(s.port, 8443);
  assert.equal(s.path, "/");
  assert.equal(s.hostHeader, "127.0.0.1:8443");
  assert.equal(parseWsUrl("wss://h").port, 443);
  assert.equal(parseWsUrl("ws://h?x=1").path, "/?x=1");
});

Deno.test("parseWsUrl takes IPv6 literals in brackets", () => {
  const u = parseWsUrl("ws://[::1]:9000/x");
  assert.equal(u.host, "::1");
  assert.equal(u.hostHeader, "[::1]:9000");
  assert.equal(u.text, "ws://[::1]:9000/x");
});

Deno.test("parseWsUrl percent-encodes spaces and non-ASCII in the path", () => {
  assert.equal(parseWsUrl("ws://h/a b/ä").path, "/a%20b/%C3%A4");
  assert.equal(parseWsUrl("ws://h/a%20b").path, "/a%20b");
});

Deno.test("parseWsUrl refuses what it cannot use, saying why", () => {
  const bad: [string, RegExp][] = [
    ["http://h/", /scheme must be ws or wss, not 'http'/],
    ["ws://", /no host/],
    ["ws:///x", /no host/],
    ["ws://h:0/", /bad port '0'/],
    ["ws://h:70000/", /bad port '70000'/],
    ["ws://h:/", /bad port ''/],
    ["ws://h:8x/", /bad host and port/],
    ["ws://user:pw@h/", /credentials/],
    ["ws://h/#top", /#fragment/],
    ["ws://1.2.3/", /not an IPv4 address/],
    ["ws://[nope]/", /not an IPv6 address/],
    ["ws://[::1/", /bad host and port/],
    ["ws://a b/", /bad host 'a b'/],
  ];
  for (const [text, re] of bad) {
    assert.throws(
      () => parseWsUrl(text),
      (e: Error) => e instanceof WsUrlError && re.test(e.message),
      text,
    );
  }
});

Deno.test("looksLikeUrl tells URLs from hosts", () => {
  assert.equal(looksLikeUrl("ws://h"), true);
  assert.equal(looksLikeUrl("https://h"), true);
  assert.equal(looksLikeUrl("::1"), false);
  assert.equal(looksLikeUrl("example.test"), false);
});
