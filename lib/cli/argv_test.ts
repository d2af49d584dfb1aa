import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { splitArgv } from "./argv.ts";
import { OPTION_TABLE } from "./option_table.ts";

/** What node:util's parseArgs makes of `args` with the options parse.ts used. */
function reference(args: string[]) {
  const r = parseArgs({
    args,
    options: OPTION_TABLE,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  return { values: { ...r.values }, positionals: r.positionals, tokens: r.tokens };
}

function ours(args: string[]) {
  const r = splitArgv(args, OPTION_TABLE);
  return { values: { ...r.values }, positionals: r.positionals, tokens: r.tokens };
}

const CASES: string[][] = [
  [],
  ["--version"],
  ["-h"],
  ["-lvnp", "4444"],
  ["-lvnp4444"],
  ["-lvk", "9999"],
  ["-l", "-p", "9999"],
  ["-p", "-l"],
  ["-p"],
  ["--port"],
  ["--port", "--listen"],
  ["--port=1", "host"],
  ["--port=", "host"],
  ["--=x"],
  ["--==x"],
  ["-", "--", "-l", "--port"],
  ["host", "--", "x"],
  ["-vvv", "host", "1"],
  ["-v", "-v", "--verbose"],
  ["--verbose=3"],
  ["--allow", "1.2.3.4", "--allow=5.6.7.8", "--deny", "x"],
  ["-X"],
  ["-Xyz", "host"],
  ["-lX9"],
  ["-lo", "file", "-x", "dump", "9"],
  ["-loFILE"],
  ["--bogus", "value"],
  ["--bogus=value"],
  ["--listen=yes"],
  ["-e", "/bin/cat", "-l", "1"],
  ["-w", "2s", "-q0", "-zv", "127.0.0.1", "20-30"],
  ["-u", "-l", "127.0.0.1", "5000"],
  ["--ssl", "--ssl-cert", "c.pem", "--ssl-key=k.pem", "h", "443"],
  ["--", "--"],
  ["---x"],
  ["--__proto__", "x"],
  ["-4", "-6"],
  ["-lp", "--", "x"],
  ["-vp", "1", "-v"],
  ["--wait-for", "host:1", "--size", "10M"],
];

Deno.test("splitArgv splits argv as node:util's parseArgs (strict: false, tokens) does", () => {
  for (const args of CASES) {
    assert.deepStrictEqual(ours(args), reference(args), JSON.stringify(args));
  }
});

Deno.test("splitArgv gives a value option the next argument, whatever it looks like", () => {
  const r = splitArgv(["-o", "-l", "--port", "--", "x"], OPTION_TABLE);
  assert.deepStrictEqual(
    r.values,
    Object.assign(Object.create(null), { output: "-l", port: "--" }),
  );
  assert.deepStrictEqual(r.positionals, ["x"]);
});

Deno.test("splitArgv agrees with parseArgs on 3000 random command lines", () => {
  const words = [
    "-l",
    "-p",
    "-lv",
    "-lvp",
    "-p9",
    "-vz",
    "-o",
    "--port",
    "--port=7",
    "--listen",
    "--",
    "-",
    "host",
    "9",
    "-X",
    "-lX",
    "--x=y",
    "--verbose",
    "-vvv",
    "--allow",
    "-e",
    "-ek",
    "--=",
    "",
    "-k",
    "-4u",
    "--serve",
    "echo",
    "-w1",
    "-q",
    "---",
    "-=",
    "--a=b=c",
  ];
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let i = 0; i < 3000; i++) {
    const args = Array.from({ length: rand(7) }, () => words[rand(words.length)]);
    assert.deepStrictEqual(ours(args), reference(args), JSON.stringify(args));
  }
});
