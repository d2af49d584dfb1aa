/**
 * Loads a module when it is first needed, outside the start-up module graph.
 *
 * Why: Deno reads and analyses, before the first line runs, every module a
 * literal `import("./x.ts")` names, and everything those import in turn
 * (TLS, proxies, the X.509 package, every mode), even when this run uses
 * none of it: about 12 million instructions of every start. A specifier
 * built at run time is not followed, so only what a run uses is loaded.
 * The type comes from `typeof import(...)`, a type-only reference that
 * `deno check` follows and `deno run` does not; `lazy_import_test.ts` checks
 * that both name the same file. The module is read under the `read`
 * permission (socktool has it); `deno compile` needs `--include` for it.
 *
 * @module
 */

/**
 * Imports `specifier`, relative to `base` (the caller's `import.meta.url`).
 *
 * @example
 * ```ts
 * const { probeMode } = await lazyImport<typeof import("./lib/modes/probe.ts")>(
 *   "./lib/modes/probe.ts",
 *   import.meta.url,
 * );
 * ```
 */
export function lazyImport<T>(specifier: string, base: string): Promise<T> {
  return import(new URL(specifier, base).href);
}
