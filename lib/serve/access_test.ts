import assert from "node:assert/strict";
import {
  AccessPolicy,
  accessPolicy,
  AccessRuleError,
  addressToBigInt,
  loadAccessPolicy,
  parseCidr,
  parseRule,
  parseRuleFile,
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
