import assert from "node:assert/strict";
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
} from "npm:@peculiar/x509@1.14.3";
import { checkClientChain, checkServerChain, TrustAnchors } from "./verify.ts";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 86400_000;
const NOW = Date.now();

type Keys = CryptoKeyPair;

function newKeys(): Promise<Keys> {
  return crypto.subtle.generateKey(ALG, true, ["sign", "verify"]) as Promise<Keys>;
}

let serial = 1;

interface IssueOptions {
  subject: string;
  issuer?: string;
  keys: Keys;
  /** The key that signs; default `keys` (self-signed). */
  signer?: Keys;
  ca?: boolean | "none";
  pathLength?: number;
  usages?: KeyUsageFlags;
  eku?: string[];
  san?: { type: "dns" | "ip"; value: string }[];
  notBefore?: number;
  notAfter?: number;
  extra?: Extension[];
}

/** Makes a certificate (DER) as a CA, a hostile server or a sloppy admin would. */
async function issue(o: IssueOptions): Promise<Uint8Array> {
  const extensions: Extension[] = [];
  if (o.ca !== "none") {
    extensions.push(new BasicConstraintsExtension(o.ca ?? false, o.pathLength, true));
  }
  if (o.usages !== undefined) extensions.push(new KeyUsagesExtension(o.usages, true));
  if (o.eku) extensions.push(new ExtendedKeyUsageExtension(o.eku));
  if (o.san) extensions.push(new SubjectAlternativeNameExtension(o.san));
  extensions.push(...(o.extra ?? []));
  const cert = await X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, "0"),
    subject: o.subject,
    issuer: o.issuer ?? o.subject,
    notBefore: new Date(o.notBefore ?? NOW - DAY),
    notAfter: new Date(o.notAfter ?? NOW + DAY),
    signingAlgorithm: ALG,
    publicKey: o.keys.publicKey,
    signingKey: (o.signer ?? o.keys).privateKey,
    extensions,
  });
  return new Uint8Array(cert.rawData);
}

const CA_USAGES = KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign;
const LOCALHOST = [{ type: "dns" as const, value: "localhost" }, {
  type: "ip" as const,
  value: "127.0.0.1",
}];

/** A root, an intermediate and a leaf for `localhost`, all proper. */
async function pki() {
  const rootKeys = await newKeys();
  const intKeys = await newKeys();
  const leafKeys = await newKeys();
  const root = await issue({ subject: "CN=Root", keys: rootKeys, ca: true, usages: CA_USAGES });
  const int = await issue({
    subject: "CN=Int",
    issuer: "CN=Root",
    keys: intKeys,
    signer: rootKeys,
    ca: true,
    usages: CA_USAGES,
  });
  const leaf = await issue({
    subject: "CN=localhost",
    issuer: "CN=Int",
    keys: leafKeys,
    signer: intKeys,
    san: LOCALHOST,
    eku: [ExtendedKeyUsage.serverAuth],
  });
  return { rootKeys, intKeys, leafKeys, root, int, leaf, anchors: new TrustAnchors([root]) };
}

const check = (
  leaf: Uint8Array,
  presented: Uint8Array[],
  anchors: TrustAnchors,
  serverName = "localhost",
) => checkServerChain({ leaf, presented, anchors, serverName });

Deno.test("checkServerChain accepts a proper chain in any order, by name and by IP address", async () => {
  const p = await pki();
  const junk = await issue({ subject: "CN=Junk", keys: await newKeys(), ca: true });
  assert.equal(await check(p.leaf, [p.int], p.anchors), undefined);
  assert.equal(await check(p.leaf, [junk, p.root, p.int], p.anchors), undefined);
  assert.equal(await check(p.leaf, [p.int], p.anchors, "127.0.0.1"), undefined);
  assert.equal(await check(p.leaf, [p.int], p.anchors, "LOCALHOST."), undefined);
});

Deno.test("checkServerChain refuses a leaf that names a trusted CA as issuer but was signed by another key", async () => {
  const p = await pki();
  const forged = await issue({
    subject: "CN=localhost",
    issuer: "CN=Root",
    keys: p.leafKeys,
    signer: await newKeys(),
    san: LOCALHOST,
  });
  assert.equal(await check(forged, [], p.anchors), "signature does not match issuer 'CN=Root'");
});

