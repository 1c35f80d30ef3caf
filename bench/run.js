#!/usr/bin/env node
// ak-avatars benchmarks. Usage:
//   npm run bench                              all sections, writes BENCHMARKS.md
//   node bench/run.js [section ...] [options]  sections: startup setup image upload hostile
// Options:
//   --rounds N     measured rounds per comparison (defaults: startup 30, setup 7, image 9 + 3 cold, upload 7, hostile 5)
//   --quick        few rounds everywhere (development on a busy machine; the figures are not for publishing,
//                  and are not kept in bench/.out/results/)
//   --no-write     print the report to stdout instead of writing BENCHMARKS.md
//   --no-install   never apt-get install ImageMagick / GNU time
//   --render-only  run nothing: rebuild BENCHMARKS.md from the stored results (after editing the template)
// Results of each section are kept in bench/.out/results/<section>.json, so running one section
// regenerates BENCHMARKS.md with the fresh figures for that section and the stored ones for the others.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import os from 'node:os';
import { ensureTools } from './lib/tools.js';
import { describeMachine } from './lib/machine.js';
import { renderReport } from './lib/report.js';
import * as startup from './sections/startup.js';
import * as setup from './sections/setup.js';
import * as image from './sections/image.js';
import * as upload from './sections/upload.js';
import * as hostile from './sections/hostile.js';

const SECTIONS = [startup, setup, image, upload, hostile];
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const outDir = join(here, '.out');

function parseArgs(argv) {
  const opts = { sections: [], rounds: undefined, quick: false, write: true, install: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rounds') opts.rounds = Number(argv[++i]);
    else if (a.startsWith('--rounds=')) opts.rounds = Number(a.slice(9));
    else if (a === '--quick') opts.quick = true;
    else if (a === '--no-write') opts.write = false;
    else if (a === '--no-install') opts.install = false;
    else if (a === '--render-only') opts.renderOnly = true;
    else if (a === '-h' || a === '--help') opts.help = true;
    else if (SECTIONS.some((s) => s.id === a)) opts.sections.push(a);
    else throw new Error(`unknown argument ${a} (sections: ${SECTIONS.map((s) => s.id).join(' ')})`);
  }
  if (opts.rounds !== undefined && !(opts.rounds >= 1)) throw new Error('--rounds needs a positive number');
  if (opts.sections.length === 0 && !opts.renderOnly) opts.sections = SECTIONS.map((s) => s.id);
  return opts;
}

const T0 = Date.now();
// Elapsed seconds on every line: a section that suddenly takes longer usually means a busy neighbour.
const log = (line) => process.stderr.write(`[${((Date.now() - T0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
    const header = lines.slice(0, lines.findIndex((l) => !l.startsWith('//')));
    process.stdout.write(header.map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
    return;
  }
  mkdirSync(join(outDir, 'results'), { recursive: true });
  const t0 = Date.now();
  log('ak-avatars bench: checking tools ...');
  const tools = ensureTools({ install: opts.install && !opts.renderOnly, needImageMagick: opts.sections.includes('image'), log });
  const machine = await describeMachine(root, tools);
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, load ${machine.loadAvgStart.join(' ')}`);

  let failed = 0;
  const fresh = {};
  for (const section of SECTIONS.filter((s) => opts.sections.includes(s.id))) {
    log(`\n== ${section.title}`);
    const ctx = {
      root, outDir, tools, log,
      rounds: opts.rounds ?? (opts.quick ? section.quickRounds ?? 2 : undefined),
      coldRounds: opts.quick ? 1 : undefined,
      quick: opts.quick,
    };
    const started = Date.now();
    let result;
    try {
      result = await section.run(ctx);
    } catch (e) {
      log(`  ${section.id} failed: ${e.stack ?? e}`);
      result = { id: section.id, error: String(e.message ?? e).split('\n').slice(0, 3).join(' ') };
      failed++;
    }
    result.machine = { ...machine, loadAvgEnd: os.loadavg().map((v) => +v.toFixed(2)) };
    result.command = `node bench/run.js ${section.id}${opts.rounds ? ` --rounds ${opts.rounds}` : ''}${opts.quick ? ' --quick' : ''}`;
    result.quick = opts.quick;
    result.seconds = Math.round((Date.now() - started) / 1000);
    // Quick runs are for development: keep them out of the stored results the report is built from later.
    if (opts.quick) fresh[section.id] = result;
    else writeFileSync(join(outDir, 'results', `${section.id}.json`), JSON.stringify(result, null, 2));
    log(`  ${section.id} done in ${result.seconds} s`);
  }

  // Re-read every section's latest result (fresh or from an earlier run) and render the report.
  const results = {};
  for (const s of SECTIONS) {
    const f = join(outDir, 'results', `${s.id}.json`);
    if (fresh[s.id]) results[s.id] = fresh[s.id];
    else if (existsSync(f)) results[s.id] = JSON.parse(readFileSync(f, 'utf8'));
  }
  // The machine table describes the latest measured section (with --render-only nothing was measured now).
  const latest = Object.values(results).map((r) => r.machine).filter(Boolean).sort((a, b) => (a.date < b.date ? 1 : -1))[0];
  const md = renderReport({ sections: SECTIONS, results, machine: opts.renderOnly && latest ? latest : machine, template: readFileSync(join(here, 'BENCHMARKS.template.md'), 'utf8') });
  if (opts.write) {
    writeFileSync(join(root, 'BENCHMARKS.md'), md);
    log(`\nwrote BENCHMARKS.md (${Math.round((Date.now() - t0) / 1000)} s in all)`);
  } else {
    process.stdout.write(md);
  }
  if (failed) {
    log(`${failed} section(s) failed: see the report`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  log(e.stack ?? String(e));
  process.exit(1);
});
