/**
 * Splits argv into options and positionals by an option table, the way
 * `node:util`'s `parseArgs` does with `strict: false, tokens: true,
 * allowPositionals: true`, token for token.
 *
 * Why not `parseArgs` itself: importing any `node:` module makes Deno set up
 * its Node compatibility layer, about 40 million instructions (8–10 ms) of
 * every start, `--version` included. The rules below are the parts of
 * Node's algorithm socktool relies on (`argv_test.ts` checks them against
 * `parseArgs` on the same inputs):
 *
 * - `--` ends options; everything after it is positional.
 * - `--name=value` is an option with an inline value; `--name` takes the
 *   next argument as its value (whatever it looks like) when the table says
 *   `string`, else none.
 * - `-x` is the option with short letter `x` (or the unknown option `x`),
 *   and takes the next argument like `--name`; `-xVALUE` with a `string`
 *   `x` is `x` with the inline value `VALUE`.
 * - `-abc` with a non-`string` `a` is a group: each letter an option, up to
 *   the first `string` one, which takes the rest as its inline value.
 * - `-` alone and anything else are positionals.
 * - Values are stored by what was given, not by type: a value, or `true`;
 *   `multiple` options collect arrays.
 *
 * @module
 */

/** One option's entry in a table for {@linkcode splitArgv}. */
export interface ArgvOptionSpec {
  /** `string` options take a value; anything else is a flag. */
  readonly type: "string" | "boolean";
  /** The one-letter form, without the dash. */
  readonly short?: string;
  /** Collect every occurrence into an array. */
  readonly multiple?: boolean;
}

/** An option as it appeared in argv. */
export interface OptionToken {
  readonly kind: "option";
  /** The long name (the table's key), or the letter or word given when it is unknown. */
  readonly name: string;
  /** As typed: `-p`, `--port`. */
  readonly rawName: string;
  /** Index in argv of the argument it came from. */
  readonly index: number;
  /** Its value, when it took one. */
  readonly value: string | undefined;
  /** Whether the value was in the same argument (`--port=1`, `-p1`); undefined without a value. */
  readonly inlineValue: boolean | undefined;
}

/** A token of argv: an option, a positional, or the `--` that ends options. */
export type ArgvToken =
  | OptionToken
  | { readonly kind: "positional"; readonly index: number; readonly value: string }
  | { readonly kind: "option-terminator"; readonly index: number };

/**
 * The values of a table's options, typed as the table says (what `parseArgs`
 * returns for it once every token has been checked against the table).
 */
export type ArgvValues<T extends Readonly<Record<string, ArgvOptionSpec>>> = {
  -readonly [K in keyof T]?: T[K] extends { readonly multiple: true }
    ? (T[K]["type"] extends "string" ? string[] : boolean[])
    : (T[K]["type"] extends "string" ? string : boolean);
};

/** What {@linkcode splitArgv} found. */
export interface SplitArgv {
  /** Each option's value (`true` for one given without a value; arrays for `multiple`). */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** The positionals in order. */
  positionals: string[];
  /** Every token in argv order. */
  tokens: ArgvToken[];
}

/**
 * Splits `args` by `table` (see the module doc for the rules).
 *
 * @example
 * ```ts
 * const table = { listen: { type: "boolean", short: "l" }, port: { type: "string", short: "p" } };
 * splitArgv(["-lp4444", "host"], table);
 * // values: { listen: true, port: "4444" }, positionals: ["host"]
 * ```
 */
export function splitArgv(
  args: readonly string[],
  table: Readonly<Record<string, ArgvOptionSpec>>,
): SplitArgv {
  const byShort = new Map<string, string>();
  for (const name of Object.keys(table)) {
    const short = table[name].short;
    if (short !== undefined) byShort.set(short, name);
  }
  const longOf = (letter: string) => byShort.get(letter) ?? letter;
  const typeOf = (name: string) => Object.hasOwn(table, name) ? table[name].type : undefined;

  const tokens: ArgvToken[] = [];
  const rest = [...args];
  let index = -1;
  // Arguments a short group expanded into: they keep the group's index.
  let groupCount = 0;
  while (rest.length > 0) {
    const arg = rest.shift()!;
    const next = rest[0];
    if (groupCount > 0) groupCount--;
    else index++;
    if (arg === "--") {
      tokens.push({ kind: "option-terminator", index });
      for (const value of rest) tokens.push({ kind: "positional", index: ++index, value });
      break;
    }
    const short = arg.length >= 2 && arg[0] === "-" && arg[1] !== "-";
    const long = arg.length > 2 && arg.startsWith("--");
    if ((short && arg.length === 2) || (long && !arg.includes("=", 3))) {
      // -p or --port, and the next argument as its value when it takes one.
      const name = short ? longOf(arg[1]) : arg.slice(2);
      let value: string | undefined;
      let inlineValue: boolean | undefined;
      if (typeOf(name) === "string" && next !== undefined) {
        value = rest.shift();
        inlineValue = false;
      }
      tokens.push({ kind: "option", name, rawName: arg, index, value, inlineValue });
      if (value !== undefined) index++;
      continue;
    }
    if (short && typeOf(longOf(arg[1])) !== "string") {
      // A group: -abc is -a -b -c; a value option in the middle takes the rest.
      const parts: string[] = [];
      for (let i = 1; i < arg.length; i++) {
        if (typeOf(longOf(arg[i])) !== "string" || i === arg.length - 1) parts.push(`-${arg[i]}`);
        else {
          parts.push(`-${arg.slice(i)}`);
          break;
        }
      }
      rest.unshift(...parts);
      groupCount = parts.length;
      continue;
    }
    if (short) {
      // -pVALUE
      tokens.push({
        kind: "option",
        name: longOf(arg[1]),
        rawName: `-${arg[1]}`,
        index,
        value: arg.slice(2),
        inlineValue: true,
      });
      continue;
    }
    if (long) {
      // --port=VALUE
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq);
      tokens.push({
        kind: "option",
        name,
        rawName: `--${name}`,
        index,
        value: arg.slice(eq + 1),
        inlineValue: true,
      });
      continue;
    }
    tokens.push({ kind: "positional", index, value: arg });
  }

  const values: SplitArgv["values"] = Object.create(null);
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === "positional") positionals.push(t.value);
    if (t.kind !== "option" || t.name === "__proto__") continue;
    const value = t.value ?? true;
    if (Object.hasOwn(table, t.name) && table[t.name].multiple) {
      const list = values[t.name];
      if (Array.isArray(list)) list.push(value);
      else values[t.name] = [value];
    } else values[t.name] = value;
  }
  return { values, positionals, tokens };
}
