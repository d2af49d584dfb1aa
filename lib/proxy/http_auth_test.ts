import assert from "node:assert/strict";
import {
  basicToken,
  chooseChallenge,
  credentialsFor,
  digestResponse,
  parseChallenges,
} from "./http_auth.ts";

Deno.test("parseChallenges reads several challenges per field, quoted strings and schemes without parameters", () => {
  assert.deepEqual(
    parseChallenges([
      'Basic realm="Ncat", NTLM, Digest realm="a \\"b\\", c", nonce="n", qop="auth,auth-int"',
      "Negotiate abc123==, Bearer",
      "Digest nonce=xyz , algorithm = SHA-256",
    ]),
    [
      { scheme: "Basic", params: { realm: "Ncat" } },
      { scheme: "NTLM", params: {} },
      { scheme: "Digest", params: { realm: 'a "b", c', nonce: "n", qop: "auth,auth-int" } },
      { scheme: "Negotiate", params: {} },
      { scheme: "Bearer", params: {} },
      { scheme: "Digest", params: { nonce: "xyz", algorithm: "SHA-256" } },
    ],
  );
  assert.deepEqual(parseChallenges(['Digest realm="never ends']), [{
    scheme: "Digest",
    params: {},
  }]);
  assert.deepEqual(parseChallenges(["", " , "]), []);
});

Deno.test("chooseChallenge takes Digest (SHA-256 first) over Basic, and skips what it cannot answer", () => {
  const pick = (...values: string[]) => chooseChallenge(parseChallenges(values));
  assert.equal(pick('Basic realm="r"', 'Digest realm="r", nonce="n"')?.scheme, "Digest");
  assert.equal(
    pick('Digest nonce="n", algorithm=MD5', 'Digest nonce="n", algorithm=SHA-256')?.params
      .algorithm,
    "SHA-256",
  );
  assert.equal(pick('Digest nonce="n", algorithm=SHA-512-256', 'Basic realm="r"')?.scheme, "Basic");
  assert.equal(pick('Digest nonce="n", qop="auth-int"', 'Basic realm="r"')?.scheme, "Basic");
  assert.equal(pick('Digest realm="r"', "NTLM"), undefined, "a Digest challenge needs a nonce");
  assert.equal(pick("NTLM", "Negotiate"), undefined);
});

Deno.test("digestResponse matches the examples of RFC 2617 and RFC 7616", () => {
  assert.equal(
    digestResponse({
      algorithm: "MD5",
      user: "Mufasa",
      pass: "Circle Of Life",
      realm: "testrealm@host.com",
      nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
      method: "GET",
      uri: "/dir/index.html",
      qop: "auth",
      nc: "00000001",
      cnonce: "0a4f113b",
    }),
    "6629fae49393a05397450978507c4ef1",
  );
  const rfc7616 = {
    user: "Mufasa",
    pass: "Circle of Life",
    realm: "http-auth@example.org",
    nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    method: "GET",
    uri: "/dir/index.html",
    qop: "auth",
    nc: "00000001",
    cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  };
  assert.equal(
    digestResponse({ ...rfc7616, algorithm: "MD5" }),
    "8ca523f5e9506fed4657c9700eebdbec",
  );
  assert.equal(
    digestResponse({ ...rfc7616, algorithm: "SHA-256" }),
    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
  );
  assert.throws(() => digestResponse({ ...rfc7616, algorithm: "SHA-1" }), RangeError);
});

Deno.test("credentialsFor answers Basic, and Digest with or without qop as ncat's test suite checks", () => {
  const auth = { user: "user", pass: "pass" };
  const request = { method: "CONNECT", uri: "127.0.0.1:40000" };
  const [basic] = parseChallenges(['Basic realm="r"']);
  assert.equal(credentialsFor(basic, auth, request), `Basic ${basicToken("user", "pass")}`);

  const [withQop] = parseChallenges([
    'Digest realm="realm", nonce="0123", qop="auth", opaque="abcd"',
  ]);
  const a = credentialsFor(withQop, auth, request, "cn");
  assert.equal(
    a,
    `Digest username="user", realm="realm", nonce="0123", uri="127.0.0.1:40000", response="${
      digestResponse({
        algorithm: "MD5",
        ...auth,
        realm: "realm",
        nonce: "0123",
        ...request,
        qop: "auth",
        nc: "00000001",
        cnonce: "cn",
      })
    }", qop=auth, nc=00000001, cnonce="cn", opaque="abcd"`,
  );

  const [noQop] = parseChallenges(['Digest realm="realm", nonce="0123", algorithm=MD5-sess']);
  const b = credentialsFor(noQop, { user: 'a"b', pass: "p" }, request, "cn");
  assert.match(b, /^Digest username="a\\"b", /);
  assert.doesNotMatch(b, /nc=|cnonce=|qop=/);
  assert.match(b, /algorithm=MD5-sess/);
});

Deno.test("basicToken encodes UTF-8 and empty parts", () => {
  assert.equal(basicToken("", ""), btoa(":"));
  assert.equal(basicToken("test", "123£"), "dGVzdDoxMjPCow==");
});
