import assert from "node:assert/strict";
import { basicCredentials, httpConnectHandshake } from "./http.ts";
import { digestResponse, parseChallenges } from "./http_auth.ts";
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

Deno.test("httpConnectHandshake asks without credentials first, and keeps the bytes after the reply", async () => {
  const { peer, request } = httpPeer("HTTP/1.1 200 Connection established\r\nVia: x\r\n\r\nTARGET");
  const conn = await connectToPeer(peer);
  const tunnel = await httpConnectHandshake(conn, { host: "::1", port: 443 }, {
    user: "u",
    pass: "p",
  });
  assert.equal(tunnel, conn);
  assert.equal(dec.decode(await readExact(conn, 6)), "TARGET");
  conn.close();
  await peer.done;
  assert.equal(request(), "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n");
});

/**
 * Plays an HTTP proxy over successive connections: `replies[i]` answers the
 * i-th connection's request head, which is recorded.
 */
function proxyPeer(replies: string[]) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const requests: string[] = [];
  const done = (async () => {
    try {
      for (const reply of replies) {
        const conn = await listener.accept();
        try {
          requests.push(dec.decode(await readHttpHead(conn)));
          await writeAll(conn, enc.encode(reply));
        } finally {
          conn.close();
        }
      }
    } finally {
      listener.close();
    }
  })();
  const port = listener.addr.port;
  const reconnect = () => Deno.connect({ hostname: "127.0.0.1", port });
  return { port, requests, done, reconnect };
}

/** The Proxy-Authorization value of a recorded request head. */
const authorization = (head: string) => /\r\nProxy-Authorization: (.*)\r\n/.exec(head)?.[1];

const CHALLENGE_407 = "HTTP/1.0 407 Proxy Authentication Required\r\n";

Deno.test("httpConnectHandshake answers a 407 on a fresh connection: Basic when only Basic is offered", async () => {
  const p = proxyPeer([
    `${CHALLENGE_407}Proxy-Authenticate: Basic realm="Ncat"\r\n\r\n`,
    "HTTP/1.0 200 OK\r\n\r\nTARGET",
  ]);
  const first = await p.reconnect();
  const tunnel = await httpConnectHandshake(first, { host: "h", port: 1 }, {
    user: "user",
    pass: "~~~~",
  }, { reconnect: p.reconnect });
  assert.notEqual(tunnel, first);
  assert.equal(dec.decode(await readExact(tunnel, 6)), "TARGET");
  tunnel.close();
  await p.done;
  assert.equal(authorization(p.requests[0]), undefined);
  assert.equal(authorization(p.requests[1]), `Basic ${btoa("user:~~~~")}`);
});

Deno.test("httpConnectHandshake prefers Digest to Basic, whether in one field or several", async () => {
  const offers = [
    'Proxy-Authenticate: Basic realm="realm"\r\nProxy-Authenticate: Digest realm="realm", nonce="0123456789abcdef", qop="auth", opaque="abcd"\r\n',
    'Proxy-Authenticate: Basic realm="realm", NTLM, Digest realm="realm", nonce="0123456789abcdef", qop="auth", opaque="abcd"\r\n',
  ];
  for (const offer of offers) {
    const p = proxyPeer([`${CHALLENGE_407}${offer}\r\n`, "HTTP/1.0 200 OK\r\n\r\n"]);
    const tunnel = await httpConnectHandshake(
      await p.reconnect(),
      { host: "127.0.0.1", port: 40000 },
      { user: "user", pass: "pass" },
      { reconnect: p.reconnect },
    );
    tunnel.close();
    await p.done;
    const value = authorization(p.requests[1])!;
    assert.match(value, /^Digest /);
    const [{ params }] = parseChallenges([value.replace(/^Digest /, "Digest ")]);
    assert.equal(params.uri, "127.0.0.1:40000");
    assert.equal(params.opaque, "abcd");
    assert.equal(params.qop, "auth");
    assert.equal(
      params.response,
      digestResponse({
        algorithm: "MD5",
        user: "user",
        pass: "pass",
        realm: "realm",
        nonce: "0123456789abcdef",
        method: "CONNECT",
        uri: "127.0.0.1:40000",
        qop: "auth",
        nc: params.nc,
        cnonce: params.cnonce,
      }),
    );
  }
});

Deno.test("httpConnectHandshake: a second 407, a scheme it cannot answer, and no --proxy-auth are named", async () => {
  const cases: [string[], { user: string; pass: string } | undefined, RegExp][] = [
    [
      [
        `${CHALLENGE_407}Proxy-Authenticate: Digest realm="r", nonce="n"\r\n\r\n`,
        `${CHALLENGE_407}Proxy-Authenticate: Digest realm="r", nonce="n"\r\n\r\n`,
      ],
      { user: "u", pass: "wrong" },
      /^authentication refused \(407 Proxy Authentication Required, Digest credentials\)$/,
    ],
    [
      [`${CHALLENGE_407}Proxy-Authenticate: NTLM\r\nProxy-Authenticate: Negotiate\r\n\r\n`],
      { user: "u", pass: "p" },
      /^requires authentication socktool cannot give \(NTLM, Negotiate\)$/,
    ],
    [
      [`${CHALLENGE_407}\r\n`],
      { user: "u", pass: "p" },
      /^requires authentication but offers no way \(407 .*no Proxy-Authenticate\)$/,
    ],
    [
      [`${CHALLENGE_407}Proxy-Authenticate: Basic realm="r"\r\n\r\n`],
      undefined,
      /^requires authentication \(407 Proxy Authentication Required; use --proxy-auth USER:PASS\)$/,
    ],
  ];
  for (const [replies, auth, re] of cases) {
    const p = proxyPeer(replies);
    const err = await httpConnectHandshake(await p.reconnect(), { host: "h", port: 1 }, auth, {
      reconnect: p.reconnect,
    }).catch((e) => e);
    await p.done;
    assert.ok(err instanceof ProxyFailure, String(err));
    assert.match(err.message, re);
    assert.equal(err.about, "proxy");
  }
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
