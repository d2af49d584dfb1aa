import assert from "node:assert/strict";
import { httpConnectAccept, httpConnectFail, httpConnectSucceed } from "./http_server.ts";
import { ProxyRequestRefused } from "./request_refused.ts";
import { ScriptConn } from "./_test_utils.ts";
import { credentialsFor, parseChallenges } from "./http_auth.ts";

const auth = { user: "user", pass: "pass" };
const basic = (s: string) => btoa(s);

/** The status code of the response written to `conn`. */
const status = (conn: ScriptConn) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(conn.text)?.[1]);

Deno.test("httpConnectAccept reads a CONNECT split anywhere, and leaves the bytes after the head unread", async () => {
  const script = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nHELLO";
  for (const chunk of [1, 5, 1000]) {
    const conn = new ScriptConn(script, chunk);
    assert.deepEqual(await httpConnectAccept(conn), { host: "example.com", port: 443 });
    assert.equal(new TextDecoder().decode(conn.unread), "HELLO");
    assert.equal(conn.output.length, 0, "nothing answered before the target is reached");
  }
  const bareLf = new ScriptConn("CONNECT [::1]:22 HTTP/1.0\n\n");
  assert.deepEqual(await httpConnectAccept(bareLf), { host: "::1", port: 22 });
});

Deno.test("httpConnectAccept checks Basic credentials, any case of name and scheme", async () => {
  for (
    const field of [
      `Proxy-Authorization: Basic ${basic("user:pass")}`,
      `pROXY-aUTHORIZATION: BASIC ${basic("user:pass")}`,
      `Proxy-Authorization: Digest x=y\r\nProxy-Authorization: Basic ${basic("user:pass")}`,
      "Proxy-Authorization:\t  Basic  \r\n\t  \n dXNlcjpwYXNz",
      "Proxy-Authorization: Basic\r\n dXNlcjpwYXNz",
    ]
  ) {
    const conn = new ScriptConn(`CONNECT h:1 HTTP/1.0\r\n${field}\r\n\r\n`);
    assert.deepEqual(await httpConnectAccept(conn, { auth }), { host: "h", port: 1 }, field);
  }
});

Deno.test("httpConnectAccept answers 407 with Basic and Digest challenges for missing or wrong credentials", async () => {
  const cases: [string, RegExp][] = [
    ["", /^authentication required: the client sent no credentials$/],
    [`Proxy-Authorization: Basic ${basic("nobody:pass")}\r\n`, /user 'nobody'/],
    [`Proxy-Authorization: Basic ${basic("user:word")}\r\n`, /user 'user', wrong name or password/],
    [`Proxy-Authorization: Basic ${basic("user")}\r\n`, /user 'user'/],
    ["Proxy-Authorization: Basic !!!\r\n", /no credentials socktool can read/],
    ["Proxy-Authorization: \r\n", /no credentials socktool can read/],
    ["Proxy-Authorization: French fries\r\n", /no credentials socktool can read/],
    [
      `Proxy-Authorization: Basic ${basic("user:pass")} extra\r\n`,
      /no credentials socktool can read/,
    ],
    ['Proxy-Authorization: Digest username="user"\r\n', /no credentials socktool can read/],
  ];
  for (const [fields, re] of cases) {
    const conn = new ScriptConn(`CONNECT h:1 HTTP/1.1\r\n${fields}\r\n`);
    const err = await httpConnectAccept(conn, { auth }).catch((e) => e);
    assert.ok(err instanceof ProxyRequestRefused, String(err));
    assert.match(err.message, re);
    assert.equal(status(conn), 407);
    assert.match(conn.text, /\r\nProxy-Authenticate: Basic realm="socktool"\r\n/);
    assert.match(
      conn.text,
      /\r\nProxy-Authenticate: Digest realm="socktool", nonce="\d+\.[0-9a-f]{64}", qop="auth"\r\n/,
    );
    assert.match(conn.text, /\r\nConnection: close\r\n/);
  }
});

Deno.test("httpConnectAccept answers 400, 405 and 413 as ncat's proxy does", async () => {
  const cases: [string, number, RegExp][] = [
    ["bad\r\n\r\n", 400, /^bad request line 'bad'$/],
    ["CONNECT 127.0.0.1 HTTP/1.0\r\n\r\n", 400, /expected HOST:PORT/],
    ["CONNECT 127.0.0.1: HTTP/1.0\r\n\r\n", 400, /expected HOST:PORT/],
    ["CONNECT [::1] HTTP/1.0\r\n\r\n", 400, /expected HOST:PORT/],
    ["CONNECT [::1]: HTTP/1.0\r\n\r\n", 400, /expected HOST:PORT/],
    ["CONNECT h:70000 HTTP/1.0\r\n\r\n", 400, /expected HOST:PORT/],
    ["GET http://h/ HTTP/1.0\r\n\r\n", 405, /^method GET: only CONNECT is served$/],
    ["NOTHING http://h/ HTTP/1.0\r\n\r\n", 405, /NOTHING/],
    [`CONNECT ${"A".repeat(24000)}:1 HTTP/1.0\r\n\r\n`, 413, /longer than 16384 bytes/],
    [`CONNECT h:1 HTTP/1.0\r\n${"Header: Value\r\n".repeat(10000)}\r\n`, 413, /longer/],
  ];
  for (const [script, code, re] of cases) {
    const conn = new ScriptConn(script);
    const err = await httpConnectAccept(conn).catch((e) => e);
    assert.ok(err instanceof ProxyRequestRefused, `${script.slice(0, 40)}: ${err}`);
    assert.match(err.message, re);
    assert.equal(status(conn), code, script.slice(0, 40));
  }
  const conn = new ScriptConn("GET / HTTP/1.0\r\n\r\n");
  await httpConnectAccept(conn).catch(() => {});
  assert.match(conn.text, /\r\nAllow: CONNECT\r\n/);
});

