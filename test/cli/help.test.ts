// --help / --version / usage errors. Walks the real command tree, so every command added later is
// checked too: listed in the root help with its description, and its own --help has examples.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { Help } from 'commander';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { createProgram, isPlaceholder } from '../../src/cli/program.js';
import { run } from '../helpers/run.js';

async function tree(): Promise<CommandUnknownOpts> {
  const s = new PassThrough();
  return (await createProgram({ stdout: s, stderr: s, stdin: s, env: {} })) as unknown as CommandUnknownOpts;
}

function allCommands(cmd: CommandUnknownOpts, path: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [[...path, c.name()], ...allCommands(c as CommandUnknownOpts, [...path, c.name()])]);
}

describe('help', () => {
  it('root --help lists every command with its one-line description, examples, env vars and exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const root = await tree();
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
    const paths = allCommands(await tree());
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

// Commands load lazily: the root help is built from the registry's entries (commands/index.ts) without
// loading the command modules. These tests keep the entries honest.
describe('the command registry', () => {
  async function program(args?: string[]) {
    const s = new PassThrough();
    return (await createProgram({ stdout: s, stderr: s, stdin: s, env: {} }, args)) as unknown as CommandUnknownOpts;
  }
  const loadedNames = (root: CommandUnknownOpts) => root.commands.filter((c) => !isPlaceholder(c)).map((c) => c.name());

  it('every entry shows the real command: its term and description as commander prints them', async () => {
    const real = await program();
    expect(real.commands.map((c) => c.name())).toEqual(COMMANDS.map((e) => e.name));
    for (const e of COMMANDS) {
      const cmd = real.commands.find((c) => c.name() === e.name)!;
      expect({ name: e.name, ...e.help }).toEqual({ name: e.name, term: new Help().subcommandTerm(cmd as never), description: cmd.description() });
    }
  });

  it('the root help built from the entries is the root help built from every module', async () => {
    const lazy = await program(['--help']);
    const full = await program();
    expect(loadedNames(lazy)).toEqual([]);
    expect(loadedNames(full)).toEqual(COMMANDS.map((e) => e.name));
    expect(lazy.helpInformation()).toBe(full.helpInformation());
  });

  it.each([
    [['--version'], []],
    [['--json'], []],
    [['whoam'], COMMANDS.map((e) => e.name)],
    [['help', 'whoam'], COMMANDS.map((e) => e.name)],
    [['upload', 'alice', 'a.png', '--size', '64'], ['upload']],
    [['--profile', 'upload', 'whoami'], ['whoami']],
    [['--timeout=5', 'whoami'], ['whoami']],
    [['-vy', '--token-file', 'setup', 'status', '--json'], ['status']],
    [['help', 'teardown'], ['teardown']],
    [['--json', 'help', 'config'], ['config']],
    [['--', 'show', 'alice'], ['show']],
    [['config', 'set', 'whoami'], ['config']],
  ])('%j loads %j', async (args, expected) => {
    expect(loadedNames(await program(args))).toEqual(expected);
  });
});
