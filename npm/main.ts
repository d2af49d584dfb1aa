/**
 * The npm package's entry (`prepack.cjs` bundles it into `dist/main.js`):
 * socktool's `main.ts`, with a literal loader for each module that
 * `lib/lazy.ts` loads at run time. `deno bundle` cannot follow the URL that
 * `lib/lazy.ts` builds, but it follows these: each becomes a chunk of its
 * own, still loaded only when a run uses it.
 *
 * @module
 */

import { type Loaders, useLoaders } from "../lib/lazy.ts";
import { runAsCommand } from "../main.ts";

/** A literal import for every module of `LazyModules` (`tests/lazy_modules_test.ts` checks the names). */
export const NPM_LOADERS: Loaders = {
  "lib/modes/command.ts": () => import("../lib/modes/command.ts"),
  "lib/cli/usage.ts": () => import("../lib/cli/usage.ts"),
  "lib/cli/completions.ts": () => import("../lib/cli/completions.ts"),
  "lib/cli/help_model.ts": () => import("../lib/cli/help_model.ts"),
  "lib/modes/probe.ts": () => import("../lib/modes/probe.ts"),
  "lib/probe/udp.ts": () => import("../lib/probe/udp.ts"),
  "lib/modes/wait_for.ts": () => import("../lib/modes/wait_for.ts"),
  "lib/modes/prepare.ts": () => import("../lib/modes/prepare.ts"),
  "lib/session/session.ts": () => import("../lib/session/session.ts"),
  "lib/transforms/stages.ts": () => import("../lib/transforms/stages.ts"),
  "lib/modes/connect.ts": () => import("../lib/modes/connect.ts"),
  "lib/modes/datagram_connect.ts": () => import("../lib/modes/datagram_connect.ts"),
  "lib/modes/datagram_listen.ts": () => import("../lib/modes/datagram_listen.ts"),
  "lib/modes/listen.ts": () => import("../lib/modes/listen.ts"),
  "lib/modes/tls_setup.ts": () => import("../lib/modes/tls_setup.ts"),
  "lib/modes/ws_setup.ts": () => import("../lib/modes/ws_setup.ts"),
  "lib/session/exec.ts": () => import("../lib/session/exec.ts"),
  "lib/proxy/connect.ts": () => import("../lib/proxy/connect.ts"),
  "lib/net/tcp_from.ts": () => import("../lib/net/tcp_from.ts"),
  "lib/serve/udp_forward.ts": () => import("../lib/serve/udp_forward.ts"),
  "lib/tls/files.ts": () => import("../lib/tls/files.ts"),
};

if (import.meta.main) {
  useLoaders(NPM_LOADERS);
  await runAsCommand(Deno.args);
}
