import { assertEquals, assertThrows } from "../_test_utils.ts";
import { helpOptions, parseHelp } from "./help_model.ts";
import { USAGE } from "./usage.ts";
import { OPTION_TABLE } from "./option_table.ts";

const TABLE = OPTION_TABLE as Record<string, { type: string; short?: string }>;

Deno.test("--help fits 80 columns on every line", () => {
  const long = USAGE.split("\n").filter((l) => [...l].length > 80);
  assertEquals(long, [], "lines over 80 columns");
});

Deno.test("--help describes every option of the option table, each once, as the table has it", () => {
  const items = helpOptions(parseHelp(USAGE));
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(TABLE)) {
    const found = items.filter((o) => o.long === name);
    if (found.length !== 1) {
      problems.push(`--${name}: listed ${found.length} times`);
      continue;
    }
    const [o] = found;
    if (o.text === "") problems.push(`--${name}: no description`);
    if (o.short !== spec.short) {
      problems.push(`--${name}: short -${o.short} in help, -${spec.short} in table`);
    }
    if ((o.arg !== undefined) !== (spec.type === "string")) {
      problems.push(
        `--${name}: help ${
          o.arg ? `gives a value ${o.arg}` : "gives no value"
        }, table says ${spec.type}`,
      );
    }
  }
  for (const o of items) {
    if (!(o.long in TABLE)) problems.push(`--${o.long}: in help, not in the table`);
  }
  assertEquals(problems, []);
});

Deno.test("--help ends with examples and a pointer to the README", () => {
  const { blocks } = parseHelp(USAGE);
  const examples = blocks.find((b) => b.kind === "list" && b.title === "Examples");
  if (examples?.kind !== "list") throw new Error("no Examples section");
  assertEquals(examples.items.length >= 4, true, "a handful of examples");
  for (const e of examples.items) {
    assertEquals(e.kind === "command" && e.command.startsWith("socktool ") && e.text !== "", true);
  }
  const last = blocks.at(-1);
  assertEquals(last?.kind === "paragraph" && /README/.test(last.text), true, "README pointer last");
});

Deno.test("parseHelp reads items, wrapped descriptions and long terms", () => {
  const model = parseHelp(`tool — does things

Usage:
  tool [options] HOST  do it

Options:
  -p, --port PORT           the port,
                            wrapped
      --proxy-auth USER:PASS
                            credentials
      --ssl-servername NAME SNI

Values are seconds.
`);
  assertEquals([model.name, model.summary], ["tool", "does things"]);
  assertEquals(model.blocks, [
    {
      kind: "list",
      title: "Usage",
      items: [{ kind: "command", command: "tool [options] HOST", text: "do it" }],
    },
    {
      kind: "list",
      title: "Options",
      items: [
        { kind: "option", short: "p", long: "port", arg: "PORT", text: "the port, wrapped" },
        {
          kind: "option",
          short: undefined,
          long: "proxy-auth",
          arg: "USER:PASS",
          text: "credentials",
        },
        { kind: "option", short: undefined, long: "ssl-servername", arg: "NAME", text: "SNI" },
      ],
    },
    { kind: "paragraph", text: "Values are seconds." },
  ]);
});

Deno.test("parseHelp refuses lines its grammar does not cover, naming the line", () => {
  const bad = [
    "tool does things\n",
    "tool — x\n\nOptions:\n  -4, -6                    IPv4, IPv6\n",
    "tool — x\n\nOptions:\n                            orphan text\n",
    "tool — x\n\nOptions:\n --port PORT  one space of indent\n",
  ];
  for (const text of bad) {
    const err = assertThrows(() => parseHelp(text), SyntaxError);
    assertEquals(/^help line \d+: /.test(err.message), true, err.message);
  }
});
