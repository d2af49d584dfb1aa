/**
 * The manual page `socktool.1`, made from the `--help` text (as help2man
 * does), so the two never disagree. `deno task man` writes it; a test
 * compares the committed file with a fresh one.
 *
 * @module
 */

import type { CommandItem, HelpModel, OptionItem } from "./help_model.ts";

/**
 * Escapes text for roff: backslashes, and every `-` as `\-` so options
 * copied from the page are real hyphen-minus signs; a line never starts
 * with a control character.
 */
function roff(text: string): string {
  return text
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .replace(/—/g, "\\(em")
    .replace(/^([.'])/, "\\&$1");
}

const bold = (s: string) => `\\fB${roff(s)}\\fR`;
const italic = (s: string) => `\\fI${roff(s)}\\fR`;

/** `-p, --port PORT` in man style: options bold, the placeholder italic. */
function optionTerm(o: OptionItem): string {
  const names = [o.short ? bold(`-${o.short}`) : undefined, bold(`--${o.long}`)]
    .filter((s) => s !== undefined).join(", ");
  return o.arg === undefined ? names : `${names} ${italic(o.arg)}`;
}

/** A command (`socktool -lv 9999`) with its program name bold. */
function commandTerm(c: CommandItem, name: string): string {
  return c.command.startsWith(`${name} `)
    ? `${bold(name)} ${roff(c.command.slice(name.length + 1))}`
    : roff(c.command);
}

const item = (term: string, text: string) => [".TP", term, roff(text)];

/**
 * The man page for `model` (`parseHelp(USAGE)`), in roff with the `man`
 * macros. Deterministic: the same help and version give the same bytes (no
 * date), so a test can compare it with the committed file.
 *
 * @example
 * ```ts
 * const page = manPage(parseHelp(USAGE), "0.1.0");
 * await Deno.writeTextFile("socktool.1", page);
 * ```
 */
export function manPage(model: HelpModel, version: string): string {
  const { name } = model;
  const out: string[] = [
    `.\\" Made from '${name} --help' by 'deno task man'; edit lib/cli/usage.ts, not this file.`,
    `.TH ${name.toUpperCase()} 1 "" "${name} ${version}" "User Commands"`,
    // No hyphenation, ragged right: option names stay whole.
    ".nh",
    ".ad l",
    ".SH NAME",
    `${name} \\- ${roff(model.summary)}`,
  ];
  const options: string[] = [];
  const notes: string[] = [];
  const rest: string[] = [];
  let seeAlso = "";
  model.blocks.forEach((block, i) => {
    if (block.kind === "paragraph") {
      if (i === model.blocks.length - 1) seeAlso = block.text;
      else if (/^Exit status:/.test(block.text)) {
        rest.push(".SH EXIT STATUS", roff(block.text.replace(/^Exit status:\s*/, "")));
      } else notes.push(".PP", roff(block.text));
      return;
    }
    const commands = block.items.filter((it): it is CommandItem => it.kind === "command");
    const opts = block.items.filter((it): it is OptionItem => it.kind === "option");
    if (block.title === "Usage") {
      out.push(".SH SYNOPSIS", commands.map((c) => commandTerm(c, name)).join("\n.br\n"));
      out.push(
        ".SH DESCRIPTION",
        `${bold(name)} is ${roff(model.summary)}; it runs in these forms:`,
      );
      for (const c of commands) out.push(...item(commandTerm(c, name), c.text));
      return;
    }
    if (opts.length > 0) {
      options.push(`.SS ${roff(block.title)}`);
      for (const o of opts) options.push(...item(optionTerm(o), o.text));
      return;
    }
    rest.push(`.SH ${roff(block.title.toUpperCase())}`);
    for (const c of commands) rest.push(...item(commandTerm(c, name), c.text));
  });
  out.push(".SH OPTIONS", ...options);
  if (notes.length > 0) out.push(".SH NOTES", ...notes.slice(1));
  out.push(...rest);
  out.push(".SH SEE ALSO", `${bold("nc")}(1), ${bold("ncat")}(1), ${bold("socat")}(1)`);
  if (seeAlso !== "") out.push(".PP", roff(seeAlso));
  return `${out.join("\n")}\n`;
}
