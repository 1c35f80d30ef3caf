// Section 1: start-up of the CLI next to a bare `node -e 0`, with a breakdown of where `--help`'s extra
// milliseconds go (third-party packages, the project's own modules, running the command).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { interleave } from '../lib/runner.js';
import { runTimed } from '../lib/proc.js';
import { requireBuilt, startSandbox, cliEnv, runCli, cliPaths } from '../lib/sandbox.js';
import { fmtMs, fmtSpread, fmtRange, fmtRatio, fmtMB } from '../lib/stats.js';

export const id = 'startup';
export const title = '1. Start-up';
export const quickRounds = 5;
const TARGET_HELP_MS = 40;

/** What `ak-avatars --help` loads: third-party packages (by name) and the number of the project's own files. */
async function traceHelp(root, env) {
  const hook = join(root, 'bench', 'lib', 'trace-imports.mjs');
  const r = await runTimed(process.execPath, ['--import', hook, cliPaths(root).bin, '--help'], { env, cwd: root });
  const urls = r.stderr.split('\n').filter((l) => l.startsWith('LOAD ')).map((l) => l.slice(5));
  const packages = new Set();
  const own = new Set();
  for (const u of urls) {
    if (!u.startsWith('file:')) continue;
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
    if (m) packages.add(m[1]);
    else if (u.includes('/dist/') || u.includes('/bin/')) own.add(u);
  }
  // ownFiles counts the bin shim too. Packages are listed by name: a package pulled in only by another shows as well.
  return { packages: [...packages].sort(), ownFiles: own.size };
}

export async function run(ctx) {
  requireBuilt(ctx.root, ['bin', 'main', 'standin']);
  const rounds = ctx.rounds ?? 30;
  const sandbox = await startSandbox(ctx.root);
  try {
    const env = cliEnv(ctx.outDir, sandbox);
    const trace = await traceHelp(ctx.root, env);
    const proc = (name, args, expect = 0) => ({
      name,
      run: async () => {
        const r = await runTimed(process.execPath, args, { env, cwd: ctx.root });
        if (r.code !== expect) throw new Error(`${name} exited ${r.code}: ${r.stderr.trim().split('\n')[0]}`);
        return { ms: r.ms, maxRssKb: r.maxRssKb };
      },
    });
    const cli = (name, args) => ({
      name,
      run: async () => {
        const r = await runCli(ctx.root, args, { env });
        if (r.code !== 0) throw new Error(`ak-avatars ${args.join(' ')} exited ${r.code}: ${r.stderr.trim().split('\n')[0]}`);
        return { ms: r.ms, maxRssKb: r.maxRssKb };
      },
    });
    const importAll = (specs) => `await Promise.all([${specs.map((s) => `import(${JSON.stringify(s)})`).join(', ')}])`;
    const mainUrl = pathToFileURL(cliPaths(ctx.root).main).href;
    const variants = [
      proc('node -e 0', ['-e', '0']),
      proc('import its packages only', ['--input-type=module', '-e', importAll(trace.packages)]),
      proc('import dist/cli/main.js, run nothing', ['--input-type=module', '-e', importAll([mainUrl])]),
      cli('ak-avatars --help', ['--help']),
      cli('ak-avatars --version', ['--version']),
      cli('ak-avatars whoami', ['whoami']),
    ];
    const res = await interleave({ label: 'start-up', variants, rounds, warmup: 2, reference: 'node -e 0', log: ctx.log });
    const rows = Object.entries(res.variants).map(([name, v]) => ({
      name,
      ms: v.ms,
      rssKb: v.rssKb,
      diff: v.vsReference?.diff,
      ratio: v.vsReference?.ratio,
    }));
    return { id, rounds, sandboxVersion: sandbox.version, trace, rows };
  } finally {
    await sandbox.close();
  }
}

export function targets(r) {
  const help = r.rows.find((x) => x.name === 'ak-avatars --help').diff;
  return [{
    name: `\`--help\` within ${TARGET_HELP_MS} ms of bare node`,
    value: `+${fmtMs(help.median)} ms (IQR ${fmtMs(help.q1)}–${fmtMs(help.q3)})`,
    met: help.median <= TARGET_HELP_MS,
    detail: help.median <= TARGET_HELP_MS ? `${fmtMs(TARGET_HELP_MS - help.median)} ms to spare` : `over by ${fmtMs(help.median - TARGET_HELP_MS)} ms`,
  }];
}

export function render(r) {
  const L = [];
  const by = Object.fromEntries(r.rows.map((x) => [x.name, x]));
  L.push(`Each line is a fresh process, wall time measured by the parent from spawn to exit, ${r.rounds} interleaved rounds after two warm-up rounds; \`whoami\` runs against the sandbox (authentik ${r.sandboxVersion}, in the bench process, no injected latency). "+ms" and "×" are medians of the per-round differences and ratios against \`node -e 0\` of the same round. The two "import" lines split \`--help\`'s cost: \`--help\` loads ${r.trace.ownFiles} of the project's own files (the bin shim included) and the packages ${r.trace.packages.map((p) => `\`${p}\``).join(', ')} (traced with \`node --import bench/lib/trace-imports.mjs bin/ak-avatars.js --help\`).`);
  L.push('');
  L.push('| command | median ms (IQR) | min–max | + ms vs node (IQR) | × node | peak RSS |');
  L.push('|---|---|---|---|---|---|');
  for (const row of r.rows) {
    const label = row.name.startsWith('ak-avatars') || row.name.startsWith('node ') ? `\`${row.name}\`` : row.name;
    L.push(`| ${label} | ${fmtSpread(row.ms)} | ${fmtRange(row.ms)} | ${row.diff ? `+${fmtSpread(row.diff)}` : '–'} | ${row.ratio ? fmtRatio(row.ratio.median) : '–'} | ${fmtMB(row.rssKb?.median)} |`);
  }
  const help = by['ak-avatars --help']?.diff?.median;
  const pk = by['import its packages only']?.diff?.median;
  const all = by['import dist/cli/main.js, run nothing']?.diff?.median;
  if ([help, pk, all].every(Number.isFinite)) {
    L.push('');
    L.push(`Where \`--help\`'s +${fmtMs(help)} ms go (medians, so the parts add up only roughly): third-party packages ≈ ${fmtMs(pk)} ms, the project's own modules ≈ ${fmtMs(all - pk)} ms on top, building the program and printing the help ≈ ${fmtMs(help - all)} ms.`);
  }
  return L.join('\n');
}
