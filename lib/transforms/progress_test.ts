import assert from "node:assert/strict";
import {
  formatClock,
  formatProgress,
  formatProgressEnd,
  type ProgressOutput,
  startProgress,
} from "./progress.ts";
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

Deno.test("formatProgress shows totals and rates each way, and the time so far", () => {
  assert.equal(
    formatProgress({
      sent: 1536,
      received: 3 * 2 ** 20,
      sentRate: 512,
      receivedRate: 1.5 * 2 ** 20,
      elapsedMs: 65_400,
    }),
    "socktool: sent 1.50 KiB (512 B/s), received 3.00 MiB (1.50 MiB/s), 0:01:05",
  );
});

Deno.test("formatProgress with a known size shows the percentage done and an ETA at the average rate", () => {
  const MiB = 2 ** 20;
  const total = { direction: "sent" as const, bytes: 100 * MiB };
  // 45 MiB in 4.5 s: 10 MiB/s on average, so 55 MiB left take 5.5 s, shown rounded up.
  assert.equal(
    formatProgress({
      sent: 45 * MiB,
      received: 12,
      sentRate: 12 * MiB,
      receivedRate: 3,
      elapsedMs: 4500,
      total,
    }),
    "socktool: sent 45.00 MiB of 100.00 MiB (45%, 12.00 MiB/s), received 12 B (3 B/s), 0:00:04 ETA 0:00:06",
  );
  // Nothing sent yet: no rate to tell an ETA by.
  assert.match(
    formatProgress({ sent: 0, received: 0, sentRate: 0, receivedRate: 0, elapsedMs: 300, total }),
    / \(0%, 0 B\/s\), .* ETA -:--:--$/,
  );
  // All of it sent (or more: the size given was short): 100% or above, nothing left.
  assert.match(
    formatProgress({
      sent: 110 * MiB,
      received: 0,
      sentRate: 1,
      receivedRate: 0,
      elapsedMs: 9000,
      total,
    }),
    /sent 110\.00 MiB of 100\.00 MiB \(110%, .* ETA 0:00:00$/,
  );
  // The size may be of what is received (--recv-only --size N).
  assert.equal(
    formatProgress({
      sent: 0,
      received: 512,
      sentRate: 0,
      receivedRate: 256,
      elapsedMs: 2000,
      total: { direction: "received", bytes: 2048 },
    }),
    "socktool: sent 0 B (0 B/s), received 512 B of 2.00 KiB (25%, 256 B/s), 0:00:02 ETA 0:00:06",
  );
  // An empty file is all done at once.
  assert.match(
    formatProgress({
      sent: 0,
      received: 0,
      sentRate: 0,
      receivedRate: 0,
      elapsedMs: 10,
      total: { direction: "sent", bytes: 0 },
    }),
    /sent 0 B of 0 B \(100%, 0 B\/s\).* ETA 0:00:00$/,
  );
});

Deno.test("formatProgressEnd ends with the average rate of the whole session", () => {
  assert.equal(
    formatProgressEnd({ sent: 2 * 2 ** 20, received: 0, elapsedMs: 2000 }),
    "socktool: sent 2.00 MiB, received 0 B in 0:00:02 (average 1.00 MiB/s)",
  );
  assert.equal(
    formatProgressEnd({
      sent: 3072,
      received: 1024,
      elapsedMs: 4000,
      total: { direction: "sent", bytes: 3072 },
    }),
    "socktool: sent 3.00 KiB of 3.00 KiB (100%), received 1.00 KiB in 0:00:04 (average 1.00 KiB/s)",
  );
  // A session shorter than a millisecond still has a rate.
  assert.match(
    formatProgressEnd({ sent: 5, received: 0, elapsedMs: 0 }),
    /average 4\.88 KiB\/s\)$/,
  );
});

