import assert from "node:assert/strict";
import { openSessionLogs, prepare } from "./prepare.ts";
import { parseCommandLine } from "../cli/parse.ts";
import type { ConnectOptions, ListenOptions } from "../cli/options.ts";
import { SocktoolError } from "../errors.ts";
import { createLogger } from "../io/log.ts";
import { closeSessionLogs } from "../transforms/stages.ts";
import { generateSelfSigned } from "../tls/self_signed.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs prepare on a command line; returns what it prepared and the warnings it gave. */
async function prepared(args: string[], env: Record<string, string> = {}) {
  const warnings: string[] = [];
  const options = parseCommandLine(args) as ConnectOptions | ListenOptions;
  const log = createLogger(0, (m) => warnings.push(m));
  const result = await prepare(options, log, { get: (k) => env[k] ?? Deno.env.get(k) });
  return { result, warnings };
}

/** The usage error prepare refuses `args` with. */
async function refusal(args: string[], env: Record<string, string> = {}): Promise<string> {
  const err = await prepared(args, env).then(
    async ({ result }) => {
      await closeSessionLogs(result.logs);
      assert.fail(`not refused: ${args.join(" ")}`);
    },
    (e) => e,
  );
  assert.ok(err instanceof SocktoolError, String(err));
  assert.equal(err.exitCode, 2, err.message);
  return err.message;
}

Deno.test("prepare finds the -e program in PATH, or says why it cannot run it", () =>
  withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/plain`, "#!/bin/sh\n");
    await Deno.chmod(`${dir}/plain`, 0o644);
    await Deno.mkdir(`${dir}/bin`);
    await Deno.writeTextFile(`${dir}/bin/tool`, "#!/bin/sh\n");
    await Deno.chmod(`${dir}/bin/tool`, 0o755);
    await Deno.writeTextFile(`${dir}/bin/plain`, "#!/bin/sh\n");
    await Deno.chmod(`${dir}/bin/plain`, 0o644);
    const env = { PATH: `${dir}/bin:${dir}/nowhere` };
    const { result } = await prepared(["-e", "tool -x", "h", "1"], env);
    assert.deepEqual(result.program, { command: `${dir}/bin/tool`, args: ["-x"], label: "tool" });
    const cases: [string, string][] = [
      [`${dir}/plain`, `exec ${dir}/plain: is not executable (no execute permission)`],
      [dir, `exec ${dir}: is a directory`],
      [`${dir}/missing`, `exec ${dir}/missing: no such executable file`],
      [`${dir}/plain/x`, `exec ${dir}/plain/x: no such executable file`],
      ["plain", `exec plain: ${dir}/bin/plain is not executable (no execute permission)`],
      ["missing", "exec missing: program not found in PATH"],
    ];
    for (const [program, message] of cases) {
      assert.equal(await refusal(["-e", program, "h", "1"], env), message);
    }
    const sh = await prepared(["-c", "echo hi", "h", "1"]);
    assert.deepEqual(sh.result.program?.args, ["-c", "echo hi"]);
  }));

Deno.test("prepare refuses a Unix socket to create where it cannot live", () =>
  withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file`, "");
    assert.equal(
      await refusal(["-lU", `${dir}/none/s.sock`]),
      `listen ${dir}/none/s.sock: no such directory '${dir}/none'`,
    );
    assert.equal(
      await refusal(["-luU", `${dir}/file/s.sock`]),
      `listen ${dir}/file/s.sock: '${dir}/file' is not a directory`,
    );
    assert.equal(
      await refusal(["-uU", "-s", `${dir}/none/me.sock`, `${dir}/srv.sock`]),
      `bind ${dir}/none/me.sock: no such directory '${dir}/none'`,
    );
    assert.equal(
      await refusal(["-lU", `${dir}/file`]),
      `listen ${dir}/file: a file that is not a socket is in the way`,
    );
    // A connect target that is not there is the peer's absence (exit 1), found when connecting.
    await prepared(["-U", `${dir}/none/s.sock`]);
    await prepared(["-lU", `${dir}/fine.sock`]);
  }));

