import assert from "node:assert/strict";
import {
  AccessPolicy,
  accessPolicy,
  AccessRuleError,
  addressToBigInt,
  loadAccessPolicy,
  parseAccessRule,
  parseCidr,
  parseRule,
  parseRuleFile,
  splitRuleList,
} from "./access.ts";

const policy = (allow: string[] | undefined, deny: string[] = []) =>
  new AccessPolicy(
    allow?.map((r) => parseRule(r, "--allow")),
    deny.map((r) => parseRule(r, "--deny")),
  );

Deno.test("addressToBigInt reads IPv4, IPv6, compressed and IPv4-tailed forms alike", () => {
  assert.equal(addressToBigInt("127.0.0.1"), addressToBigInt("::ffff:127.0.0.1"));
  assert.equal(addressToBigInt("::ffff:7f00:1"), addressToBigInt("127.0.0.1"));
  assert.equal(addressToBigInt("::1"), 1n);
  assert.equal(addressToBigInt("::"), 0n);
  assert.equal(addressToBigInt("1::"), 1n << 112n);
  assert.equal(
    addressToBigInt("[2001:db8::8:800:200c:417a]"),
    0x20010db8000000000008_0800200c417an,
  );
  assert.equal(addressToBigInt("fe80::1%eth0"), addressToBigInt("fe80::1"));
  assert.equal(addressToBigInt("example.com"), undefined);
  assert.equal(addressToBigInt("/tmp/sock"), undefined);
});

Deno.test("an IPv4 CIDR rule matches plain and IPv4-mapped IPv6 peers", () => {
  const p = policy(["127.0.0.0/8"]);
  assert.equal(p.allows("127.0.0.1"), true);
  assert.equal(p.allows("::ffff:127.0.0.1"), true);
  assert.equal(p.allows("::ffff:127.255.0.9"), true);
  assert.equal(p.allows("128.0.0.1"), false);
  assert.equal(p.allows("::1"), false);
});

Deno.test("IPv6 CIDR rules match on the prefix bits only", () => {
  const p = policy(["2001:db8::/32", "::1"]);
  assert.equal(p.allows("2001:db8:ffff::1"), true);
  assert.equal(p.allows("2001:db9::1"), false);
  assert.equal(p.allows("::1"), true);
  assert.equal(p.allows("::2"), false);
  assert.equal(p.allows("127.0.0.1"), false);
});

Deno.test("deny wins over allow, and with no allow list everyone not denied is served", () => {
  const p = policy(["10.0.0.0/8"], ["10.9.0.0/16"]);
  assert.equal(p.allows("10.1.2.3"), true);
  assert.equal(p.allows("10.9.2.3"), false);
  assert.equal(p.allows("11.0.0.1"), false);
  const d = policy(undefined, ["192.168.1.5"]);
  assert.equal(d.allows("192.168.1.5"), false);
  assert.equal(d.allows("::ffff:192.168.1.5"), false);
  assert.equal(d.allows("192.168.1.6"), true);
});

Deno.test("prefix edge cases: /0 matches everything of its family, host bits are masked", () => {
  assert.equal(policy(["0.0.0.0/0"]).allows("8.8.8.8"), true);
  assert.equal(policy(["0.0.0.0/0"]).allows("2001:db8::1"), false);
  assert.equal(policy(["::/0"]).allows("2001:db8::1"), true);
  assert.equal(policy(["::/0"]).allows("8.8.8.8"), true);
  assert.equal(policy(["10.1.2.3/8"]).allows("10.200.0.1"), true);
  assert.equal(policy(["10.1.2.3/32"]).allows("10.1.2.4"), false);
});

Deno.test("malformed rules are AccessRuleErrors that quote the rule", () => {
  for (
    const bad of [
      "10.0.0.0/33",
      "::/129",
      "10.0.0/8",
      "999.0.0.1",
      "host.example",
      "1.2.3.4/",
      "1.2.3.4/x",
      "",
    ]
  ) {
    assert.equal(parseCidr(bad).ok, false, bad);
    assert.throws(() => parseRule(bad, "--allow"), (e) => {
      assert.ok(e instanceof AccessRuleError, String(e));
      assert.equal(e.rule, bad);
      assert.match(e.message, /^bad rule '.*' in --allow: /);
      return true;
    });
  }
});

Deno.test("rule files: one entry per line, # comments and blank lines skipped, errors name the line", () => {
  const rules = parseRuleFile(
    "# trusted\n127.0.0.1\n\n  10.0.0.0/8   # vpn\r\n::1\n",
    "--allowfile f",
  );
  assert.deepEqual(rules.map((r) => r.text), ["127.0.0.1", "10.0.0.0/8", "::1"]);
  assert.throws(
    () => parseRuleFile("127.0.0.1\n10.0.0.0/40\n", "--denyfile f"),
    AccessRuleError,
    "bad rule '10.0.0.0/40' in --denyfile f line 2: prefix length must be 0-32",
  );
});