Deno.test("formatClock shows H:MM:SS as pv does", () => {
  assert.equal(formatClock(0), "0:00:00");
  assert.equal(formatClock(59_999), "0:00:59");
  assert.equal(formatClock(3_725_000), "1:02:05");
  assert.equal(formatClock(100 * 3600 * 1000), "100:00:00");
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
  const draws = output.writes.slice(0, -1);
  // Redraws come no faster than the interval (timers may fire a hair early).
  assert.ok(draws[3].at - start >= 3 * 100 - 5, `3 redraws after ${draws[3].at - start} ms`);
  for (const w of draws) {
    assert.match(w.text, /^\rsocktool: sent .* received .*\)/);
    assert.ok(w.text.endsWith("\x1b[K"), JSON.stringify(w.text));
  }
  // The last line gives the average rate, and ends the line.
  const last = output.writes.at(-1)!.text;
  assert.ok(last.endsWith("\x1b[K\n"), JSON.stringify(last));
  assert.match(
    last,
    /^\rsocktool: sent 2\.00 KiB, received 0 B in 0:00:00 \(average [\d.]+ [KM]iB\/s\)/,
  );
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

// The demo adds 1 KiB "sent" per key pressed, and stops the meter on "q"; its
// argument, if any, is the expected size in bytes.
const DEMO = `
import { SessionStats } from ${JSON.stringify(import.meta.resolve("./stats.ts"))};
import { startProgress } from ${JSON.stringify(import.meta.resolve("./progress.ts"))};
const stats = new SessionStats();
const bytes = Deno.args[0] === undefined ? undefined : Number(Deno.args[0]);
const total = bytes === undefined ? undefined : { direction: "sent", bytes };
const meter = startProgress(stats, { intervalMs: 100, total });
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
stats.finish();
meter.stop();
console.error("DONE");
`;

/**
 * Runs the demo under tmux: checks each screen in `steps` (keys to press,
 * then what must show), then quits and returns the screen's progress line
 * and the line after it.
 */
async function runDemo(
  args: string[],
  steps: [string[], RegExp][],
): Promise<{ last: string; after: string; screen: string }> {
  const dir = await Deno.makeTempDir();
  const server = `socktool-progress-${Deno.pid}-${args.length}`;
  try {
    await Deno.writeTextFile(`${dir}/demo.ts`, DEMO);
    const command = [Deno.execPath(), "run", "-q", "--no-config", `${dir}/demo.ts`, ...args]
      .join(" ");
    await tmux(server, "new-session", "-d", "-x", "150", "-y", "20", command);
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
    for (const [keys, what] of steps) {
      if (keys.length > 0) await tmux(server, "send-keys", "-t", "0", ...keys);
      await waitScreen(what);
      assert.equal(progressLines(text).length, 1, text);
    }
    assert.doesNotMatch(text, /NOT A TERMINAL/);
    await tmux(server, "send-keys", "-t", "0", "q");
    await waitScreen(/^DONE$/m);
    assert.equal(progressLines(text).length, 1, text);
    const lines = text.split("\n");
    const at = lines.findIndex((l) => l.includes("socktool: sent"));
    return { last: lines[at], after: lines[at + 1], screen: text };
  } finally {
    await tmux(server, "kill-server").catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("progress redraws one line in place under a real terminal (tmux)", async () => {
  const { last, after } = await runDemo([], [
    [[], /socktool: sent 0 B \(/],
    [["a"], /socktool: sent 1\.00 KiB \(.*\), received 0 B \(0 B\/s\), 0:00:\d\d\s*$/m],
    [["a", "a"], /socktool: sent 3\.00 KiB \(/],
  ]);
  assert.match(last, /^socktool: sent 3\.00 KiB, received 0 B in 0:00:\d\d \(average .*\/s\)\s*$/);
  assert.equal(after, "DONE");
});

Deno.test("progress with a known size shows pv's percentage, elapsed time and ETA under tmux", async () => {
  const { last, after } = await runDemo(["4096"], [
    [
      [],
      /socktool: sent 0 B of 4\.00 KiB \(0%, 0 B\/s\), received 0 B \(0 B\/s\), 0:00:\d\d ETA -:--:--/,
    ],
    [["a"], /socktool: sent 1\.00 KiB of 4\.00 KiB \(25%, .*\), 0:00:\d\d ETA \d:\d\d:\d\d\s*$/m],
    [["a", "a"], /socktool: sent 3\.00 KiB of 4\.00 KiB \(75%, /],
  ]);
  assert.match(
    last,
    /^socktool: sent 3\.00 KiB of 4\.00 KiB \(75%\), received 0 B in 0:00:\d\d \(average .*\/s\)\s*$/,
  );
  assert.equal(after, "DONE");
});