Deno.test("checkServerChain refuses a chain through a same-name CA with another key", async () => {
  const p = await pki();
  const impostorKeys = await newKeys();
  const impostor = await issue({
    subject: "CN=Root",
    keys: impostorKeys,
    ca: true,
    usages: CA_USAGES,
  });
  const leaf = await issue({
    subject: "CN=localhost",
    issuer: "CN=Root",
    keys: p.leafKeys,
    signer: impostorKeys,
    san: LOCALHOST,
  });
  assert.equal(
    await check(leaf, [impostor], p.anchors),
    "chain certificate 'CN=Root': signature does not match issuer 'CN=Root'",
  );
});

Deno.test("checkServerChain checks every issuer: dates, CA:TRUE, keyCertSign, path length, server use", async () => {
  const p = await pki();
  const int = (o: Partial<IssueOptions>) =>
    issue({
      subject: "CN=Int",
      issuer: "CN=Root",
      keys: p.intKeys,
      signer: p.rootKeys,
      ca: true,
      usages: CA_USAGES,
      ...o,
    });
  const cases: [string, Uint8Array, RegExp][] = [
    [
      "expired",
      await int({ notBefore: NOW - 10 * DAY, notAfter: NOW - 5 * DAY }),
      /^issuer 'CN=Int' expired on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    ],
    [
      "not yet valid",
      await int({ notBefore: NOW + 5 * DAY }),
      /^issuer 'CN=Int' is not valid before /,
    ],
    [
      "CA:FALSE",
      await int({ ca: false }),
      /^issuer 'CN=Int' is not a CA \(basicConstraints CA:FALSE\)$/,
    ],
    [
      "no basicConstraints",
      await int({ ca: "none" }),
      /^issuer 'CN=Int' is not a CA \(no basicConstraints\)$/,
    ],
    [
      "no keyCertSign",
      await int({ usages: KeyUsageFlags.digitalSignature }),
      /^issuer 'CN=Int' may not sign certificates \(keyUsage without keyCertSign\)$/,
    ],
    [
      "clientAuth only",
      await int({ eku: [ExtendedKeyUsage.clientAuth] }),
      /^issuer 'CN=Int' is not for TLS servers \(extendedKeyUsage without serverAuth\)$/,
    ],
  ];
  for (const [what, bad, re] of cases) {
    assert.match(await check(p.leaf, [bad], p.anchors) ?? "accepted", re, what);
  }
  // A root that allows no intermediate below it.
  const strictRoot = await issue({
    subject: "CN=Root",
    keys: p.rootKeys,
    ca: true,
    pathLength: 0,
    usages: CA_USAGES,
  });
  assert.equal(
    await check(p.leaf, [p.int], new TrustAnchors([strictRoot])),
    "issuer 'CN=Root' allows 0 intermediate certificate(s) below it, the chain has 1",
  );
  // An expired root is no root.
  const oldRoot = await issue({
    subject: "CN=Root",
    keys: p.rootKeys,
    ca: true,
    usages: CA_USAGES,
    notAfter: NOW - DAY,
    notBefore: NOW - 9 * DAY,
  });
  assert.match(
    await check(p.leaf, [p.int], new TrustAnchors([oldRoot])) ?? "accepted",
    /^issuer 'CN=Root' expired on /,
  );
});

Deno.test("checkServerChain checks the leaf: dates, server use, unknown critical extensions, name", async () => {
  const p = await pki();
  const leaf = (o: Partial<IssueOptions>) =>
    issue({
      subject: "CN=localhost",
      issuer: "CN=Int",
      keys: p.leafKeys,
      signer: p.intKeys,
      san: LOCALHOST,
      ...o,
    });
  const cases: [string, Uint8Array, RegExp][] = [
    [
      "expired",
      await leaf({ notAfter: NOW - DAY, notBefore: NOW - 3 * DAY }),
      /^certificate expired on /,
    ],
    [
      "client only",
      await leaf({ eku: [ExtendedKeyUsage.clientAuth] }),
      /^certificate is not for TLS servers/,
    ],
    [
      "critical unknown",
      await leaf({ extra: [new Extension("1.2.3.4.5", true, new Uint8Array([5, 0]))] }),
      /^certificate has a critical extension socktool does not know \(1\.2\.3\.4\.5\)$/,
    ],
  ];
  for (const [what, bad, re] of cases) {
    assert.match(await check(bad, [p.int], p.anchors) ?? "accepted", re, what);
  }
  assert.equal(
    await check(p.leaf, [p.int], p.anchors, "example.com"),
    "certificate is not valid for name 'example.com' (only for DNS:localhost, IP Address:127.0.0.1)",
  );
  assert.equal(
    await check(p.leaf, [p.int], p.anchors, "::1"),
    "certificate is not valid for name '::1' (only for DNS:localhost, IP Address:127.0.0.1)",
  );
});

