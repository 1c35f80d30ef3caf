import { describe, expect, test } from '@jest/globals';
import { run } from '../helpers/run.js';

describe('per-user commands: --help', () => {
  test.each(['upload', 'crop', 'reset', 'show'])('%s --help has a description and examples, exit 0', async (cmd) => {
    const r = await run([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Usage: ak-avatars ${cmd} \\[options\\] <user>`));
    expect(r.stdout).toMatch(/Examples:\n/);
    expect(r.stdout).toMatch(new RegExp(`\\$ ak-avatars (--json )?${cmd} `));
    expect(r.stdout).toMatch(/--by <field>/);
  });

  test('the root help lists them', async () => {
    const r = await run(['--help']);
    for (const cmd of ['upload', 'crop', 'reset', 'show']) expect(r.stdout).toMatch(new RegExp(`\\n\\s+${cmd} `));
  });

  test('a missing user argument is a usage error', async () => {
    const r = await run(['show']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: missing required argument 'user'/);
  });
});