Deno.test("loadAccessPolicy splits comma lists, reads files, and lets a file's error through", async () => {
  assert.equal(await loadAccessPolicy({ allow: [], deny: [] }), undefined);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/deny.txt`, "# no\n127.0.0.2\n");
    const p = (await loadAccessPolicy({
      allow: ["127.0.0.1,127.0.0.2", "::1"],
      deny: [],
      denyFile: `${dir}/deny.txt`,
    }))!;
    assert.equal(p.allows("127.0.0.1"), true);
    assert.equal(p.allows("127.0.0.2"), false);
    assert.equal(p.allows("::1"), true);
    assert.equal(p.admitsNobody, false);
    await assert.rejects(
      loadAccessPolicy({ allow: [], deny: [], allowFile: `${dir}/missing.txt` }),
      Deno.errors.NotFound,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an allow list that names nobody admits nobody: --allow '', --allow ',', an empty or comment-only --allowfile", () => {
  const nobody: [Parameters<typeof accessPolicy>[0], { allow?: string }][] = [
    [{ allow: [""], deny: [] }, {}],
    [{ allow: [","], deny: [] }, {}],
    [{ allow: [" , ,"], deny: ["10.0.0.1"] }, {}],
    [{ allow: [], deny: [], allowFile: "f" }, { allow: "" }],
    [{ allow: [], deny: [], allowFile: "f" }, { allow: "# nobody yet\n\n   # really\n" }],
    [{ allow: [""], deny: [], allowFile: "f" }, { allow: "#\n" }],
  ];
  for (const [o, files] of nobody) {
    const p = accessPolicy(o, files);
    const what = JSON.stringify([o, files]);
    assert.ok(p !== undefined, what);
    assert.equal(p.admitsNobody, true, what);
    for (const addr of ["127.0.0.1", "::1", "::ffff:10.0.0.2", "0.0.0.0", "/tmp/sock"]) {
      assert.equal(p.allows(addr), false, `${what} admits ${addr}`);
    }
  }
});

Deno.test("a deny list that names nobody denies nobody; no list at all is no policy", () => {
  assert.equal(accessPolicy({ allow: [], deny: [] }), undefined);
  const p = accessPolicy({ allow: [], deny: [""], denyFile: "f" }, { deny: "# empty\n" })!;
  assert.equal(p.admitsNobody, false);
  assert.equal(p.allows("127.0.0.1"), true);
});

Deno.test("a peer with no IP address (a Unix socket) matches no allow rule", () => {
  assert.equal(policy(["0.0.0.0/0", "::/0"]).allows("/tmp/client.sock"), false);
  assert.equal(policy(undefined, ["0.0.0.0/0"]).allows("/tmp/client.sock"), true);
});

/** The addresses of `candidates` a policy allowing only `rules` admits. */
const admitted = (rules: string[], candidates: string[]) => {
  const p = policy(splitRuleList(rules));
  return candidates.filter((a) => p.allows(a));
};
const lastOctet = (prefix: string) => Array.from({ length: 256 }, (_, i) => `${prefix}${i}`);

Deno.test("ncat octet ranges: 192.168.0.1-5 matches .1 to .5 only, and an IPv4-mapped peer alike", () => {
  assert.deepEqual(admitted(["192.168.0.1-5"], lastOctet("192.168.0.")), [
    "192.168.0.1",
    "192.168.0.2",
    "192.168.0.3",
    "192.168.0.4",
    "192.168.0.5",
  ]);
  assert.deepEqual(admitted(["192.168.1.1-5"], lastOctet("192.168.0.")), []);
  assert.equal(policy(["192.168.0.1-5"]).allows("::ffff:192.168.0.3"), true);
  assert.equal(policy(["0-255.0-255.0-255.0-255"]).allows("::1"), false);
});

Deno.test("ncat octet ranges: one-element, double, half-open and open ranges", () => {
  assert.deepEqual(admitted(["192.168-168.0.1"], lastOctet("192.168.0.")), ["192.168.0.1"]);
  const diagonal = Array.from({ length: 256 }, (_, i) => `192.168.${i}.${i}`);
  assert.deepEqual(admitted(["192.168.3-8.1-5"], diagonal), [
    "192.168.3.3",
    "192.168.4.4",
    "192.168.5.5",
  ]);
  const third = Array.from({ length: 256 }, (_, i) => `192.168.${i}.0`);
  assert.deepEqual(admitted(["192.168.-3.0"], third), third.slice(0, 4));
  assert.deepEqual(admitted(["192.168.252-.0"], third), third.slice(252));
  assert.deepEqual(admitted(["192.168.-.0"], third), third);
});

Deno.test("ncat wildcards: 10.0.*.* and 192.*.0.*", () => {
  const p = policy(["10.0.*.*"]);
  for (const a of ["10.0.0.0", "10.0.255.255", "10.0.7.1", "::ffff:10.0.3.4"]) {
    assert.equal(p.allows(a), true, a);
  }
  for (const a of ["10.1.0.0", "11.0.0.1", "::1"]) assert.equal(p.allows(a), false, a);
  assert.deepEqual(
    admitted(["192.*.0.*"], [
      "1.2.3.4",
      "192.168.0.3",
      "192.168.0.200",
      "192.161.0.0",
      "192.168.1.0",
    ]),
    ["192.168.0.3", "192.168.0.200", "192.161.0.0"],
  );
});

Deno.test("ncat comma lists inside an octet stay one rule; a comma between addresses separates rules", () => {
  assert.deepEqual(splitRuleList(["192.168.0.2,3,5,7,11"]), ["192.168.0.2,3,5,7,11"]);
  assert.deepEqual(admitted(["192.168.0.2,3,5,7,11"], lastOctet("192.168.0.")), [
    "192.168.0.2",
    "192.168.0.3",
    "192.168.0.5",
    "192.168.0.7",
    "192.168.0.11",
  ]);
  assert.deepEqual(splitRuleList(["192-200,202.0.0.1,3-5"]), ["192-200,202.0.0.1,3-5"]);
  assert.deepEqual(
    admitted(["192-200,202.0.0.1,3-5"], [
      "201.0.0.1",
      "202.0.0.1",
      "202.0.0.5",
      "202.0.0.6",
      "192.0.0.3",
    ]),
    ["202.0.0.1", "202.0.0.5", "192.0.0.3"],
  );
  assert.deepEqual(
    splitRuleList(["10.0.0.0/8,192.168.1.5", "127.0.0.1,::1", "10.0.*.*, 1.2.3.4"]),
    ["10.0.0.0/8", "192.168.1.5", "127.0.0.1", "::1", "10.0.*.*", "1.2.3.4"],
  );
});

Deno.test("several rules on one line, separated by spaces or commas", () => {
  assert.deepEqual(splitRuleList(["127.0.0.1 ::1\t10.0.*.*"]), ["127.0.0.1", "::1", "10.0.*.*"]);
  const rules = parseRuleFile(
    "127.0.0.1 ::1, 192.168.0.1-5   # lab\n10.0.*.*,fd00::/8\n",
    "--allowfile f",
  );
  assert.deepEqual(rules.map((r) => r.text), [
    "127.0.0.1",
    "::1",
    "192.168.0.1-5",
    "10.0.*.*",
    "fd00::/8",
  ]);
  assert.throws(
    () => parseRuleFile("127.0.0.1\n::1 10.0.0.300-301\n", "--denyfile f"),
    AccessRuleError,
    "bad rule '10.0.0.300-301' in --denyfile f line 2: octet '300-301' is above 255",
  );
});

Deno.test("ncat octet ranges combine with a prefix length", () => {
  assert.deepEqual(
    admitted(["1-5.1-5.1-5.1-5/28"], [
      "1.2.3.4",
      "1.2.3.5",
      "6.1.2.3",
      "1.2.3.7",
      "1.2.3.0",
      "1.2.3.16",
    ]),
    ["1.2.3.4", "1.2.3.5", "1.2.3.7", "1.2.3.0"],
  );
  assert.deepEqual(admitted(["192.168.0.5,30,191/30"], lastOctet("192.168.0.")), [
    "192.168.0.4",
    "192.168.0.5",
    "192.168.0.6",
    "192.168.0.7",
    "192.168.0.28",
    "192.168.0.29",
    "192.168.0.30",
    "192.168.0.31",
    "192.168.0.188",
    "192.168.0.189",
    "192.168.0.190",
    "192.168.0.191",
  ]);
});

Deno.test("malformed octet ranges are refused with the reason, as ncat refuses them", () => {
  const table: [string, string][] = [
    ["10-5.2.3.4", "octet range '10-5' runs backwards"],
    ["5-10-15.10.10.10", "bad octet '5-10-15': expected N, N-M, * or a comma list of them"],
    ["*10.10.10.10", "bad octet '*10': expected N, N-M, * or a comma list of them"],
    ["5,.5.5.5", "bad octet '5,': expected N, N-M, * or a comma list of them"],
    ["1-2.3.4", "an octet range has four octets"],
    ["1.2.3.4-5.6", "an octet range has four octets"],
    ["1.2.3.*/33", "prefix length must be 0-32"],
    ["1.2.3.256-300", "octet '256-300' is above 255"],
    ["+1.2.3.4", "not an IP address or address range"],
    ["1.2.3", "not an IP address or address range"],
    ["host-1.example", "not an IP address or address range"],
  ];
  for (const [text, reason] of table) {
    assert.deepEqual(parseAccessRule(text), { ok: false, reason }, text);
  }
});
