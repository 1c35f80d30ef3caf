// --help and --version must load neither sharp nor axios (start-up time, issue "Benchmarks").
// A preload script records every module the child process resolves: ESM through a module.register()
// resolve hook, CommonJS through Module._load. Controls prove the recorder sees axios and sharp.
// Needs dist/ (the `pretest` script builds it).
import { describe, expect, it, beforeAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/run.js';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'ak-avatars.js');
const HEAVY = /node_modules\/(sharp|@img|axios|axios-retry|file-type)\//;

let dir: string;
beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does)');
  dir = tempDir('ak-avatars-lazy-');
  writeFileSync(
    join(dir, 'hook.mjs'),
    `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(log, 'esm ' + r.url + '\\n');
  return r;
}
`,
  );
  writeFileSync(
    join(dir, 'preload.mjs'),
    `import Module, { register } from 'node:module';
import { appendFileSync } from 'node:fs';
const log = process.env.AK_LOAD_LOG;
register(new URL('./hook.mjs', import.meta.url), { data: { log } });
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const m = load.apply(this, arguments);
  let file = request;
  try { file = Module._resolveFilename(request, parent, isMain); } catch {}
  appendFileSync(log, 'cjs ' + file + '\\n');
  return m;
};
`,
  );
});

async function loaded(args: string[], script?: string, env: Record<string, string> = {}): Promise<{ code: number; modules: string[]; stdout: string }> {
  const log = join(dir, `log-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(log, '');
  const argv = ['--import', join(dir, 'preload.mjs'), ...(script ? ['--input-type=module', '-e', script] : [bin, ...args])];
  let code = 0;
  let stdout = '';
  try {
    ({ stdout } = await exec(process.execPath, argv, { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: dir, AK_LOAD_LOG: log, ...env } }));
  } catch (e) {
    code = (e as { code: number }).code;
    stdout = (e as { stdout: string }).stdout;
  }
  return { code, stdout, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

describe('lazy imports', () => {
  it.each([[['--help']], [['--version']], [['whoami', '--help']], [['upload', '--help']], [['setup', '--help']], [['show', '--help']]])(
    'ak-avatars %j loads neither sharp nor axios',
    async (argv: string[]) => {
      const r = await loaded(argv);
      expect(r.code).toBe(0);
      // positive control: the recorder saw the CLI's own modules and commander
      expect(r.modules.some((m) => m.includes('/dist/cli/main.js'))).toBe(true);
      expect(r.modules.some((m) => /node_modules\/commander\//.test(m))).toBe(true);
      expect(r.modules.filter((m) => HEAVY.test(m))).toEqual([]);
    },
  );

  it('control: the recorder does see axios and sharp when they load', async () => {
    const axiosRun = await loaded([], `await import(${JSON.stringify(join(root, 'dist', 'authentik', 'index.js'))});`);
    expect(axiosRun.code).toBe(0);
    expect(axiosRun.modules.some((m) => /node_modules\/axios\//.test(m))).toBe(true);
    const sharpRun = await loaded([], `await import('sharp');`);
    expect(sharpRun.code).toBe(0);
    expect(sharpRun.modules.some((m) => /node_modules\/sharp\//.test(m))).toBe(true);
  });
});

// Start-up time (issue "Benchmarks": --help within 40 ms of bare node): --help and --version load the
// CLI shell and commander, nothing else: no command module (the root help comes from the registry),
// no chalk (no colour in help), no ora, no config store/env-paths (no profile needed).
describe('--help and --version load only what they need', () => {
  const SHELL = ['cli/commands/index.js', 'cli/context.js', 'cli/main.js', 'cli/output.js', 'cli/program.js', 'errors.js'];
  /** The project's own files (relative to dist/) and the packages a run loaded. */
  function split(modules: string[]) {
    const files = new Set<string>();
    const packages = new Set<string>();
    for (const m of modules) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m);
      if (pkg) packages.add(pkg[1]!);
      else if (m.includes('/dist/')) files.add(m.slice(m.indexOf('/dist/') + 6));
    }
    return { files: [...files].sort(), packages: [...packages].sort() };
  }

  it.each([[['--help']], [['--version']], [['-V']], [['--json', '--help']], [[]]])('ak-avatars %j', async (argv: string[]) => {
    const r = await loaded(argv);
    expect(r.code).toBe(argv.length === 0 ? 2 : 0);
    expect(split(r.modules)).toEqual({ files: SHELL, packages: ['commander'] });
  });

  it('`ak-avatars whoami --help` adds only the whoami module', async () => {
    const r = await loaded(['whoami', '--help']);
    expect(r.code).toBe(0);
    expect(split(r.modules)).toEqual({ files: [...SHELL, 'cli/commands/whoami.js'].sort(), packages: ['commander'] });
  });

  it('control: the same recorder sees chalk, the config store and env-paths when a run needs them', async () => {
    // FORCE_COLOR: the output gets colour (chalk); `config list` reads the profiles file (its dir from env-paths)
    const r = await loaded(['config', 'list'], undefined, { FORCE_COLOR: '1' });
    expect(r.code).toBe(0);
    const { files, packages } = split(r.modules);
    expect(files).toEqual(expect.arrayContaining(['cli/config-store.js', 'cli/commands/config.js']));
    expect(packages).toEqual(expect.arrayContaining(['chalk', 'env-paths']));
  });
});
