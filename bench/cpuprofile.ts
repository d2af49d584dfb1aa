/**
 * Summarises a V8 `.cpuprofile` (as written by `deno run --cpu-prof`): the functions with the
 * most self time, so a slow row can be traced to where socktool spends its CPU.
 *
 * Run: `deno run -q --allow-read bench/cpuprofile.ts FILE.cpuprofile [TOP]`
 * @module
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

/** One line of the summary: a function and its share of the samples. */
export interface Hot {
  fn: string;
  where: string;
  selfMs: number;
  percent: number;
}

/** The `top` functions by self time; idle time is left out of the percentages. */
export function hottest(
  profile: Profile,
  top = 15,
): { busyMs: number; idleMs: number; hot: Hot[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, { fn: string; where: string; n: number }>();
  let idle = 0;
  for (const id of profile.samples) {
    const f = byId.get(id)?.callFrame;
    if (!f) continue;
    if (f.functionName === "(idle)") {
      idle++;
      continue;
    }
    const where = f.url ? `${f.url.replace(/^.*\//, "")}:${f.lineNumber + 1}` : "";
    const fn = f.functionName || "(anonymous)";
    const key = `${fn} ${where}`;
    const c = counts.get(key) ?? { fn, where, n: 0 };
    c.n++;
    counts.set(key, c);
  }
  const total = profile.samples.length || 1;
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / total;
  const busy = total - idle;
  const hot = [...counts.values()]
    .sort((a, b) => b.n - a.n)
    .slice(0, top)
    .map((c) => ({
      fn: c.fn,
      where: c.where,
      selfMs: c.n * msPerSample,
      percent: (100 * c.n) / (busy || 1),
    }));
  return { busyMs: busy * msPerSample, idleMs: idle * msPerSample, hot };
}

/** A printable summary of one profile file. */
export async function summarize(path: string, top = 15): Promise<string> {
  const profile = JSON.parse(await Deno.readTextFile(path)) as Profile;
  const { busyMs, idleMs, hot } = hottest(profile, top);
  const lines = [
    `${path}: busy ${busyMs.toFixed(0)} ms, idle ${
      idleMs.toFixed(0)
    } ms (self time of the busy part)`,
    ...hot.map((h) =>
      `  ${h.percent.toFixed(1).padStart(5)}%  ${
        h.selfMs.toFixed(0).padStart(6)
      } ms  ${h.fn}  ${h.where}`
    ),
  ];
  return lines.join("\n");
}

if (import.meta.main) {
  const [file, top] = Deno.args;
  console.log(await summarize(file, top ? Number(top) : 15));
}
