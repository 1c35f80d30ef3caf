// What the figures were measured on. Load average is recorded at the start and the end of a run because
// on a shared machine it is the first thing to look at when a figure looks odd.
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

function git(args, cwd) {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function cpuModel() {
  const fromNode = os.cpus()[0]?.model?.trim();
  if (fromNode && fromNode !== 'unknown') return fromNode;
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function describeMachine(repoRoot, tools) {
  let sharpInfo = {};
  try {
    const sharp = (await import('sharp')).default;
    sharpInfo = { sharp: sharp.versions.sharp, libvips: sharp.versions.vips, libvipsThreads: sharp.concurrency() };
  } catch (e) {
    sharpInfo = { sharp: `not loadable: ${e.message}` };
  }
  const status = git(['status', '--porcelain', '--untracked-files=no'], repoRoot);
  return {
    date: new Date().toISOString(),
    cpuModel: cpuModel(),
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: +(os.totalmem() / 1024 ** 3).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    ...sharpInfo,
    imagemagick: tools?.imagemagick?.version ?? 'not available',
    gnuTime: tools?.gnuTime ?? false,
    loadAvgStart: os.loadavg().map((v) => +v.toFixed(2)),
    commit: git(['rev-parse', '--short', 'HEAD'], repoRoot) ?? 'unknown',
    dirty: status === undefined ? undefined : status.length > 0,
  };
}
