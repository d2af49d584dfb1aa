import assert from "node:assert/strict";
import { formatProgress, type ProgressOutput, startProgress } from "./progress.ts";
import { SessionStats } from "./stats.ts";

/** A fake stderr that records what is drawn. */
class FakeOutput implements ProgressOutput {
  readonly writes: { text: string; at: number }[] = [];
  constructor(readonly terminal: boolean) {}
  writeSync(p: Uint8Array): number {
    this.writes.push({ text: new TextDecoder().decode(p), at: performance.now() });
    return p.length;
  }
  isTerminal(): boolean {
    return this.terminal;
  }
}

/** Resolves when `check` holds, polling every few ms; rejects at the deadline. */
async function waitFor(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("formatProgress shows totals and rates each way", () => {
  assert.equal(
    formatProgress(1536, 3 * 2 ** 20, 512, 1.5 * 2 ** 20),
    "socktool: sent 1.50 KiB (512 B/s), received 3.00 MiB (1.50 MiB/s)",
  );
});

Deno.test("progress draws nothing and starts no timer when stderr is not a terminal", () => {
  const output = new FakeOutput(false);
  assert.equal(startProgress(new SessionStats(), { output }), undefined);
  assert.equal(output.writes.length, 0);
});

Deno.test("progress redraws in place at most once per interval, then ends its line", async () => {
  const output = new FakeOutput(true);
  const stats = new SessionStats();
  const meter = startProgress(stats, { output, intervalMs: 100 })!;
  const start = output.writes[0].at;
  stats.add("sent", 2048);
  await waitFor("three timer redraws", () => output.writes.length >= 4);
  meter.stop();
  meter.stop();
  const draws = output.writes.slice(0, -2);
  // Redraws come no faster than the interval (timers may fire a hair early).
  assert.ok(draws[3].at - start >= 3 * 100 - 5, `3 redraws after ${draws[3].at - start} ms`);
  for (const w of draws) {
    assert.match(w.text, /^\rsocktool: sent .* received .*\)/);
    assert.ok(w.text.endsWith("\x1b[K"), JSON.stringify(w.text));
  }
  assert.match(output.writes.at(-2)!.text, /^\rsocktool: sent 2\.00 KiB /);
  assert.equal(output.writes.at(-1)!.text, "\n");
});

Deno.test("progress clear() erases the line for another message", () => {
  const output = new FakeOutput(true);
  const meter = startProgress(new SessionStats(), { output })!;
  meter.clear();
  meter.stop();
  assert.equal(output.writes[1].text, "\r\x1b[K");
});

/** Runs tmux on a private server socket, so other tmux users are untouched. */
async function tmux(server: string, ...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command("tmux", {
    args: ["-L", server, "-f", "/dev/null", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`tmux ${args[0]}: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout);
}

// The demo adds 1 KiB "sent" per key pressed, and stops the meter on "q".
const DEMO = `
import { SessionStats } from ${JSON.stringify(import.meta.resolve("./stats.ts"))};
import { startProgress } from ${JSON.stringify(import.meta.resolve("./progress.ts"))};
const stats = new SessionStats();
const meter = startProgress(stats, { intervalMs: 100 });
// A timer keeps the demo (and so its screen) alive until the test kills the server.
setInterval(() => {}, 60_000);
if (!meter) throw new Error("NOT A TERMINAL");
Deno.stdin.setRaw(true);
const buf = new Uint8Array(64);
let quit = false;
while (!quit) {
  const n = await Deno.stdin.read(buf);
  if (n === null) break;
  for (const b of buf.subarray(0, n)) b === 0x71 ? (quit = true) : stats.add("sent", 1024);
}
Deno.stdin.setRaw(false);
meter.stop();
console.error("DONE");
`;

Deno.test("progress redraws one line in place under a real terminal (tmux)", async () => {
  const dir = await Deno.makeTempDir();
  const server = `socktool-progress-${Deno.pid}`;
  try {
    await Deno.writeTextFile(`${dir}/demo.ts`, DEMO);
    const command = `${Deno.execPath()} run -q --no-config ${dir}/demo.ts`;
    await tmux(server, "new-session", "-d", "-x", "120", "-y", "20", command);
    const screen = () => tmux(server, "capture-pane", "-p", "-t", "0");
    const progressLines = (text: string) =>
      text.split("\n").filter((l) => l.includes("socktool: sent"));
    let text = "";
    const waitScreen = async (what: RegExp) => {
      const deadline = performance.now() + 15_000;
      while (!what.test(text = await screen())) {
        if (performance.now() > deadline) throw new Error(`no ${what} on screen:\n${text}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitScreen(/socktool: sent 0 B \(/);
    await tmux(server, "send-keys", "-t", "0", "a");
    await waitScreen(/socktool: sent 1\.00 KiB \(/);
    await tmux(server, "send-keys", "-t", "0", "a", "a");
    await waitScreen(/socktool: sent 3\.00 KiB \(/);
    assert.equal(progressLines(text).length, 1, text);
    assert.doesNotMatch(text, /NOT A TERMINAL/);
    await tmux(server, "send-keys", "-t", "0", "q");
    await waitScreen(/^DONE$/m);
    const lines = text.split("\n");
    const at = lines.findIndex((l) => l.includes("socktool: sent"));
    assert.equal(progressLines(text).length, 1, text);
    assert.match(lines[at], /^socktool: sent 3\.00 KiB \(.*\), received 0 B \(0 B\/s\)\s*$/);
    assert.equal(lines[at + 1], "DONE");
  } finally {
    await tmux(server, "kill-server").catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