Deno.test("prepare reads rule files; an unreadable file or a bad line is a usage error", () =>
  withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/allow`, "# office\n127.0.0.1\n");
    await Deno.writeTextFile(`${dir}/bad`, "127.0.0.1\n10.0.0.0/40\n");
    const { result, warnings } = await prepared(["-l", "--allowfile", `${dir}/allow`, "1"]);
    assert.equal(result.access?.allows("127.0.0.1"), true);
    assert.equal(result.access?.allows("127.0.0.2"), false);
    assert.deepEqual(warnings, []);
    assert.equal(
      await refusal(["-l", "--denyfile", `${dir}/missing`, "1"]),
      `--denyfile ${dir}/missing: no such file or directory`,
    );
    assert.equal(
      await refusal(["-l", "--allowfile", `${dir}/bad`, "1"]),
      `bad rule '10.0.0.0/40' in --allowfile ${dir}/bad line 2: prefix length must be 0-32`,
    );
  }));

Deno.test("prepare warns once when an allow list names nobody, and the policy admits nobody", () =>
  withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/empty`, "# nobody yet\n\n");
    const cases: [string[], string][] = [
      [["--allow", ""], "--allow names no address: every client will be refused"],
      [["--allow", ","], "--allow names no address: every client will be refused"],
      [
        ["--allowfile", `${dir}/empty`],
        "--allowfile names no address: every client will be refused",
      ],
      [
        ["--allow", "", "--allowfile", `${dir}/empty`],
        "--allow and --allowfile name no address: every client will be refused",
      ],
    ];
    for (const [flags, warning] of cases) {
      const { result, warnings } = await prepared(["-l", ...flags, "1"]);
      assert.deepEqual(warnings, [warning], flags.join(" "));
      assert.equal(result.access?.allows("127.0.0.1"), false);
    }
  }));

Deno.test("prepare loads the TLS files, and a bad one is a usage error", () =>
  withTempDir(async (dir) => {
    const { cert, key } = await generateSelfSigned({ commonName: "localhost" });
    await Deno.writeTextFile(`${dir}/c.pem`, cert);
    await Deno.writeTextFile(`${dir}/k.pem`, key);
    const { result } = await prepared(
      ["-l", "--ssl", "--ssl-cert", `${dir}/c.pem`, "--ssl-key", `${dir}/k.pem`, "1"],
    );
    assert.match(result.tls?.key ?? "", /PRIVATE KEY/);
    assert.equal(
      await refusal(["--ssl", "--ssl-trustfile", `${dir}/none.pem`, "h", "1"]),
      `cannot read --ssl-trustfile file '${dir}/none.pem': no such file or directory`,
    );
  }));

Deno.test("prepare opens -o and -x last: a usage error anywhere else leaves them as they were", () =>
  withTempDir(async (dir) => {
    const o = `${dir}/o.log`;
    await Deno.writeTextFile(o, "keep me");
    await refusal(["-o", o, "-e", `${dir}/no-such-program`, "h", "1"]);
    await refusal(["-o", o, "--ssl", "--ssl-cert", `${dir}/none.pem`, "h", "1"]);
    assert.equal(
      await refusal(["-o", o, "-x", `${dir}/none/x.hex`, "h", "1"]),
      `open -x file ${dir}/none/x.hex: no such file or directory`,
    );
    assert.equal(await Deno.readTextFile(o), "keep me");
    const { result } = await prepared(["-o", o, "-x", `${dir}/x.hex`, "h", "1"]);
    await closeSessionLogs(result.logs);
    assert.equal(await Deno.readTextFile(o), "", "emptied once every check passed");
  }));

Deno.test("openSessionLogs names the option, path and cause, and keeps content with --append-output", () =>
  withTempDir(async (dir) => {
    for (
      const [path, cause] of [[`${dir}/missing/log`, "no such file or directory"], [
        dir,
        "is a directory",
      ]]
    ) {
      await assert.rejects(
        () => openSessionLogs({ output: path, appendOutput: false }),
        (err) => {
          assert.ok(err instanceof SocktoolError);
          assert.equal(err.exitCode, 2);
          assert.equal(err.message, `open -o file ${path}: ${cause}`);
          return true;
        },
      );
    }
    await Deno.writeTextFile(`${dir}/a.log`, "old ");
    const logs = await openSessionLogs({ output: `${dir}/a.log`, appendOutput: true });
    await logs.output!.write(new TextEncoder().encode("new"));
    await closeSessionLogs(logs);
    assert.equal(await Deno.readTextFile(`${dir}/a.log`), "old new");
  }));
