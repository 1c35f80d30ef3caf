// Section 2: `setup` against the sandbox with 20 ms of latency injected on every request:
// HTTP requests (counted by the sandbox's own request log) and wall time, first run and re-run.
import { interleave } from '../lib/runner.js';
import { requireBuilt, startSandbox, cliEnv, runCli, requestsSince } from '../lib/sandbox.js';
import { summarize, fmtMs, fmtSpread, fmtRange, fmtRatio, fmtMB } from '../lib/stats.js';

export const id = 'setup';
export const title = '2. setup round trips';
export const quickRounds = 2;
const LATENCY_MS = 20;
const TARGET = { rerunRequests: 8, rerunWrites: 0, firstRequests: 14 };

/** The CLI's own request count from its --json result, wherever the setup command put it. */
function reportedStats(json) {
  let found;
  const walk = (v, path) => {
    if (found || !v || typeof v !== 'object') return;
    if (typeof v.total === 'number' && (typeof v.writes === 'number' || typeof v.reads === 'number')) {
      found = { path, total: v.total, reads: v.reads, writes: v.writes };
      return;
    }
    for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(json, '');
  return found;
}

export async function run(ctx) {
  requireBuilt(ctx.root, ['bin', 'main', 'standin']);
  const rounds = ctx.rounds ?? 7;
  // Each round gets a fresh sandbox (a first run needs a fresh authentik); the re-run follows on the same one.
  let sandbox;
  let env;
  const counts = { first: [], rerun: [] };
  const reported = { first: [], rerun: [] };
  const fresh = async () => {
    await sandbox?.close();
    sandbox = await startSandbox(ctx.root);
    sandbox.faults.add({ path: /.*/, kind: 'latency', ms: LATENCY_MS });
    env = cliEnv(ctx.outDir, sandbox);
  };
  const setupRun = (which) => async (round) => {
    if (which === 'first') await fresh();
    const from = sandbox.requests.length;
    const r = await runCli(ctx.root, ['setup', '--json'], { env });
    if (r.code !== 0) throw new Error(`setup (${which}) exited ${r.code}: ${r.stderr.trim().split('\n')[0]}`);
    const seen = requestsSince(sandbox, from);
    let json;
    try { json = JSON.parse(r.stdout); } catch { throw new Error(`setup --json printed no JSON document: ${r.stdout.slice(0, 200)}`); }
    if (round >= 0) {
      counts[which].push({ total: seen.total, writes: seen.writes, list: seen.list.map((q) => `${q.method} ${q.path}${q.query ? `?${q.query}` : ''} → ${q.status}`) });
      reported[which].push(reportedStats(json));
    }
    return { ms: r.ms, maxRssKb: r.maxRssKb };
  };
  try {
    await fresh();
    const versionFloor = {
      name: 'ak-avatars --version',
      run: async () => {
        const r = await runCli(ctx.root, ['--version'], { env });
        return { ms: r.ms, maxRssKb: r.maxRssKb };
      },
    };
    // Fixed order inside a round (the re-run needs the first run); --version gives the start-up floor.
    const variants = [versionFloor, { name: 'first run', run: setupRun('first') }, { name: 're-run', run: setupRun('rerun') }];
    const res = await runInOrder(variants, rounds, ctx.log);
    const stat = (which) => ({
      requests: summarize(counts[which].map((c) => c.total)),
      writes: summarize(counts[which].map((c) => c.writes)),
      log: counts[which][0]?.list ?? [],
      reported: reported[which][0],
      reportedMatches: reported[which].every((rep, i) => !rep || rep.total === counts[which][i].total),
    });
    const first = stat('first');
    const rerun = stat('rerun');
    return { id, rounds, latencyMs: LATENCY_MS, sandboxVersion: sandbox.version, timing: res, first, rerun };
  } finally {
    await sandbox?.close();
  }
}

/** Judged from the stored counts when the report is rendered. */
export function targets({ first, rerun }) {
  return [
    {
      name: `re-run: at most ${TARGET.rerunRequests} requests`,
      value: `${rerun.requests.max}`,
      met: rerun.requests.max <= TARGET.rerunRequests,
      detail: rerun.requests.max <= TARGET.rerunRequests ? '' : `over by ${rerun.requests.max - TARGET.rerunRequests}`,
    },
    { name: 're-run: no writes', value: `${rerun.writes.max}`, met: rerun.writes.max === 0, detail: '' },
    {
      name: `first run: at most ${TARGET.firstRequests} requests`,
      value: `${first.requests.max}`,
      met: first.requests.max <= TARGET.firstRequests,
      detail: first.requests.max <= TARGET.firstRequests ? '' : `over by ${first.requests.max - TARGET.firstRequests}`,
    },
    ];
}

/** Like interleave() but in a fixed order, for variants that depend on each other within a round. */
async function runInOrder(variants, rounds, log) {
  const { analyse } = await import('../lib/runner.js');
  const samples = Object.fromEntries(variants.map((v) => [v.name, []]));
  for (let r = -1; r < rounds; r++) {
    for (const v of variants) {
      const s = await v.run(r);
      if (r >= 0) samples[v.name].push(s);
    }
    if (r >= 0) log(`  setup: round ${r + 1}/${rounds}`);
  }
  const a = analyse(samples, variants[0].name);
  for (const v of Object.values(a.variants)) delete v.samples;
  return a;
}

export function render(r) {
  const L = [];
  const v = r.timing.variants;
  L.push(`\`ak-avatars setup --json\` as a fresh process against a fresh sandbox (authentik ${r.sandboxVersion}) with \`faults.add({ path: /.*/, kind: 'latency', ms: ${r.latencyMs} })\`, then the same command again (re-run); ${r.rounds} rounds after one warm-up round. Requests are counted by the sandbox's request log, so retries and anything the CLI forgets to count are included. "wall − \`--version\`" (median of per-round differences) is what the command costs beyond starting the CLI; the latency floor is requests × ${r.latencyMs} ms, what a strictly sequential client must wait, so the rest is the client's own work (loading axios and the setup code, building the plan).`);
  L.push('');
  L.push('| run | requests | writes | wall ms, median (IQR) | min–max | wall − `--version` | latency floor | × `--version` | peak RSS | count in `--json` |');
  L.push('|---|---|---|---|---|---|---|---|---|---|');
  const row = (name, s, t) => {
    const floor = s.requests.median * r.latencyMs;
    const rep = s.reported ? `${s.reported.total} (\`${s.reported.path}\`)${s.reportedMatches ? '' : ' **differs from the log**'}` : 'not found';
    L.push(`| ${name} | ${s.requests.min === s.requests.max ? s.requests.median : `${s.requests.min}–${s.requests.max}`} | ${s.writes.median} | ${fmtSpread(t.ms)} | ${fmtRange(t.ms)} | ${fmtMs(t.vsReference?.diff.median)} ms | ${fmtMs(floor)} ms | ${fmtRatio(t.vsReference?.ratio.median)} | ${fmtMB(t.rssKb?.median)} | ${rep} |`);
  };
  row('first run', r.first, v['first run']);
  row('re-run', r.rerun, v['re-run']);
  L.push(`| \`--version\` (start-up floor) | 0 | 0 | ${fmtSpread(v['ak-avatars --version'].ms)} | ${fmtRange(v['ak-avatars --version'].ms)} | – | – | 1× | ${fmtMB(v['ak-avatars --version'].rssKb?.median)} | – |`);
  L.push('');
  L.push('<details><summary>Requests of one first run and one re-run (sandbox log)</summary>');
  L.push('');
  L.push('```');
  L.push('first run:', ...r.first.log.map((x) => `  ${x}`), 're-run:', ...r.rerun.log.map((x) => `  ${x}`));
  L.push('```');
  L.push('</details>');
  return L.join('\n');
}
