/**
 * `socktool --completions bash|zsh|fish`: a completion script made from the
 * option table (which options exist, their short letters, which take a
 * value) and the `--help` text (what each one does, what its value is), so
 * a new option completes as soon as it is in the table.
 *
 * @module
 */

import { OPTION_TABLE } from "./option_table.ts";
import type { CompletionShell } from "./options.ts";
import { type HelpModel, helpOptions } from "./help_model.ts";
import { SERVE_NAMES } from "../serve/responders.ts";

/** What a value is completed with. */
type ValueKind =
  | { kind: "choices"; choices: readonly string[] }
  | { kind: "file" }
  | { kind: "command" }
  | { kind: "none" };

/** One option as the scripts need it. */
export interface CompletionEntry {
  /** Long name, without `--`. */
  long: string;
  /** Short letter, without `-`. */
  short?: string;
  /** What `--help` says it does ("" when it says nothing). */
  text: string;
  /** Whether it may be given more than once. */
  repeatable: boolean;
  /** Its value's placeholder (`FILE`), or `undefined` for a flag. */
  arg?: string;
  /** How its value is completed. */
  value: ValueKind;
}

/** The fixed choices of options whose value is one of a few words. */
const CHOICES: Record<string, readonly string[]> = {
  serve: SERVE_NAMES,
  "proxy-type": ["socks5", "socks4", "http"],
  completions: ["bash", "zsh", "fish"],
};

function valueKind(long: string, arg: string | undefined): ValueKind {
  if (CHOICES[long]) return { kind: "choices", choices: CHOICES[long] };
  if (arg === "FILE" || arg === "PATH") return { kind: "file" };
  if (long === "exec") return { kind: "command" };
  return { kind: "none" };
}

/**
 * The options of the table, described by the help, in table order.
 *
 * @example
 * ```ts
 * completionEntries(parseHelp(USAGE)).find((e) => e.long === "output");
 * // { long: "output", short: "o", arg: "FILE", value: { kind: "file" }, ... }
 * ```
 */
export function completionEntries(help: HelpModel): CompletionEntry[] {
  const described = new Map(helpOptions(help).map((o) => [o.long, o]));
  const table = OPTION_TABLE as Record<
    string,
    { type: string; short?: string; multiple?: boolean }
  >;
  return Object.entries(table).map(([long, spec]) => {
    const arg = spec.type === "string" ? (described.get(long)?.arg ?? "VALUE") : undefined;
    return {
      long,
      short: spec.short,
      text: described.get(long)?.text ?? "",
      repeatable: spec.multiple === true,
      arg,
      value: arg === undefined ? { kind: "none" } : valueKind(long, arg),
    };
  });
}

/**
 * The completion script for `shell`.
 *
 * @example
 * ```ts
 * const script = completionScript("bash", parseHelp(USAGE));
 * // eval it in bash: `socktool --ss<Tab>` offers --ssl, --ssl-cert, ...
 * ```
 */
export function completionScript(shell: CompletionShell, help: HelpModel): string {
  const entries = completionEntries(help);
  if (shell === "bash") return bashScript(help.name, entries);
  if (shell === "zsh") return zshScript(help.name, entries);
  return fishScript(help.name, entries);
}

const flags = (e: CompletionEntry) => [`--${e.long}`, ...(e.short ? [`-${e.short}`] : [])];
/** A word list for a shell's single quotes (option names and choices are plain words). */
const words = (list: readonly string[]) => list.join(" ");

function bashScript(name: string, entries: CompletionEntry[]): string {
  const fn = `_${name.replace(/\W/g, "_")}`;
  const withValue = entries.filter((e) => e.arg !== undefined);
  const cases = [
    ...withValue.filter((e) => e.value.kind === "choices").map((e) =>
      `    ${flags(e).join("|")}) COMPREPLY=($(compgen -W '${
        words((e.value as { choices: readonly string[] }).choices)
      }' -- "$cur")); return ;;`
    ),
    caseOf(
      withValue,
      "file",
      `compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))`,
    ),
    caseOf(withValue, "command", `COMPREPLY=($(compgen -c -- "$cur"))`),
    caseOf(withValue, "none", `COMPREPLY=()`),
  ].filter((c) => c !== "");
  const all = [
    ...entries.map((e) => `--${e.long}`),
    ...entries.flatMap((e) => e.short ? [`-${e.short}`] : []),
  ];
  return `# bash completion for ${name}: ${name} --completions bash
# Load it now:    source <(${name} --completions bash)
# or for good:    ${name} --completions bash > ~/.local/share/bash-completion/completions/${name}
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  # --opt=value: bash splits at '=' (COMP_WORDBREAKS).
  if [[ $cur == = ]]; then
    cur=
  elif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then
    prev=\${COMP_WORDS[COMP_CWORD-2]}
  fi
  case $prev in
${cases.join("\n")}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '${words(all)}' -- "$cur"))
    return
  fi
  local w
  for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    if [[ $w == --unixsock || $w =~ ^-[[:alnum:]]*U ]]; then
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      return
    fi
  done
  COMPREPLY=($(compgen -A hostname -- "$cur"))
}
complete -F ${fn} ${name}
`;
}

