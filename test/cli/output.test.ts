// Output rules: colour decisions (NO_COLOR, --no-color, FORCE_COLOR, TTY, CI, TERM=dumb), spinners that
// animate only on an interactive stderr, --json purity, and error formatting.
import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import ora from 'ora';
import { CliError, ExitCode } from '../../src/errors.js';
import { colorLevel, isInteractive, loadOutputExtras, Output, type OraFactory } from '../../src/cli/output.js';
import { run } from '../helpers/run.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;
// colour codes only (SGR); a TTY spinner may still show/hide the cursor
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/;

function sink(isTTY: boolean) {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number; [k: string]: unknown };
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  if (isTTY) {
    s.isTTY = true;
    s.columns = 80;
    for (const m of ['cursorTo', 'moveCursor', 'clearLine']) s[m] = () => true;
  }
  return { s, text: () => text };
}

function output(opts: { tty?: boolean; env?: Record<string, string>; json?: boolean; color?: boolean }) {
  const out = sink(Boolean(opts.tty));
  const err = sink(Boolean(opts.tty));
  const o = new Output({
    stdout: out.s,
    stderr: err.s,
    env: opts.env ?? {},
    json: Boolean(opts.json),
    color: opts.color ?? true,
    verbose: false,
    ora: ora as unknown as OraFactory,
    // the CLI loads chalk only when a stream gets colour (loadOutputExtras); here it is always at hand
    chalk: Chalk,
  });
  return { o, stdout: out.text, stderr: err.text };
}

const tick = () => new Promise((r) => setTimeout(r, 150));

describe('colorLevel', () => {
  const tty = { isTTY: true, write: () => true };
  const pipe = { isTTY: false, write: () => true };
  it.each([
    ['TTY', tty, {}, true, 1],
    ['TTY + 256 colours', tty, { TERM: 'xterm-256color' }, true, 2],
    ['TTY + truecolor', tty, { COLORTERM: 'truecolor' }, true, 3],
    ['pipe', pipe, {}, true, 0],
    ['TTY + NO_COLOR', tty, { NO_COLOR: '1' }, true, 0],
    ['TTY + empty NO_COLOR (ignored per no-color.org)', tty, { NO_COLOR: '' }, true, 1],
    ['TTY + --no-color', tty, {}, false, 0],
    ['TTY + CI', tty, { CI: 'true' }, true, 0],
    ['TTY + TERM=dumb', tty, { TERM: 'dumb' }, true, 0],
    ['pipe + FORCE_COLOR=1', pipe, { FORCE_COLOR: '1' }, true, 1],
    ['TTY + FORCE_COLOR=0', tty, { FORCE_COLOR: '0' }, true, 0],
    ['NO_COLOR beats FORCE_COLOR', pipe, { NO_COLOR: '1', FORCE_COLOR: '3' }, true, 0],
  ] as const)('%s', (_n, stream, env, flag, level) => {
    expect(colorLevel(stream, env, flag)).toBe(level);
  });

  it('spinners animate only on a sized TTY outside CI', () => {
    expect(isInteractive({ isTTY: true, columns: 80, write: () => true }, {})).toBe(true);
    expect(isInteractive({ isTTY: true, columns: 0, write: () => true }, {})).toBe(false);
    expect(isInteractive({ isTTY: true, columns: 80, write: () => true }, { CI: 'true' })).toBe(false);
    expect(isInteractive({ isTTY: true, columns: 80, write: () => true }, { TERM: 'dumb' })).toBe(false);
    expect(isInteractive({ isTTY: false, columns: 80, write: () => true }, {})).toBe(false);
  });
});