Deno.test("checkServerChain: unknown issuer, self-signed, and a self-signed certificate trusted as itself", async () => {
  const p = await pki();
  assert.equal(await check(p.leaf, [], p.anchors), "unknown issuer 'CN=Int'");
  const selfKeys = await newKeys();
  const self = await issue({ subject: "CN=localhost", keys: selfKeys, san: LOCALHOST });
  assert.equal(await check(self, [], p.anchors), "self-signed certificate");
  assert.equal(await check(self, [], new TrustAnchors([self])), undefined);
  // Trusted as itself, it still must be valid for the name.
  assert.match(
    await check(self, [], new TrustAnchors([self]), "example.com") ?? "accepted",
    /^certificate is not valid for name 'example\.com'/,
  );
});

Deno.test("checkServerChain enforces DNS and IP name constraints of an issuer", async () => {
  const p = await pki();
  // NameConstraints { permitted: [dNSName "example.com"], excluded: [iPAddress 10.0.0.0/8] }
  const tlv = (tag: number, ...parts: Uint8Array[]) => {
    const body = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of parts) body.set(b, (at += b.length) - b.length);
    return new Uint8Array([tag, body.length, ...body]);
  };
  const dns = tlv(0x82, new TextEncoder().encode("example.com"));
  const net10 = tlv(0x87, new Uint8Array([10, 0, 0, 0, 255, 0, 0, 0]));
  const value = tlv(0x30, tlv(0xa0, tlv(0x30, dns)), tlv(0xa1, tlv(0x30, net10)));
  const intKeys = await newKeys();
  const int = await issue({
    subject: "CN=Int NC",
    issuer: "CN=Root",
    keys: intKeys,
    signer: p.rootKeys,
    ca: true,
    usages: CA_USAGES,
    extra: [new Extension("2.5.29.30", true, value)],
  });
  const leaf = (san: { type: "dns" | "ip"; value: string }[]) =>
    // With no DNS SAN the common name could match a host name: it must be inside too.
    issue({
      subject: "CN=www.example.com",
      issuer: "CN=Int NC",
      keys: p.leafKeys,
      signer: intKeys,
      san,
    });
  const inside = await leaf([{ type: "dns", value: "www.example.com" }]);
  assert.equal(await check(inside, [int], p.anchors, "www.example.com"), undefined);
  const outside = await leaf([{ type: "dns", value: "bank.test" }]);
  assert.equal(
    await check(outside, [int], p.anchors, "bank.test"),
    "issuer 'CN=Int NC' may not vouch for 'bank.test' (name constraints)",
  );
  const excluded = await leaf([{ type: "ip", value: "10.1.2.3" }]);
  assert.equal(
    await check(excluded, [int], p.anchors, "10.1.2.3"),
    "issuer 'CN=Int NC' may not vouch for '10.1.2.3' (name constraints)",
  );
});

Deno.test("checkServerChain escapes certificate names, and gives up on a chain made to waste work", async () => {
  const p = await pki();
  const evil = "CN=evil\x1b]0;pwned\x07";
  const leaf = await issue({
    subject: "CN=localhost",
    issuer: evil,
    keys: p.leafKeys,
    signer: await newKeys(),
    san: [{ type: "dns", value: "a\x1b[2J.test" }],
  });
  assert.equal(await check(leaf, [], p.anchors), "unknown issuer 'CN=evil\\033]0;pwned\\007'");
  const trusted = new TrustAnchors([leaf]);
  assert.equal(
    await check(leaf, [], trusted, "localhost"),
    "certificate is not valid for name 'localhost' (only for DNS:a\\033[2J.test)",
  );
  // Seventy impostors of the root's name: each is tried, but not without end.
  const impostors = await Promise.all(
    Array.from({ length: 70 }, async () => {
      const keys = await newKeys();
      return issue({ subject: "CN=Root", keys, ca: true, usages: CA_USAGES });
    }),
  );
  const forged = await issue({
    subject: "CN=localhost",
    issuer: "CN=Root",
    keys: p.leafKeys,
    signer: await newKeys(),
    san: LOCALHOST,
  });
  assert.equal(
    await check(forged, impostors, p.anchors),
    "the certificate chain is too tangled to check (more than 64 signatures to check)",
  );
});

