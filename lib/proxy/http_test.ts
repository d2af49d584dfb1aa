import assert from "node:assert/strict";
import { basicCredentials, httpConnectHandshake } from "./http.ts";
import { ProxyFailure } from "./failure.ts";
import { readExact, readHttpHead } from "../io/read_exact.ts";
import { writeAll } from "../io/sink.ts";
import { connectToPeer, scriptedPeer } from "../net/_test_utils.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Plays an HTTP proxy: records the request head, answers `reply` in one write. */
function httpPeer(reply: string) {
  let request = "";
  const peer = scriptedPeer(async (conn) => {
    request = dec.decode(await readHttpHead(conn));
    await writeAll(conn, enc.encode(reply));
  });
  return { peer, request: () => request };
}

Deno.test("basicCredentials encodes user:pass as RFC 7617 shows, in UTF-8", () => {
  assert.equal(basicCredentials("Aladdin", "open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  assert.equal(basicCredentials("test", "123£"), "dGVzdDoxMjPCow==");
});

Deno.test("httpConnectHandshake asks for the tunnel with credentials and keeps the bytes after the reply", async () => {
  const { peer, request } = httpPeer("HTTP/1.1 200 Connection established\r\nVia: x\r\n\r\nTARGET");
  const conn = await connectToPeer(peer);
  await httpConnectHandshake(conn, { host: "::1", port: 443 }, { user: "u", pass: "p" });
  assert.equal(dec.decode(await readExact(conn, 6)), "TARGET");
  conn.close();
  await peer.done;
  assert.equal(
    request(),
    "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\nProxy-Authorization: Basic dTpw\r\n\r\n",
  );
});

Deno.test("httpConnectHandshake turns refusals into words", async () => {
  const cases: [string, boolean, RegExp, "proxy" | "target"][] = [
    [
      "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n",
      false,
      /^requires authentication \(407 Proxy Authentication Required; use --proxy-auth USER:PASS\)$/,
      "proxy",
    ],
    [
      "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n",
      true,
      /^authentication refused \(407 Proxy Authentication Required\)$/,
      "proxy",
    ],
    [
      "HTTP/1.0 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
      false,
      /^the proxy answered 403 Forbidden$/,
      "target",
    ],
    [
      "SSH-2.0-OpenSSH\r\n\r\n",
      false,
      /^not an HTTP proxy \(it answered 'SSH-2\.0-OpenSSH'\)$/,
      "proxy",
    ],
  ];
  for (const [reply, withAuth, re, about] of cases) {
    const { peer } = httpPeer(reply);
    const conn = await connectToPeer(peer);
    const auth = withAuth ? { user: "u", pass: "p" } : undefined;
    const err = await httpConnectHandshake(conn, { host: "h", port: 1 }, auth).catch((e) => e);
    assert.ok(err instanceof ProxyFailure, String(err));
    assert.match(err.message, re);
    assert.equal(err.about, about);
    conn.close();
    await peer.done;
  }
});

Deno.test("httpConnectHandshake understands a reply with bare LF line endings", async () => {
  for (const reply of ["HTTP/1.1 200 OK\n\n", "HTTP/1.0 200 Connection established\nVia: x\n\n"]) {
    const { peer } = httpPeer(`${reply}TARGET`);
    const conn = await connectToPeer(peer);
    await httpConnectHandshake(conn, { host: "h", port: 1 });
    assert.equal(dec.decode(await readExact(conn, 6)), "TARGET", JSON.stringify(reply));
    conn.close();
    await peer.done;
  }
  const { peer } = httpPeer("HTTP/1.1 403 Forbidden\n\n");
  const conn = await connectToPeer(peer);
  const err = await httpConnectHandshake(conn, { host: "h", port: 1 }).catch((e) => e);
  assert.ok(err instanceof ProxyFailure);
  assert.equal(err.message, "the proxy answered 403 Forbidden");
  conn.close();
  await peer.done;
});
