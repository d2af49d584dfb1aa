/**
 * `deno task install [--root DIR]`: installs the `socktool` command.
 *
 * The command must keep working wherever the clone goes (moved, deleted,
 * checked out at another commit), so the sources are copied first, into the
 * folder `deno install` keeps beside the command (`ROOT/bin/.socktool/src`,
 * which `deno uninstall -g socktool` removes too); the command runs that
 * copy with the permissions of `deno.json`'s `default` set, named one by
 * one. ROOT is `--root`, else `DENO_INSTALL_ROOT`, else `~/.deno`. It then
 * runs the installed command once, and says where it is and whether that
 * folder is on PATH. Run it again after pulling to update.
 *
 * @module
 */

import { parseArgs } from "node:util";
import denoConfig from "../deno.json" with { type: "json" };

/** The repository this script belongs to. */
const REPO = new URL("../", import.meta.url);

/** A permission set as `deno.json` writes it: `true`, or a list of allowed values. */
export type PermissionSet = Record<string, boolean | readonly string[] | undefined>;

/**
 * The `deno run` flags that grant `set` one by one, plus the unstable
 * features the configuration asks for.
 *
 * @example
 * ```ts
 * permissionFlags({ net: true, ffi: ["/lib/libc.so.6"] }, ["net"]);
 * // ["--allow-net", "--allow-ffi=/lib/libc.so.6", "--unstable-net"]
 * ```
 */
export function permissionFlags(set: PermissionSet, unstable: readonly string[] = []): string[] {
  const flags: string[] = [];
  for (const [name, value] of Object.entries(set)) {
    if (value === true) flags.push(`--allow-${name}`);
    else if (Array.isArray(value) && value.length > 0) {
      flags.push(`--allow-${name}=${value.join(",")}`);
    }
  }
  return [...flags, ...unstable.map((feature) => `--unstable-${feature}`)];
}

/**
 * Whether a repository path is shipped: `main.ts`, `mod.ts`, `deno.json`,
 * `deno.lock`, and `lib/**.ts` without tests and test helpers (the same
 * rule as `publish` in `deno.json`).
 *
 * @example
 * ```ts
 * isShipped("lib/io/sink.ts"); // true
 * isShipped("lib/io/sink_test.ts"); // false
 * ```
 */
export function isShipped(path: string): boolean {
  if (["main.ts", "mod.ts", "deno.json", "deno.lock"].includes(path)) return true;
  if (!path.startsWith("lib/") || !path.endsWith(".ts")) return false;
  return !path.endsWith("_test.ts") &&
    !path.split("/").some((part) => part.startsWith("_test_utils"));
}

/**
 * What to tell the user about PATH: whether `bin` is on it, and if not, the
 * line that puts it there (with `$HOME` when it is under the home folder).
 *
 * @example
 * ```ts
 * pathAdvice("/root/.deno/bin", "/usr/bin:/bin", "/root");
 * // 'not on your PATH; add it: export PATH="$HOME/.deno/bin:$PATH"'
 * ```
 */
export function pathAdvice(bin: string, path: string, home?: string): string {
  const entries = path.split(":").map((p) => p.replace(/\/+$/, ""));
  if (entries.includes(bin.replace(/\/+$/, ""))) return "on your PATH: try socktool --help";
  const shown = home && bin.startsWith(`${home}/`) ? `$HOME${bin.slice(home.length)}` : bin;
  return `not on your PATH; add it: export PATH="${shown}:$PATH"`;
}

/** The first executable called `name` on `path`, if any. */
function which(name: string, path: string): string | undefined {
  for (const dir of path.split(":")) {
    if (dir === "") continue;
    try {
      const info = Deno.statSync(`${dir}/${name}`);
      if (info.isFile && (info.mode ?? 0o111) & 0o111) return `${dir}/${name}`;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Copies every shipped file of the repository into `dest` (emptied first). */
async function copySources(dest: string): Promise<number> {
  await Deno.remove(dest, { recursive: true }).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
  let copied = 0;
  const walk = async (rel: string) => {
    for await (const entry of Deno.readDir(new URL(rel || ".", REPO))) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory && (path === "lib" || path.startsWith("lib/"))) await walk(path);
      else if (entry.isFile && isShipped(path)) {
        const target = `${dest}/${path}`;
        await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
        await Deno.copyFile(new URL(path, REPO), target);
        copied++;
      }
    }
  };
  await walk("");
  return copied;
}

/** Runs `cmd` and fails with its stderr unless it exits 0; returns its stdout. */
async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, env, cwd: Deno.cwd(), stderr: "piped" })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
  if (out.code !== 0) {
    throw new Error(`${[cmd, ...args].join(" ")} failed (exit ${out.code}): ${text(out.stderr)}`);
  }
  return text(out.stdout);
}

async function install(): Promise<void> {
  const { values } = parseArgs({ args: Deno.args, options: { root: { type: "string" } } });
  const home = Deno.env.get("HOME");
  const root = (values.root ?? Deno.env.get("DENO_INSTALL_ROOT") ?? `${home}/.deno`)
    .replace(/\/+$/, "");
  if (!root.startsWith("/")) throw new Error(`install root must be an absolute path: ${root}`);
  const bin = `${root}/bin`;
  const src = `${bin}/.socktool/src`;
  await copySources(src);

  const config = denoConfig as {
    permissions: { default: PermissionSet };
    unstable?: string[];
    tasks: Record<string, string>;
  };
  // The start task's V8 flags (a small young generation: see README, Performance) go along.
  const v8 = config.tasks.start.split(/\s+/).filter((w) => w.startsWith("--v8-flags="));
  const flags = [...v8, ...permissionFlags(config.permissions.default, config.unstable)];
  await run(Deno.execPath(), [
    "install",
    "--global",
    "--force",
    "--quiet",
    "--root",
    root,
    "--name",
    "socktool",
    "--config",
    `${src}/deno.json`,
    ...flags,
    `${src}/main.ts`,
  ], { DENO_NO_UPDATE_CHECK: "1" });

  // The installed script runs `deno` from PATH: try it as the user will,
  // with this deno's folder as a fallback so that the check tests the install.
  const path = Deno.env.get("PATH") ?? "";
  const denoDir = Deno.execPath().slice(0, Deno.execPath().lastIndexOf("/"));
  const version = await run(`${bin}/socktool`, ["--version"], {
    PATH: `${path}:${denoDir}`,
    DENO_NO_UPDATE_CHECK: "1",
  });
  console.log(`installed ${version} in ${bin} (${pathAdvice(bin, path, home)})`);
  const found = which("socktool", path);
  if (found !== undefined && found !== `${bin}/socktool`) {
    console.log(`note: '${found}' comes first on your PATH and runs instead`);
  }
  if (which("deno", path) === undefined) {
    console.log(
      `note: the command runs 'deno', which is not on your PATH: npm install -g deno@${Deno.version.deno}`,
    );
  }
  const rootFlag = root === `${home}/.deno` ? "" : ` --root ${root}`;
  console.log(`sources copied to ${src}; to remove it all: deno uninstall -g${rootFlag} socktool`);
}

if (import.meta.main) {
  try {
    await install();
  } catch (err) {
    console.error(`socktool install: ${(err as Error).message}`);
    Deno.exit(1);
  }
}