Deno.test("TrustAnchors indexes PEM text and ignores what is not a certificate", async () => {
  const p = await pki();
  const pem = `-----BEGIN CERTIFICATE-----\n${btoa(String.fromCharCode(...p.root))}\n` +
    "-----END CERTIFICATE-----\n";
  const bad = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  const anchors = TrustAnchors.fromPem([bad + pem]);
  assert.equal(await check(p.leaf, [p.int], anchors), undefined);
  const more = TrustAnchors.fromPem([], anchors);
  assert.equal(await check(p.leaf, [p.int], more), undefined);
});

Deno.test("checkClientChain accepts a client certificate from the trusted CA, whatever its name", async () => {
  const p = await pki();
  const client = await issue({
    subject: "CN=alice",
    issuer: "CN=Int",
    keys: await newKeys(),
    signer: p.intKeys,
    eku: [ExtendedKeyUsage.clientAuth],
  });
  assert.equal(
    await checkClientChain({ leaf: client, presented: [p.int], anchors: p.anchors }),
    undefined,
  );
  const noEku = await issue({
    subject: "CN=bob",
    issuer: "CN=Int",
    keys: await newKeys(),
    signer: p.intKeys,
  });
  assert.equal(
    await checkClientChain({ leaf: noEku, presented: [p.int], anchors: p.anchors }),
    undefined,
  );
});

Deno.test("checkClientChain refuses a server-only certificate, another CA's, a self-signed one and a forged one", async () => {
  const p = await pki();
  const clientCheck = (leaf: Uint8Array, presented: Uint8Array[] = [p.int]) =>
    checkClientChain({ leaf, presented, anchors: p.anchors });
  assert.equal(
    await clientCheck(p.leaf),
    "certificate is not for TLS clients (extendedKeyUsage without clientAuth)",
  );
  const otherKeys = await newKeys();
  const other = await issue({
    subject: "CN=Other CA",
    keys: otherKeys,
    ca: true,
    usages: CA_USAGES,
  });
  const stranger = await issue({
    subject: "CN=mallory",
    issuer: "CN=Other CA",
    keys: await newKeys(),
    signer: otherKeys,
    eku: [ExtendedKeyUsage.clientAuth],
  });
  assert.equal(
    await clientCheck(stranger, [other]),
    "self-signed certificate 'CN=Other CA' in the chain is not trusted",
  );
  assert.equal(await clientCheck(stranger, []), "unknown issuer 'CN=Other CA'");
  const selfKeys = await newKeys();
  const self = await issue({
    subject: "CN=me",
    keys: selfKeys,
    eku: [ExtendedKeyUsage.clientAuth],
  });
  assert.equal(await clientCheck(self, []), "self-signed certificate");
  const forged = await issue({
    subject: "CN=alice",
    issuer: "CN=Int",
    keys: await newKeys(),
    signer: await newKeys(),
    eku: [ExtendedKeyUsage.clientAuth],
  });
  assert.equal(await clientCheck(forged), "signature does not match issuer 'CN=Int'");
  const serverOnlyInt = await issue({
    subject: "CN=Int",
    issuer: "CN=Root",
    keys: p.intKeys,
    signer: p.rootKeys,
    ca: true,
    usages: CA_USAGES,
    eku: [ExtendedKeyUsage.serverAuth],
  });
  const viaServerInt = await issue({
    subject: "CN=alice",
    issuer: "CN=Int",
    keys: await newKeys(),
    signer: p.intKeys,
    eku: [ExtendedKeyUsage.clientAuth],
  });
  assert.equal(
    await clientCheck(viaServerInt, [serverOnlyInt]),
    "issuer 'CN=Int' is not for TLS clients (extendedKeyUsage without clientAuth)",
  );
});
