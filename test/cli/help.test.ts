// --help / --version / usage errors. Walks the real command tree, so every command added later is
// checked too: listed in the root help with its description, and its own --help has examples.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { createProgram } from '../../src/cli/program.js';
import { run } from '../helpers/run.js';

function tree(): CommandUnknownOpts {
  const s = new PassThrough();
  return createProgram({ stdout: s, stderr: s, stdin: s, env: {} }) as unknown as CommandUnknownOpts;
}

function allCommands(cmd: CommandUnknownOpts, path: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [[...path, c.name()], ...allCommands(c as CommandUnknownOpts, [...path, c.name()])]);
}

describe('help', () => {
  it('root --help lists every command with its one-line description, examples, env vars and exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const root = tree();
    expect(root.commands.length).toBeGreaterThanOrEqual(3);
    for (const c of root.commands) {
      const desc = c.description().split('\n')[0]!;
      expect(desc.length).toBeGreaterThan(10);
      // commander wraps long descriptions: compare whitespace-insensitively
      const flat = r.stdout.replace(/\s+/g, ' ');
      expect(flat).toMatch(new RegExp(`\\b${c.name()}\\b[^\\n]*? ${desc.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, ' ')}`));
    }
    expect(r.stdout).toMatch(/Examples:\n(.*\n)*\s+\$ ak-avatars whoami/);
    expect(r.stdout).toMatch(/AUTHENTIK_URL/);
    expect(r.stdout).toMatch(/AUTHENTIK_TOKEN/);
    expect(r.stdout).toMatch(/AK_AVATARS_PROFILE/);
    expect(r.stdout).toMatch(/Exit codes: 0 ok, 1 error, 2 usage, 3 cancelled, 4 .*, 5 not found, 8 changes pending/);
  });

  it('every command has --help with examples', async () => {
    const paths = allCommands(tree());
    expect(paths).toEqual(expect.arrayContaining([['whoami'], ['sandbox'], ['config'], ['config', 'set'], ['config', 'list']]));
    for (const p of paths) {
      const r = await run([...p, '--help']);
      expect({ p, code: r.code }).toEqual({ p, code: 0 });
      expect({ p, ok: /Examples:\n\s+(# .*\n\s+)?\$ .*ak-avatars /.test(r.stdout) }).toEqual({ p, ok: true });
    }
  });

  it('`help <command>` works like <command> --help', async () => {
    const a = await run(['help', 'whoami']);
    const b = await run(['whoami', '--help']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('--version prints the package.json version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await run([flag]);
      expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    }
  });

  it('no arguments: help on stderr, exit 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: ak-avatars /);
  });

  it('a command group without a subcommand: its help, exit 2', async () => {
    const r = await run(['config']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Usage: ak-avatars config /);
  });
});

describe('usage errors exit 2 with one Error line and a hint', () => {
  it.each([
    [['whoam'], /^Error: unknown command 'whoam'\nHint: Did you mean whoami\? Run 'ak-avatars --help' for usage\n$/],
    [['--frobnicate', 'whoami'], /^Error: unknown option '--frobnicate'\nHint: run 'ak-avatars whoami --help' for usage\n$/],
    [['--timeout', 'abc', 'whoami'], /^Error: option '--timeout <ms>' argument 'abc' is invalid\. must be a positive integer\nHint: run 'ak-avatars whoami --help' for usage\n$/],
    [['config', 'use'], /^Error: missing required argument 'name'\nHint: run 'ak-avatars config use --help' for usage\n$/],
    [['sandbox', '--authentik-version', '2019.1'], /^Error: option .* argument '2019\.1' is invalid\. Allowed choices are 2025\.10, .*\nHint: run 'ak-avatars sandbox --help'/],
  ])('%j', async (args, re) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(re);
  });

  it('under --json a usage error is also a JSON document on stdout', async () => {
    const r = await run(['--json', 'whoami', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { message: "unknown option '--frobnicate'", exitCode: 2, hint: "run 'ak-avatars whoami --help' for usage" },
    });
    expect(r.stderr).toMatch(/^Error: unknown option '--frobnicate'\n/);
  });

  it('global options work before and after the command', async () => {
    const a = await run(['--json', 'config', 'list']);
    const b = await run(['config', 'list', '--json']);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ profiles: [] });
    expect(JSON.parse(b.stdout)).toMatchObject({ profiles: [] });
  });
});

describe('--json without a command', () => {
  it('still prints one JSON error document', async () => {
    for (const args of [['--json'], ['--json', 'config']]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout)).toMatchObject({ error: { exitCode: 2, message: expect.stringMatching(/a command is required/) } });
    }
  });
});
