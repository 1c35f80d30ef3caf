// Ctx pieces that commands rely on: confirm(), stdin() after a token was read from stdin, and the
// action() wrapper (exit codes from handlers, the {"ok": true} fallback under --json).
import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { CliError, ExitCode, registerSecret } from '../../src/errors.js';
import { action, makeCtx, takeExitCode, type Deps } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/main.js';
import { createRoot } from '../../src/cli/program.js';

function deps(opts: { tty?: boolean; input?: string; env?: Record<string, string> } = {}) {
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  if (opts.tty) {
    stdin.isTTY = true;
    stderr.isTTY = true;
  }
  if (opts.input !== undefined) stdin.end(opts.input);
  const d: Deps = { stdout, stderr, stdin, env: opts.env ?? {}, configDir: '/nonexistent-ak-avatars-test' };
  return { d, out: () => out, err: () => err };
}

describe('confirm()', () => {
  it('--yes answers yes without asking', async () => {
    const { d, err } = deps();
    await expect(makeCtx({ yes: true }, d).confirm('Delete everything?')).resolves.toBe(true);
    expect(err()).toBe('');
  });

  it('no terminal: refuses with exit 2 and a --yes hint instead of hanging', async () => {
    const { d } = deps({ input: 'y\n' });
    const p = makeCtx({}, d).confirm('Delete everything?');
    await expect(p).rejects.toBeInstanceOf(CliError);
    await expect(p).rejects.toMatchObject({ exitCode: ExitCode.USAGE, hint: 're-run with --yes to confirm' });
  });

  it('CI set: refuses even on a terminal', async () => {
    const { d } = deps({ tty: true, input: 'y\n', env: { CI: 'true' } });
    await expect(makeCtx({}, d).confirm('Go?')).rejects.toMatchObject({ exitCode: ExitCode.USAGE });
  });

  it('terminal: asks on stderr, y/yes means yes, anything else no', async () => {
    for (const [answer, expected] of [['y\n', true], ['YES\n', true], ['n\n', false], ['\n', false]] as const) {
      const { d, err, out } = deps({ tty: true, input: answer });
      await expect(makeCtx({}, d).confirm('Purge avatars?')).resolves.toBe(expected);
      expect(err()).toContain('Purge avatars? [y/N]');
      expect(out()).toBe('');
    }
  });
});

describe('stdin()', () => {
  it('refuses when the token comes from stdin', async () => {
    const { d } = deps({ input: 'tok-0123456789abcdef' });
    const ctx = makeCtx({ token: '-', url: 'https://a.example' }, d);
    // refused before and after the token was read
    expect(() => ctx.stdin()).toThrow(/stdin cannot carry both/);
    await ctx.connection();
    expect(() => ctx.stdin()).toThrow(/stdin cannot carry both the token and the input/);
  });
  it('hands out stdin otherwise', () => {
    const { d } = deps({ input: '' });
    expect(makeCtx({}, d).stdin()).toBe(d.stdin);
  });
});

describe('action()', () => {
  async function runWith(handler: () => Promise<number | void>, args: string[]) {
    const { d, out, err } = deps({ input: '' });
    // a root with the real global options and only a test command
    const root = createRoot(d);
    root.command('t').action(action(d, async () => handler()));
    const code = await (async () => {
      try {
        await root.parseAsync(args, { from: 'user' });
      } catch {
        return -1;
      }
      return takeExitCode(d) ?? 0;
    })();
    return { code, stdout: out(), stderr: err() };
  }

  it('records the exit code a handler returns', async () => {
    expect((await runWith(async () => ExitCode.CHANGES_PENDING, ['t'])).code).toBe(8);
    expect((await runWith(async () => undefined, ['t'])).code).toBe(0);
  });

  it('--json: a handler that printed nothing still yields one document', async () => {
    const r = await runWith(async () => undefined, ['--json', 't']);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, exitCode: 0 });
  });

  it('a thrown CliError: Error/Hint lines and its exit code', async () => {
    const r = await runWith(async () => {
      throw new CliError('no such user alice', ExitCode.NOT_FOUND, { hint: 'check the spelling' });
    }, ['t']);
    expect(r).toEqual({ code: 5, stdout: '', stderr: 'Error: no such user alice\nHint: check the spelling\n' });
  });

  it('a registered secret never shows in an error', async () => {
    registerSecret('super-secret-token-value-123');
    const r = await runWith(async () => {
      throw new Error('server said: super-secret-token-value-123 is bad; Authorization: Bearer abc.def');
    }, ['t']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('super-secret-token-value-123');
    expect(r.stderr).not.toContain('abc.def');
  });

  it('runCli maps everything to codes without throwing', async () => {
    const { d } = deps({ input: '' });
    await expect(runCli(['--definitely-not-an-option'], d)).resolves.toBe(2);
  });
});

describe('confirm() on a terminal that closes', () => {
  it('end of input without an answer means no', async () => {
    const { d } = deps({ tty: true, input: '' });
    await expect(makeCtx({}, d).confirm('Go?')).resolves.toBe(false);
  });
});
