// Run one child process and measure its wall time (from the parent, with hrtime) and its peak RSS.
// Peak RSS comes from GNU time's "%M" (ru_maxrss from wait4: the largest RSS of the child and of any
// descendant it waited for, so a pipeline that forks a worker is still counted). Without GNU time we poll
// /proc/<pid>/status VmHWM, which can miss the last milliseconds of a short process: flagged as approximate.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const GNU_TIME = '/usr/bin/time';
let gnuTime;
export function hasGnuTime() {
  if (gnuTime === undefined) gnuTime = existsSync(GNU_TIME);
  return gnuTime;
}

let scratch;
function scratchFile() {
  scratch ??= mkdtempSync(join(tmpdir(), 'ak-bench-'));
  return join(scratch, `time-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

/** Pids of `root` and all its descendants, from one scan of /proc (Linux only). */
function processTree(root) {
  const children = new Map();
  for (const d of readdirSync('/proc')) {
    if (d.charCodeAt(0) < 48 || d.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch { /* exited meanwhile */ }
  }
  const out = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop();
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/** Sum of the current RSS of the given pids, in kB. */
function treeRssKb(pids) {
  let kb = 0;
  for (const p of pids) {
    try {
      kb += Number(readFileSync(`/proc/${p}/statm`, 'utf8').split(' ')[1]) * 4; // pages of 4 KiB
    } catch { /* gone */ }
  }
  return kb;
}

/**
 * ru_maxrss is the peak of the largest single process, not of the tree: a parent and a child alive at the
 * same time (the SVG render child) use the sum. `sampleTree` polls the whole tree's RSS every 10 ms to catch
 * that; sampling can miss a short peak, so the reported peak is the larger of both figures.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{env?: Record<string,string|undefined>, cwd?: string, input?: Buffer|string, timeoutMs?: number, sampleTree?: boolean}} [opts]
 * @returns {Promise<{ms:number, maxRssKb:number, rssApprox:boolean, code:number|null, signal:string|null, stdout:string, stderr:string, timedOut:boolean}>}
 */
export function runTimed(cmd, args, opts = {}) {
  const useTime = hasGnuTime();
  const timeFile = useTime ? scratchFile() : undefined;
  const file = useTime ? GNU_TIME : cmd;
  const argv = useTime ? ['-f', '%M', '-o', timeFile, cmd, ...args] : args;
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, argv, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout kills the whole tree
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.stdin.on('error', () => {}); // a child that exits without reading stdin is fine
    child.stdin.end(opts.input ?? undefined);

    let hwmKb = 0;
    let treePeakKb = 0;
    let poll;
    let treePoll;
    if (opts.sampleTree) {
      treePoll = setInterval(() => {
        treePeakKb = Math.max(treePeakKb, treeRssKb(processTree(child.pid)));
      }, 10);
    }
    if (!useTime) {
      // Fallback: poll VmHWM (peak RSS) of the direct child only.
      poll = setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
        } catch { /* gone */ }
      }, 2);
    }
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
        }, opts.timeoutMs)
      : undefined;

    child.on('error', (e) => {
      clearTimeout(timer);
      clearInterval(poll);
      clearInterval(treePoll);
      reject(e);
    });
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      clearInterval(poll);
      clearInterval(treePoll);
      let maxRssKb = hwmKb;
      let exitCode = code;
      if (useTime) {
        try {
          const text = readFileSync(timeFile, 'utf8').trim().split('\n');
          // GNU time prefixes "Command exited with non-zero status N" / "Command terminated by signal N".
          maxRssKb = Number(text[text.length - 1]);
          rmSync(timeFile, { force: true });
        } catch {
          maxRssKb = NaN;
        }
      }
      resolve({
        ms,
        // The tree's sampled sum excludes GNU time itself (~2 MB) only when it is the larger figure.
        maxRssKb: opts.sampleTree ? Math.max(maxRssKb, treePeakKb) : maxRssKb,
        processMaxRssKb: maxRssKb,
        treeRssKb: opts.sampleTree ? treePeakKb : undefined,
        rssApprox: !useTime,
        code: exitCode,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Like runTimed but throws with the child's stderr when it does not exit with one of the expected codes. */
export async function runChecked(cmd, args, opts = {}, expectCodes = [0]) {
  const r = await runTimed(cmd, args, opts);
  if (r.timedOut || !expectCodes.includes(r.code)) {
    const what = r.timedOut ? `timed out after ${opts.timeoutMs} ms` : `exited ${r.code}${r.signal ? ` (${r.signal})` : ''}`;
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n  ');
    throw new Error(`${[cmd, ...args].join(' ')} ${what}\n  ${tail}`);
  }
  return r;
}
