import { describe, expect, test } from '@jest/globals';
import { run } from '../helpers/run.js';

describe('per-user commands: --help', () => {
  test.each([
    ['upload', '<user>'],
    ['crop', '\\[user\\]'],
    ['reset', '<user>'],
    ['show', '<user>'],
    ['sync', '<dir>'],
  ])('%s --help has a description and examples, exit 0', async (cmd, arg) => {
    const r = await run([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Usage: ak-avatars ${cmd} \\[options\\] ${arg}`));
    expect(r.stdout).toMatch(/Examples:\n/);
    expect(r.stdout).toMatch(new RegExp(`\\$ ak-avatars (--json )?${cmd} `));
    expect(r.stdout).toMatch(/--by <field>/);
  });

  test('the shared options are declared once and offered alike', async () => {
    const opts = async (cmd: string) => (await run([cmd, '--help'])).stdout.match(/^ {2}--[a-z-]+/gm)?.map((s) => s.trim()) ?? [];
    const image = ['--size', '--format', '--quality', '--position', '--background'];
    const store = ['--store', '--store-dir', '--public-url'];
    for (const cmd of ['upload', 'crop', 'sync']) expect(await opts(cmd)).toEqual(expect.arrayContaining([...image, ...store, '--dry-run']));
    for (const cmd of ['crop', 'sync']) expect(await opts(cmd)).toEqual(expect.arrayContaining(['--check', '--concurrency']));
    for (const cmd of ['reset', 'show']) expect(await opts(cmd)).toEqual(expect.arrayContaining(['--store-dir', '--public-url']));
  });

  test('the root help lists them', async () => {
    const r = await run(['--help']);
    for (const cmd of ['upload', 'crop', 'reset', 'show', 'sync']) expect(r.stdout).toMatch(new RegExp(`\\n\\s+${cmd} `));
  });

  test('a missing user argument is a usage error', async () => {
    const r = await run(['show']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: missing required argument 'user'/);
  });
});
