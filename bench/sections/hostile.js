// Section 5: what a refusal costs. Every hostile file is uploaded with the CLI against the sandbox, next to
// a valid image of about the same size; a refusal must cost less than that valid upload, and must leave
// the user untouched. The pipeline alone (processImage in a fresh process) is measured too, to separate
// the image work from the CLI's start-up and API round trips.
import { interleave } from '../lib/runner.js';
import { runTimed } from '../lib/proc.js';
import { ensureInputs } from '../lib/inputs.js';
import { ensureHostile } from '../lib/hostile.js';
import { IMAGE_WORKER } from '../lib/workers.js';
import { requireBuilt, startSandbox, cliEnv, runCli, getUser } from '../lib/sandbox.js';
import { fmtMs, fmtSpread, fmtRatio, fmtMB, fmtBytes } from '../lib/stats.js';
import { USER } from './upload.js';

export const id = 'hostile';
export const title = '5. Hostile corpus: the cost of a refusal';
export const quickRounds = 1;

export async function run(ctx) {
  requireBuilt(ctx.root, ['bin', 'main', 'standin']);
  const rounds = ctx.rounds ?? 5;
  const inputs = await ensureInputs(ctx.outDir, ['jpeg-4000x3000-o6', 'png-6000x4000'], ctx.log);
  const files = await ensureHostile(ctx.outDir, inputs, ctx.log);
  const sandbox = await startSandbox(ctx.root);
  const rows = [];
  try {
    const env = cliEnv(ctx.outDir, sandbox);
    const seed = sandbox.dump();
    const seeded = JSON.stringify((await getUser(sandbox, USER)).attributes);
    for (const f of Object.values(files)) {
      let refusal;
      let untouched = true;
      const cliVariant = (name, path, hostile) => ({
        name,
        run: async () => {
          sandbox.load(seed);
          const r = await runCli(ctx.root, ['upload', USER, path], { env, timeoutMs: 60_000, sampleTree: true });
          if (hostile) {
            if (r.code === 0 || r.timedOut || r.signal) {
              throw new Error(`${f.id} was not refused cleanly: exit ${r.code}${r.signal ? ` signal ${r.signal}` : ''}${r.timedOut ? ' (timed out)' : ''}`);
            }
            refusal = { code: r.code, message: r.stderr.trim().split('\n')[0], lines: r.stderr.trim().split('\n').length };
            const now = JSON.stringify((await getUser(sandbox, USER)).attributes);
            if (now !== seeded) untouched = false;
          } else if (r.code !== 0) {
            throw new Error(`valid reference for ${f.id} was refused: ${r.stderr.trim().split('\n')[0]}`);
          }
          return { ms: r.ms, maxRssKb: r.maxRssKb };
        },
      });
      const pipeVariant = (name, path, hostile) => ({
        name,
        run: async () => {
          const r = await runTimed(process.execPath, [IMAGE_WORKER, 'once-warm', 'pipeline', path, '256', 'auto'], { timeoutMs: 60_000, sampleTree: true });
          const j = JSON.parse(r.stdout.trim().split('\n').pop() || '{}');
          if (hostile === j.ok) throw new Error(`pipeline on ${name} of ${f.id}: ${j.ok ? 'accepted a hostile file' : `refused the valid file: ${j.error}`}`);
          return { ms: r.ms, maxRssKb: r.maxRssKb, innerMs: j.ms, error: j.error };
        },
      });
      const label = f.id;
      const cli = await interleave({ label: `${label} (upload)`, variants: [cliVariant('valid', f.ref.path, false), cliVariant('hostile', f.path, true)], rounds, warmup: 0, reference: 'valid', log: ctx.log });
      const pipe = await interleave({ label: `${label} (pipeline)`, variants: [pipeVariant('valid', f.ref.path, false), pipeVariant('hostile', f.path, true)], rounds, warmup: 0, reference: 'valid', log: ctx.log });
      const pick = (a) => ({
        hostile: { ms: a.variants.hostile.ms, rssKb: a.variants.hostile.rssKb, innerMs: median(a.variants.hostile.samples.map((s) => s.innerMs)) },
        valid: { ms: a.variants.valid.ms, rssKb: a.variants.valid.rssKb, innerMs: median(a.variants.valid.samples.map((s) => s.innerMs)) },
        ratio: a.variants.hostile.vsReference.ratio,
      });
      rows.push({ id: f.id, label: f.label, bytes: f.bytes, refBytes: f.ref.bytes, family: f.family, refusal, untouched, cli: pick(cli), pipeline: pick(pipe) });
    }
  } finally {
    await sandbox.close();
  }
  const slowest = rows.reduce((m, r) => (!m || r.cli.hostile.ms.median > m.cli.hostile.ms.median ? r : m), undefined);
  const hungriest = rows.reduce((m, r) => (!m || r.cli.hostile.rssKb.max > m.cli.hostile.rssKb.max ? r : m), undefined);
  const dearer = rows.filter((r) => r.cli.hostile.ms.median >= r.cli.valid.ms.median || r.cli.hostile.rssKb.max >= r.cli.valid.rssKb.max);
  return {
    id, rounds, rows,
    slowest: slowest?.id,
    hungriest: hungriest?.id,
    targets: [
      {
        name: 'every refusal costs less than a valid upload of the same size (wall time and peak RSS, `upload` end to end)',
        value: dearer.length ? `${dearer.length} of ${rows.length} cost as much or more` : `all ${rows.length} cheaper`,
        met: dearer.length === 0,
        detail: dearer.map((r) => `${r.id}: ${fmtRatio(r.cli.hostile.ms.median / r.cli.valid.ms.median)} time, ${fmtRatio(r.cli.hostile.rssKb.max / r.cli.valid.rssKb.max)} RSS`).join('; '),
      },
      {
        name: 'slowest refusal cheaper than its valid twin',
        value: slowest ? `${slowest.id}: ${fmtMs(slowest.cli.hostile.ms.median)} ms vs ${fmtMs(slowest.cli.valid.ms.median)} ms` : 'n/a',
        met: slowest ? slowest.cli.hostile.ms.median < slowest.cli.valid.ms.median : undefined,
      },
      {
        name: 'most memory-hungry refusal lighter than its valid twin',
        value: hungriest ? `${hungriest.id}: ${fmtMB(hungriest.cli.hostile.rssKb.max)} vs ${fmtMB(hungriest.cli.valid.rssKb.max)}` : 'n/a',
        met: hungriest ? hungriest.cli.hostile.rssKb.max < hungriest.cli.valid.rssKb.max : undefined,
      },
      {
        name: 'every refusal leaves the user\'s attributes byte-identical',
        value: rows.every((r) => r.untouched) ? 'yes' : `no: ${rows.filter((r) => !r.untouched).map((r) => r.id).join(', ')}`,
        met: rows.every((r) => r.untouched),
      },
    ],
  };
}

