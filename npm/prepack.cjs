// `npm pack` / `npm publish`: builds this package from the repository.
// Deno will not run TypeScript from under node_modules, so socktool's
// sources (main.ts and lib/) go in as JavaScript: `deno bundle`, split so
// that each mode still loads only when used, with the npm dependencies
// inside. deno.json comes along for its permission set (`-P`), and the
// package's version must be deno.json's.
"use strict";

const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const repo = path.join(__dirname, "..");
const pkg = require("./package.json");
const config = JSON.parse(fs.readFileSync(path.join(repo, "deno.json"), "utf8"));
if (pkg.version !== config.version) {
  console.error(
    `npm/package.json is ${pkg.version}, deno.json is ${config.version}: make them equal`,
  );
  process.exit(1);
}

for (const file of ["deno.json", "LICENSE"]) {
  fs.copyFileSync(path.join(repo, file), path.join(__dirname, file));
}
const dist = path.join(__dirname, "dist");
fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.env.DENO ?? "deno", [
  "bundle",
  "--quiet",
  "--code-splitting",
  "--platform",
  "deno",
  "--outdir",
  dist,
  path.join(__dirname, "main.ts"),
], { cwd: repo, stdio: "inherit", env: { DENO_NO_UPDATE_CHECK: "1", ...process.env } });
