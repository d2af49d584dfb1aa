/**
 * Small courtesies to the person at the terminal: after Ctrl-C the `-v`
 * summary (and the shell's prompt) start on their own line; `-v` tells Unix
 * socket clients apart by number; `-v` summaries give human sizes beside
 * exact byte counts.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  randomBytes,
  readConnToEnd,
  socktoolCommand,
  spawnSocktool,
} from "./_test_utils/harness.ts";
import { dec, enc } from "./_test_utils/client.ts";

/** A bash in a detached tmux session (a real terminal), driven by keys and read from the screen. */
async function terminal(name: string) {
  const server = `socktool-e2e-${name}-${Deno.pid}`;
  const tmux = (...args: string[]) =>
    new Deno.Command("tmux", { args: ["-L", server, ...args], stdout: "piped", stderr: "piped" })
      .output();
  await tmux("new-session", "-d", "-x", "150", "-y", "30", "bash", "--norc", "--noprofile");
  const screen = async () => dec((await tmux("capture-pane", "-p")).stdout);
  return {
    keys: (...keys: string[]) => tmux("send-keys", ...keys),
    /** Waits until the screen matches `re`; returns the screen. */
    async waitFor(re: RegExp, ms = 15_000): Promise<string> {
      const deadline = performance.now() + ms;
      let text = "";
      while (!re.test(text = await screen())) {
        if (performance.now() > deadline) throw new Error(`screen never matched ${re}:\n${text}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return text;
    },
    close: () => tmux("kill-server"),
  };
}

const shellQuote = (args: string[]) => args.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");

for (const verbose of [true, false]) {
  Deno.test(`Ctrl-C in a terminal: ${verbose ? "the -v summary" : "the prompt"} starts on its own line, not after ^C`, async () => {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    const term = await terminal(`ctrlc-${verbose}`);
    try {
      const args = [...(verbose ? ["-v"] : []), "127.0.0.1", String(port)];
      await term.keys(`${shellQuote([...socktoolCommand(), ...args])}; echo "EXITED $?"`, "Enter");
      const peer = await listener.accept();
      if (verbose) await term.waitFor(/socktool: connected to/);
      await term.keys("C-c");
      const text = await term.waitFor(/EXITED \d+/);
      peer.close();
      const lines = text.split("\n").map((l) => l.trimEnd());
      const at = lines.indexOf("^C");
      assert.ok(at >= 0, `a line that is only ^C:\n${text}`);
      if (verbose) {
        assert.match(
          lines[at + 1],
          /^socktool: 127\.0\.0\.1:\d+: sent 0 bytes, received 0 bytes in /,
        );
        assert.equal(lines[at + 2], "EXITED 130");
      } else {
        assert.equal(lines[at + 1], "EXITED 130");
      }
    } finally {
      await term.close();
    }
  });
}

Deno.test("-lkvU names Unix clients (client 1), (client 2) in every -v line, never (unnamed)", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/s.sock`;
  const srv = spawnSocktool(["-lkvU", path, "--serve", "echo"], { stdin: "null" });
  try {
    await srv.waitForStderr(/listening on /);
    for (const n of [1, 2]) {
      const conn = await Deno.connect({ transport: "unix", path });
      await srv.waitForStderr(new RegExp(`connection from \\(client ${n}\\)\\n`));
      await conn.write(enc("hi"));
      await conn.closeWrite();
      assert.equal(dec(await readConnToEnd(conn)), "hi");
      conn.close();
      await srv.waitForStderr(new RegExp(`\\(client ${n}\\): served echo`));
    }
    assert.doesNotMatch(srv.stderrText(), /unnamed/);
  } finally {
    srv.kill();
    await srv.finish();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("-v summaries give human sizes beside exact byte counts", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const data = randomBytes(3 * 1024 * 1024 + 512);
  const client = spawnSocktool(["-v", "127.0.0.1", String(listener.addr.port)]);
  const conn = await listener.accept();
  const [, received] = await Promise.all([
    (async () => {
      await client.write(data);
      await client.closeStdin();
    })(),
    readConnToEnd(conn),
  ]);
  conn.close();
  const r = await client.finish();
  assert.equal(r.code, 0, r.stderr);
  assert.equal(received.length, data.length);
  assert.match(
    r.stderr,
    /: sent 3146240 bytes \(3\.00 MiB\), received 0 bytes in \d+\.\d\d s \([\d.]+ [KMG]iB\/s\)\n/,
  );
});

Deno.test("Ctrl-C with --progress: the summary follows the meter's line, no blank line between", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const term = await terminal("ctrlc-progress");
  try {
    const args = ["-v", "--progress", "127.0.0.1", String(listener.addr.port)];
    await term.keys(`${shellQuote([...socktoolCommand(), ...args])}; echo "EXITED $?"`, "Enter");
    const peer = await listener.accept();
    await term.waitFor(/socktool: sent 0 B \(0 B\/s\), received 0 B/);
    await term.keys("C-c");
    const text = await term.waitFor(/EXITED \d+/);
    peer.close();
    const lines = text.split("\n").map((l) => l.trimEnd());
    // The meter's line, redrawn as its final summary (average rate) when the session ends.
    const meter = lines.findIndex((l) => /^socktool: sent 0 B[ ,]/.test(l));
    assert.match(lines[meter + 1], /^socktool: 127\.0\.0\.1:\d+: sent 0 bytes, /, text);
    assert.equal(lines[meter + 2], "EXITED 130", text);
  } finally {
    await term.close();
  }
});
