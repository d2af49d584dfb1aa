/**
 * The modules socktool loads only when a run uses them, and how they load.
 *
 * Why not a literal `import("./x.ts")`: before running a line, `deno run`
 * reads and analyses every module such an import names, transitively (every
 * mode, TLS, proxies, the X.509 npm package), although `--version` runs none
 * of them. {@linkcode load} imports a URL built at run time, which the
 * module graph does not follow, so a run reads only what it uses.
 *
 * Every way socktool ships finds these modules:
 *
 * - `deno run` and `deno task install`: the URL is the file beside this one.
 * - The npm package: a bundler cannot follow a URL built at run time, so the
 *   npm entry (`npm/main.ts`) hands {@linkcode useLoaders} a table of literal
 *   `() => import("../lib/…")` loaders, one for each name below, before it
 *   starts the command; the bundler sees those and splits them off, still
 *   loaded only when used.
 * - `deno compile`: its task `--include`s each module named below.
 *
 * `tests/lazy_modules_test.ts` checks all three against
 * {@linkcode LazyModules}, and that each name there is the path of its type.
 * JSR's `deno publish` warns about the one import below that it cannot
 * analyse; it resolves relative to this file and needs no import map, and
 * the types below put every such module in the published graph.
 *
 * @module
 */

/**
 * Every module loaded through {@linkcode load}, by its path from the
 * repository root, with its type. The path and the type must name the same
 * file.
 */
export interface LazyModules {
  "lib/modes/command.ts": typeof import("./modes/command.ts");
  "lib/cli/usage.ts": typeof import("./cli/usage.ts");
  "lib/cli/completions.ts": typeof import("./cli/completions.ts");
  "lib/cli/help_model.ts": typeof import("./cli/help_model.ts");
  "lib/modes/probe.ts": typeof import("./modes/probe.ts");
  "lib/probe/udp.ts": typeof import("./probe/udp.ts");
  "lib/modes/wait_for.ts": typeof import("./modes/wait_for.ts");
  "lib/modes/prepare.ts": typeof import("./modes/prepare.ts");
  "lib/session/session.ts": typeof import("./session/session.ts");
  "lib/transforms/stages.ts": typeof import("./transforms/stages.ts");
  "lib/modes/connect.ts": typeof import("./modes/connect.ts");
  "lib/modes/datagram_connect.ts": typeof import("./modes/datagram_connect.ts");
  "lib/modes/datagram_listen.ts": typeof import("./modes/datagram_listen.ts");
  "lib/modes/listen.ts": typeof import("./modes/listen.ts");
  "lib/modes/tls_setup.ts": typeof import("./modes/tls_setup.ts");
  "lib/modes/ws_setup.ts": typeof import("./modes/ws_setup.ts");
  "lib/session/exec.ts": typeof import("./session/exec.ts");
  "lib/proxy/connect.ts": typeof import("./proxy/connect.ts");
  "lib/net/tcp_from.ts": typeof import("./net/tcp_from.ts");
  "lib/serve/udp_forward.ts": typeof import("./serve/udp_forward.ts");
  "lib/tls/files.ts": typeof import("./tls/files.ts");
}

/** The name of a module that {@linkcode load} loads. */
export type LazyName = keyof LazyModules;

/** A loader for each lazily loaded module (the npm entry's table). */
export type Loaders = { readonly [K in LazyName]: () => Promise<LazyModules[K]> };

let loaders: Loaders | undefined;

/**
 * Makes {@linkcode load} use `table` instead of importing by URL: for a
 * bundle, whose bundler sees the literal imports in `table` and cannot see
 * a URL built at run time. Called once, before anything is loaded.
 *
 * @example
 * ```ts ignore
 * useLoaders({ "lib/modes/probe.ts": () => import("../lib/modes/probe.ts"), ... });
 * ```
 */
export function useLoaders(table: Loaders): void {
  loaders = table;
}

/**
 * Loads the module `name` (its path from the repository root), once; later
 * calls get the same module.
 *
 * @example
 * ```ts
 * const { probeMode } = await load("lib/modes/probe.ts");
 * ```
 */
export function load<K extends LazyName>(name: K): Promise<LazyModules[K]> {
  if (loaders !== undefined) return loaders[name]();
  return import(new URL(`../${name}`, import.meta.url).href);
}