/** One `case` arm for the options whose values complete as `kind`, or "" when there are none. */
function caseOf(entries: CompletionEntry[], kind: ValueKind["kind"], action: string): string {
  const matching = entries.filter((e) => e.value.kind === kind);
  if (matching.length === 0) return "";
  return `    ${matching.flatMap(flags).join("|")}) ${action}; return ;;`;
}

/** Text inside a zsh single-quoted `_arguments` spec: quotes, brackets and colons escaped. */
function zshText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/'/g, `'\\''`).replace(/([\[\]:])/g, "\\$1");
}

function zshScript(name: string, entries: CompletionEntry[]): string {
  const fn = `_${name.replace(/\W/g, "_")}`;
  const specs = entries.map((e) => {
    const names = e.short
      ? `{-${e.short}${e.arg ? "+" : ""},--${e.long}${e.arg ? "=" : ""}}`
      : `--${e.long}${e.arg ? "=" : ""}`;
    const exclusive = e.repeatable ? "'*'" : e.short ? `'(-${e.short} --${e.long})'` : "";
    const help = `'[${zshText(e.text)}]`;
    if (e.arg === undefined) return `${exclusive}${names}${help}'`;
    const action = e.value.kind === "choices"
      ? `(${e.value.choices.join(" ")})`
      : e.value.kind === "file"
      ? "_files"
      : e.value.kind === "command"
      ? "_command_names -e"
      : " ";
    return `${exclusive}${names}${help}:${zshText(e.arg)}:${action}'`;
  });
  return `#compdef ${name}
# zsh completion for ${name}: ${name} --completions zsh
# Install: ${name} --completions zsh > "\${fpath[1]}/_${name}" (any folder in $fpath),
# or load it now, after compinit: source <(${name} --completions zsh)
${fn}_operand() {
  # -U (alone or grouped, as in -lU) makes the operand a socket path.
  if (( \${words[(I)(--unixsock|-[[:alnum:]]#U[[:alnum:]]#)]} )); then
    _files
  else
    _hosts
  fi
}
${fn}() {
  _arguments -s -S \\
    ${specs.join(" \\\n    ")} \\
    '*:host, port or path:${fn}_operand'
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${name}
fi
`;
}

/** Text in fish single quotes. */
function fishText(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function fishScript(name: string, entries: CompletionEntry[]): string {
  const lines = entries.flatMap((e) => {
    const option = [`complete -c ${name}`, ...(e.short ? [`-s ${e.short}`] : []), `-l ${e.long}`];
    const described = e.text === "" ? [] : [`-d ${fishText(e.text)}`];
    if (e.arg === undefined) return [[...option, ...described].join(" ")];
    if (e.value.kind === "file") return [[...option, "-r -F", ...described].join(" ")];
    // Candidates of their own on a line of their own: a description given with
    // them would be shown beside every candidate.
    const candidates = e.value.kind === "choices"
      ? [`${option.join(" ")} -x -a ${fishText(e.value.choices.join(" "))}`]
      : e.value.kind === "command"
      ? [`${option.join(" ")} -x -a '(__fish_complete_command)'`]
      : [];
    return [...candidates, [...option, "-x", ...described].join(" ")];
  });
  return `# fish completion for ${name}: ${name} --completions fish
# Install: ${name} --completions fish > ~/.config/fish/completions/${name}.fish
# Operands: a host, or with -U a socket path.
complete -c ${name} -n 'not __fish_seen_argument -s U -l unixsock' -f -a '(__fish_print_hostnames)'
complete -c ${name} -n '__fish_seen_argument -s U -l unixsock' -F
${lines.join("\n")}
`;
}
