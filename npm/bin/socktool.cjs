#!/usr/bin/env node
// socktool for machines with Node.js only: runs socktool (main.ts and lib/,
// shipped in this package as JavaScript by `deno bundle`) with Deno from the
// `deno` npm package, under the permission set of the shipped deno.json
// (`-P`), never -A.
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const tty = require("node:tty");

const here = path.join(__dirname, "..");

/** The deno executable of the `deno` dependency. */
function denoExecutable() {
  const name = os.platform() === "win32" ? "deno.exe" : "deno";
  const packageDir = path.dirname(require.resolve("deno/package.json"));
  const copied = path.join(packageDir, name);
  if (fs.existsSync(copied)) return copied;
  // Installed with --ignore-scripts: the postinstall that puts it there did not run.
  return require("deno/install_api.cjs").runInstall();
}

const child = spawn(
  denoExecutable(),
  [
    "run",
    "--quiet",
    "--permission-set",
    "--no-lock",
    "--node-modules-dir=none",
    "--config",
    path.join(here, "deno.json"),
    path.join(here, "dist", "main.js"),
    ...process.argv.slice(2),
  ],
  { stdio: "inherit", env: { DENO_NO_UPDATE_CHECK: "1", ...process.env } },
);

// Signals sent to this launcher are passed on to socktool, except those a
// terminal sends to the whole foreground group (Ctrl-C's SIGINT, a hang-up's
// SIGHUP), which socktool receives itself: a second one would cut its exit
// short. So with a terminal on stdio, SIGINT and SIGHUP are not passed on.
const onTerminal = [0, 1, 2].some((fd) => tty.isatty(fd));
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (signal !== "SIGTERM" && onTerminal) return;
    child.kill(signal);
  });
}

child.on("error", (err) => {
  console.error(`socktool: cannot start deno: ${err.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  process.exit(signal ? 128 + (os.constants.signals[signal] ?? 0) : code ?? 1);
});