describe('Output', () => {
  it('animates a spinner on a TTY (control codes on stderr, nothing on stdout)', async () => {
    const { o, stdout, stderr } = output({ tty: true });
    const s = o.spinner('working').start();
    await tick();
    s.succeed('done');
    expect(stderr()).toMatch(ANSI);
    expect(stderr()).toContain('done');
    expect(stdout()).toBe('');
  });

  it.each([
    ['a pipe', { tty: false }],
    ['CI=true on a TTY', { tty: true, env: { CI: 'true' } }],
    ['TERM=dumb on a TTY', { tty: true, env: { TERM: 'dumb' } }],
  ])('never animates on %s: no frames, no cursor codes, just the final line', async (_n, opts) => {
    const { o, stderr } = output(opts);
    const s = o.spinner('working').start();
    s.text('still working');
    await tick();
    s.succeed('done');
    expect(stderr()).toBe('✔ done\n');
  });

  it('NO_COLOR and --no-color remove every ANSI code, even on a TTY', () => {
    for (const opts of [{ tty: true, env: { NO_COLOR: '1' } }, { tty: true, color: false }]) {
      const { o, stdout, stderr } = output(opts);
      o.data({ a: 1 }, () => o.c.bold.red('hello'));
      o.warn('careful');
      o.error(new CliError('broken', ExitCode.ERROR, { hint: 'fix it' }));
      const sp = o.spinner('x').start();
      sp.fail('failed');
      expect(stdout()).toBe('hello\n');
      expect(stderr()).not.toMatch(SGR);
      // eslint-disable-next-line no-control-regex
      expect(stderr().replace(/\u001b\[\?25[hl]/g, '').replace(/\r/g, '')).toMatch(/^Warning: careful\nError: broken\nHint: fix it\n[^]*✖ failed\n$/);
    }
  });

  it('colours on a TTY when allowed', () => {
    const { o, stderr } = output({ tty: true });
    o.error(new CliError('broken'));
    expect(stderr()).toMatch(ANSI);
  });

  it('--json: one document on stdout; line() is suppressed; a second data() is a bug', () => {
    const { o, stdout, stderr } = output({ json: true, tty: true });
    o.line('human text');
    o.info('progress');
    o.spinner('spin').start().succeed('ok');
    o.data({ a: 1 }, () => 'human');
    expect(() => o.data({ b: 2 }, () => '')).toThrow(/two JSON documents/);
    expect(JSON.parse(stdout())).toEqual({ a: 1 });
    expect(stderr()).toBe('');
  });

  it('--json errors: the error document on stdout and the Error line on stderr', () => {
    const { o, stdout, stderr } = output({ json: true });
    const code = o.error(new CliError('nope', ExitCode.NOT_FOUND, { hint: 'look elsewhere' }));
    expect(code).toBe(5);
    expect(JSON.parse(stdout())).toEqual({ error: { message: 'nope', exitCode: 5, hint: 'look elsewhere' } });
    expect(stderr()).toBe('Error: nope\nHint: look elsewhere\n');
  });

  it('a plain Error becomes one line, exit 1, no stack unless verbose', () => {
    const { o, stderr } = output({});
    expect(o.error(new Error('first line\n    at somewhere (file.js:1:1)'))).toBe(1);
    expect(stderr()).toBe('Error: first line\n');
  });
});

describe('colour through the whole program', () => {
  it('errors are plain when stderr is not a TTY, coloured on a TTY, plain again with NO_COLOR or --no-color', async () => {
    expect((await run(['config', 'use', 'x'])).stderr).not.toMatch(ANSI);
    expect((await run(['config', 'use', 'x'], { isTTY: true })).stderr).toMatch(ANSI);
    expect((await run(['config', 'use', 'x'], { isTTY: true, env: { NO_COLOR: '1' } })).stderr).not.toMatch(ANSI);
    expect((await run(['--no-color', 'config', 'use', 'x'], { isTTY: true })).stderr).not.toMatch(ANSI);
    expect((await run(['config', 'use', 'x'], { isTTY: true, env: { CI: 'true' } })).stderr).not.toMatch(ANSI);
  });
});

describe('colour without chalk (chalk loads only when a stream gets colour)', () => {
  // the painter used at colour level 0 must answer every call the way chalk at level 0 does
  const plain = new Output({ stdout: sink(false).s, stderr: sink(false).s, env: {}, json: false, color: true, verbose: false }).c;
  const chalk0 = new Chalk({ level: 0 });
  it.each([
    ['style', (c: typeof chalk0) => c.red('x')],
    ['chain', (c: typeof chalk0) => c.bold.red.underline('x')],
    ['several arguments', (c: typeof chalk0) => c.green('a', 'b', 3)],
    ['a number', (c: typeof chalk0) => c.dim(42 as unknown as string)],
    ['empty', (c: typeof chalk0) => c.yellow('')],
    ['a model method', (c: typeof chalk0) => c.hex('#ff0000').bgRgb(1, 2, 3).bold('x')],
    ['visible', (c: typeof chalk0) => c.visible.red('x')],
    ['the instance itself', (c: typeof chalk0) => c('a', 'b')],
  ])('%s', (_n, f) => {
    expect(f(plain)).toBe(f(chalk0));
  });

  it('reports level 0, also down a chain', () => {
    expect(plain.level).toBe(0);
    expect(plain.bold.level).toBe(0);
  });

  it('an Output that would colour but was given no chalk writes plain text', () => {
    const err = sink(true);
    new Output({ stdout: sink(true).s, stderr: err.s, env: {}, json: false, color: true, verbose: false }).error(new CliError('broken'));
    expect(err.text()).toBe('Error: broken\n');
  });

  const tty = { isTTY: true, columns: 80, write: () => true };
  const pipe = { isTTY: false, write: () => true };
  it.each([
    ['pipes', { stdout: pipe, stderr: pipe, env: {}, color: true, json: false }, { spinner: true }, []],
    ['NO_COLOR on a TTY, no spinner wanted', { stdout: tty, stderr: tty, env: { NO_COLOR: '1' }, color: true, json: false }, { spinner: false }, []],
    ['NO_COLOR on a TTY', { stdout: tty, stderr: tty, env: { NO_COLOR: '1' }, color: true, json: false }, { spinner: true }, ['ora']],
    ['--json on a TTY', { stdout: tty, stderr: tty, env: {}, color: true, json: true }, { spinner: true }, ['chalk']],
    ['a TTY', { stdout: tty, stderr: tty, env: {}, color: true, json: false }, { spinner: true }, ['chalk', 'ora']],
    ['only stderr on a TTY, CI', { stdout: pipe, stderr: tty, env: { CI: 'true' }, color: true, json: false }, { spinner: true }, []],
    ['FORCE_COLOR on pipes', { stdout: pipe, stderr: pipe, env: { FORCE_COLOR: '1' }, color: true, json: false }, { spinner: true }, ['chalk']],
  ] as const)('loadOutputExtras on %s', async (_n, opts, need, expected) => {
    const extras = await loadOutputExtras(opts, need);
    expect(Object.keys(extras).sort()).toEqual(expected);
    if (extras.chalk) expect(new extras.chalk({ level: 1 }).red('x')).toMatch(SGR);
  });
});