Deno.test("httpConnectAccept: a client that hangs up before its head ends is an UnexpectedEof", async () => {
  const err = await httpConnectAccept(new ScriptConn("CONNECT h:1 HTTP/1.1\r\n")).catch((e) => e);
  assert.ok(err instanceof Deno.errors.UnexpectedEof);
});

Deno.test("httpConnectSucceed and httpConnectFail answer 200, 502 and 504", async () => {
  const ok = new ScriptConn([]);
  await httpConnectSucceed(ok);
  assert.equal(ok.text, "HTTP/1.1 200 Connection established\r\n\r\n");
  const table = [
    ["refused", "502 Bad Gateway"],
    ["no-such-host", "502 Bad Gateway"],
    ["general", "502 Bad Gateway"],
    ["timed-out", "504 Gateway Timeout"],
    ["host-unreachable", "504 Gateway Timeout"],
    ["network-unreachable", "504 Gateway Timeout"],
  ] as const;
  for (const [failure, words] of table) {
    const conn = new ScriptConn([]);
    assert.equal(await httpConnectFail(conn, failure, "why"), words);
    assert.ok(conn.text.startsWith(`HTTP/1.1 ${words}\r\n`), conn.text);
    assert.ok(conn.text.endsWith("\r\nContent-Length: 4\r\nConnection: close\r\n\r\nwhy\n"));
  }
});

/** The Digest challenge a 407 to a bare CONNECT carries. */
async function digestChallengeAt(now: number) {
  const conn = new ScriptConn("CONNECT h:1 HTTP/1.1\r\n\r\n");
  await httpConnectAccept(conn, { auth, now: () => now }).catch(() => {});
  const field = /\r\nProxy-Authenticate: (Digest [^\r]*)\r\n/.exec(conn.text)![1];
  return parseChallenges([field])[0];
}

/** Sends `value` as Proxy-Authorization at time `now`; the status answered (0: let through). */
async function tryDigest(value: string, now: number, target = "h:1"): Promise<number> {
  const conn = new ScriptConn(
    `CONNECT ${target} HTTP/1.1\r\nProxy-Authorization: ${value}\r\n\r\n`,
  );
  const ok = await httpConnectAccept(conn, { auth, now: () => now }).then(() => true, () => false);
  return ok ? 0 : status(conn);
}

Deno.test("httpConnectAccept lets a right Digest answer through, with or without qop", async () => {
  const now = 1_700_000_000_000;
  const challenge = await digestChallengeAt(now);
  const request = { method: "CONNECT", uri: "h:1" };
  assert.equal(await tryDigest(credentialsFor(challenge, auth, request), now + 1000), 0);
  const noQop = { ...challenge, params: { ...challenge.params, qop: undefined! } };
  delete noQop.params.qop;
  assert.equal(await tryDigest(credentialsFor(noQop, auth, request), now), 0);
  const sha = { ...challenge, params: { ...challenge.params, algorithm: "SHA-256" } };
  assert.equal(await tryDigest(credentialsFor(sha, auth, request), now), 0);
});

Deno.test("httpConnectAccept refuses a wrong, incomplete, misdirected, forged or stale Digest answer", async () => {
  const now = 1_700_000_000_000;
  const challenge = await digestChallengeAt(now);
  const request = { method: "CONNECT", uri: "h:1" };
  const right = credentialsFor(challenge, auth, request);
  const cases: [string, string, number][] = [
    ["wrong user", credentialsFor(challenge, { user: "xxx", pass: "pass" }, request), now],
    ["wrong pass", credentialsFor(challenge, { user: "user", pass: "xxx" }, request), now],
    [
      "missing uri and realm",
      right.replace(/realm="[^"]*", /, "").replace(/uri="[^"]*", /, ""),
      now,
    ],
    ["another uri", credentialsFor(challenge, auth, { method: "CONNECT", uri: "other:1" }), now],
    ["forged nonce", right.replace(/nonce="\d+\./, 'nonce="1.'), now],
    ["stale nonce", right, now + 6 * 60 * 1000],
    ["qop without nc", right.replace(/nc=\w+, /, ""), now],
  ];
  for (const [what, value, at] of cases) assert.equal(await tryDigest(value, at), 407, what);
  const conn = new ScriptConn(`CONNECT h:1 HTTP/1.1\r\nProxy-Authorization: ${right}\r\n\r\n`);
  const err = await httpConnectAccept(conn, { auth, now: () => now + 6 * 60 * 1000 }).catch((e) =>
    e
  );
  assert.match(err.message, /nonce is out of date/);
  assert.match(conn.text, /, stale=true\r\n/);
});
