/**
 * `socktool --completions bash|zsh|fish`, each script loaded into that real
 * shell and asked to complete an option and a value.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSocktool } from "./_test_utils/harness.ts";

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** The script `socktool --completions shell` prints, written to a temporary file. */
async function scriptFile(shell: string): Promise<string> {
  const r = await spawnSocktool(["--completions", shell], { stdin: "null" }).finish();
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  const path = await Deno.makeTempFile({ prefix: `socktool-completion-${shell}-` });
  await Deno.writeFile(path, r.stdout);
  return path;
}

async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  assert.equal(out.code, 0, `${cmd} ${args.join(" ")}: ${dec(out.stderr)}`);
  return dec(out.stdout);
}

Deno.test("bash: the completion function completes options and --serve's names", async () => {
  const file = await scriptFile("bash");
  try {
    // `complete -p` shows it is registered; the function is called as bash would on Tab.
    const complete = (...words: string[]) =>
      run("bash", [
        "-c",
        `source "$0"; complete -p socktool >/dev/null || exit 3
         COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _socktool
         printf '%s\\n' "\${COMPREPLY[@]}"`,
        file,
        ...words,
      ]);
    assert.equal(await complete("socktool", "--ssl-tr"), "--ssl-trustfile\n");
    assert.deepEqual(
      (await complete("socktool", "--ss")).trim().split("\n").sort(),
      [
        "--ssl",
        "--ssl-alpn",
        "--ssl-cert",
        "--ssl-insecure",
        "--ssl-key",
        "--ssl-pin",
        "--ssl-servername",
        "--ssl-trustfile",
        "--ssl-verify",
      ],
    );
    assert.equal(await complete("socktool", "-l", "--serve", "ch"), "chargen\n");
    assert.equal(await complete("socktool", "--proxy-type", "=", "so"), "socks5\nsocks4\n");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("fish: complete -C lists options with their --help descriptions, and value choices", async () => {
  const file = await scriptFile("fish");
  try {
    const complete = (line: string) =>
      run("fish", ["-c", `source $argv[1]; complete -C '${line}'`, file]);
    assert.equal(
      await complete("socktool --ssl-tr"),
      "--ssl-trustfile\textra CA certificates (PEM)\n",
    );
    assert.match(await complete("socktool -lv --ke"), /^--keep-open\tkeep accepting; /);
    assert.equal(await complete("socktool --completions z"), "zsh\n");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("zsh: Tab in a real interactive zsh (tmux) completes an option and a value", async () => {
  const file = await scriptFile("zsh");
  const dir = await Deno.makeTempDir({ prefix: "socktool-zsh-" });
  const server = `socktool-e2e-zsh-${Deno.pid}`;
  const tmux = (...args: string[]) =>
    new Deno.Command("tmux", { args: ["-L", server, ...args], stdout: "piped", stderr: "piped" })
      .output();
  const screen = async () => dec((await tmux("capture-pane", "-p")).stdout);
  /** Waits until the screen matches `re`, polling with a deadline. */
  const waitScreen = async (re: RegExp) => {
    const deadline = performance.now() + 10_000;
    let text = "";
    while (!re.test(text = await screen())) {
      if (performance.now() > deadline) throw new Error(`screen never matched ${re}:\n${text}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return text;
  };
  try {
    // -f: no user start-up files; compinit with its dump file in a fresh folder.
    await tmux("new-session", "-d", "-x", "120", "-y", "20", "env", "PS1=%% ", "zsh", "-f");
    await tmux(
      "send-keys",
      `autoload -Uz compinit && compinit -u -d ${dir}/zcompdump && source ${file} && echo LOADED`,
      "Enter",
    );
    await waitScreen(/^LOADED$/m);
    await tmux("send-keys", "socktool --ssl-tr", "Tab");
    await waitScreen(/socktool --ssl-trustfile/);
    await tmux("send-keys", "C-u", "socktool --serve ", "Tab");
    const text = await waitScreen(/chargen.*daytime.*discard/);
    assert.match(text, /echo/);
  } finally {
    await tmux("kill-server");
    await Deno.remove(file);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--completions with a shell it does not know is a usage error", async () => {
  const r = await spawnSocktool(["--completions", "tcsh"], { stdin: "null" }).finish();
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    "socktool: bad value 'tcsh' for --completions: choose bash, zsh or fish (see 'socktool --help')\n",
  );
  assert.equal(r.stdout.length, 0);
});