function median(xs) {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : NaN;
}

export function render(r) {
  const L = [];
  L.push(`\`ak-avatars upload ${USER} FILE\` against the sandbox (restored to its seed before every run), each hostile file next to a valid image of about the same size (same format where one exists; the 25 MiB file is paired with the 6000×4000 PNG, the largest valid input under the cap), ${r.rounds} interleaved rounds. "Pipeline" is \`processImage()\` alone in a fresh process (\`node bench/lib/image-worker.js once-warm pipeline FILE 256 auto\`), timed after a 16×16 PNG went through first so that sharp and file-type are already loaded: it is the image work alone (in the CLI, a refusal by the size cap or the SVG guard also saves loading sharp, which the upload columns include). Slowest refusal: **${r.slowest}**; most memory-hungry: **${r.hungriest}**.`);
  L.push('');
  L.push('| hostile file | bytes (valid twin) | refusal (exit, first line) | upload ms: refused / valid | × | upload peak RSS: refused / valid | pipeline ms (modules loaded): refused / valid | pipeline peak RSS: refused / valid |');
  L.push('|---|---|---|---|---|---|---|---|');
  for (const x of r.rows) {
    const msg = x.refusal ? `${x.refusal.code}: ${x.refusal.message.replace(/\|/g, '\\|').slice(0, 110)}${x.refusal.lines > 1 ? ` (+${x.refusal.lines - 1} line${x.refusal.lines > 2 ? 's' : ''})` : ''}` : '–';
    const flag = (id) => (id === r.slowest || id === r.hungriest ? ` **(${[id === r.slowest ? 'slowest' : '', id === r.hungriest ? 'most RSS' : ''].filter(Boolean).join(', ')})**` : '');
    L.push(`| ${x.label}${flag(x.id)} | ${fmtBytes(x.bytes)} (${fmtBytes(x.refBytes)}) | ${msg} | ${fmtSpread(x.cli.hostile.ms)} / ${fmtSpread(x.cli.valid.ms)} | ${fmtRatio(x.cli.ratio.median)} | ${fmtMB(x.cli.hostile.rssKb?.max)} / ${fmtMB(x.cli.valid.rssKb?.max)} | ${fmtMs(x.pipeline.hostile.innerMs)} / ${fmtMs(x.pipeline.valid.innerMs)} | ${fmtMB(x.pipeline.hostile.rssKb?.max)} / ${fmtMB(x.pipeline.valid.rssKb?.max)} |`);
  }
  return L.join('\n');
}
