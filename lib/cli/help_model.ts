/**
 * `--help` read back as data, so the man page and the shell completions say
 * what `--help` says without a second copy (the grammar is in `usage.ts`).
 * A line the grammar does not cover is an error, so the help and what is
 * made from it cannot drift apart quietly.
 *
 * @module
 */

/** An option item: `-p, --port PORT   local port ...`. */
export interface OptionItem {
  kind: "option";
  /** The short letter, without `-`. */
  short?: string;
  /** The long name, without `--`. */
  long: string;
  /** The value's placeholder (`PORT`, `"PROG ARGS"`), for options that take one. */
  arg?: string;
  /** The description, lines joined with spaces. */
  text: string;
}

/** A command item: `socktool -lv 9999   wait for one client ...`. */
export interface CommandItem {
  kind: "command";
  /** The command as typed. */
  command: string;
  /** What it does. */
  text: string;
}

/** A block of the help: a titled list, or a paragraph. */
export type HelpBlock =
  | { kind: "list"; title: string; items: (OptionItem | CommandItem)[] }
  | { kind: "paragraph"; text: string };

/** The help as data. */
export interface HelpModel {
  /** The program's name, from the first line. */
  name: string;
  /** What it is, from the first line after the dash. */
  summary: string;
  /** The blocks after the first line, in order. */
  blocks: HelpBlock[];
}

const HEADING = /^([A-Z][A-Za-z ]*):$/;
const OPTION = /^ {2}(?:-(\S), | {4})--([a-z0-9][a-z0-9-]*)(?: ("[^"]*"|\S+))?(?: +(\S.*))?$/;
const CONTINUATION = /^ {20,}(\S.*)$/;

/**
 * Reads help text into a {@linkcode HelpModel}.
 *
 * @throws {SyntaxError} naming the first line the grammar does not cover
 * @example
 * ```ts
 * const model = parseHelp(USAGE);
 * model.blocks[0]; // { kind: "list", title: "Usage", items: [...] }
 * ```
 */
export function parseHelp(text: string): HelpModel {
  const [first, ...rest] = text.replace(/\n+$/, "").split("\n");
  const title = /^(\S+) — (.+)$/.exec(first);
  if (!title) throw new SyntaxError(`help line 1: expected 'NAME — SUMMARY': ${first}`);
  const blocks: HelpBlock[] = [];
  let block: HelpBlock | undefined;
  rest.forEach((line, i) => {
    const where = `help line ${i + 2}`;
    if (line.trim() === "") {
      block = undefined;
      return;
    }
    if (block === undefined) {
      const heading = HEADING.exec(line);
      block = heading
        ? { kind: "list", title: heading[1], items: [] }
        : { kind: "paragraph", text: line.trim() };
      blocks.push(block);
      return;
    }
    if (block.kind === "paragraph") {
      block.text += ` ${line.trim()}`;
      return;
    }
    const last = block.items.at(-1);
    const more = CONTINUATION.exec(line);
    if (more) {
      if (last === undefined) throw new SyntaxError(`${where}: continues no item: ${line}`);
      last.text = last.text === "" ? more[1] : `${last.text} ${more[1]}`;
      return;
    }
    block.items.push(parseItem(line, where));
  });
  return { name: title[1], summary: title[2], blocks };
}

function parseItem(line: string, where: string): OptionItem | CommandItem {
  if (/^ {2}(-| {4}-)/.test(line)) {
    const m = OPTION.exec(line);
    if (!m) throw new SyntaxError(`${where}: not an option item: ${line}`);
    const [, short, long, arg, text] = m;
    return { kind: "option", short, long, arg, text: text ?? "" };
  }
  const m = /^ {2}(\S.*?)(?: {2,}(\S.*))?$/.exec(line);
  if (!m) throw new SyntaxError(`${where}: not an item (two spaces, then text): ${line}`);
  return { kind: "command", command: m[1], text: m[2] ?? "" };
}

/**
 * Every option item of the help, in order.
 *
 * @example
 * ```ts
 * helpOptions(parseHelp(USAGE)).find((o) => o.long === "port")?.arg; // "PORT"
 * ```
 */
export function helpOptions(model: HelpModel): OptionItem[] {
  return model.blocks.flatMap((b) =>
    b.kind === "list" ? b.items.filter((i): i is OptionItem => i.kind === "option") : []
  );
}
