// setup --blueprint: valid YAML (with authentik's custom tags) that creates the same objects.
import { describe, expect, test } from '@jest/globals';
import yaml from 'js-yaml';
import { defaultPolicyOptions, renderPolicy } from '../../src/policy/render.js';
import { yamlBlock } from '../../src/setup/blueprint.js';
import { STANDIN_VERSIONS } from '../../src/standin/index.js';
import { run } from '../helpers/run.js';
import { withStandin } from '../helpers/standin.js';
import { AVATAR, DEFAULT_FIELDS, DEFAULT_POLICY, POLICY, RESET, STAGE, parseJson, writes } from './helpers.js';

// authentik's tags, kept as {tag: value} so the test can look inside
const TAGS = ['KeyOf', 'Find', 'Context', 'Env', 'Format'].flatMap((name) => [
  new yaml.Type(`!${name}`, { kind: 'scalar', construct: (v: unknown) => ({ [name]: v }) }),
  new yaml.Type(`!${name}`, { kind: 'sequence', construct: (v: unknown) => ({ [name]: v }) }),
]);
const SCHEMA = yaml.DEFAULT_SCHEMA.extend(TAGS);
const load = (text: string): any => yaml.load(text, { schema: SCHEMA });

function checkCommon(bp: any): void {
  expect(bp.version).toBe(1);
  const [a, r, p] = bp.entries;
  expect(a).toEqual({
    model: 'authentik_stages_prompt.prompt',
    id: 'ak-avatars-prompt-avatar',
    identifiers: { name: AVATAR },
    attrs: { field_key: 'attributes.avatar', label: 'Avatar', type: 'file', required: false, order: 205 },
  });
  expect(r.identifiers).toEqual({ name: RESET });
  expect(r.attrs).toMatchObject({ field_key: 'attributes.avatar_reset', type: 'checkbox', order: 206, required: false });
  expect(p.model).toBe('authentik_policies_expression.expressionpolicy');
  expect(p.identifiers).toEqual({ name: POLICY });
  expect(p.attrs.execution_logging).toBe(false);
  // byte for byte the code setup would install
  expect(p.attrs.expression).toBe(renderPolicy(defaultPolicyOptions('inline')));
}

const findPrompt = (name: string) => ({ Find: ['authentik_stages_prompt.prompt', ['name', name]] });

describe('setup --blueprint', () => {
  test('without an instance: authentik defaults, the setting stated as not settable + the command', async () => {
    const r = await run(['setup', '--blueprint'], {});
    expect(r.code).toBe(0);
    const bp = load(r.stdout);
    checkCommon(bp);
    expect(bp.entries[3]).toEqual({
      model: 'authentik_stages_prompt.promptstage',
      identifiers: { name: STAGE },
      attrs: {
        fields: [...DEFAULT_FIELDS.map(findPrompt), { KeyOf: 'ak-avatars-prompt-avatar' }, { KeyOf: 'ak-avatars-prompt-avatar-reset' }],
        validation_policies: [{ Find: ['authentik_policies_expression.expressionpolicy', ['name', DEFAULT_POLICY]] }, { KeyOf: 'ak-avatars-policy' }],
      },
    });
    expect(r.stdout).toMatch(/cannot be set by a blueprint/);
    expect(r.stdout).toContain('ak-avatars setup --avatars attributes.avatar,gravatar,initials');
    expect(r.stderr).toMatch(/Warning: no authentik instance configured/);
  });

  test.each(STANDIN_VERSIONS)('%s: from the live instance, read-only, entries by name', async (version) => {
    const sb = await withStandin({ version, maxPageSize: 2 });
    try {
      sb.standin.state.settings['avatars'] = 'initials';
      const r = await run(['--json', 'setup', '--blueprint', '--flow', 'default-source-enrollment'], { env: sb.env });
      expect(r.code).toBe(0);
      const doc = parseJson(r.stdout);
      expect(doc.avatars).toBe('attributes.avatar,initials');
      expect(doc.settingCommand).toBe('ak-avatars setup --avatars attributes.avatar,initials');
      const bp = load(doc.blueprint);
      checkCommon(bp);
      const stages = bp.entries.slice(3);
      expect(stages.map((e: any) => e.identifiers.name)).toEqual([STAGE, 'default-source-enrollment-prompt']);
      expect(stages[0].attrs.fields.slice(0, 4)).toEqual(DEFAULT_FIELDS.map(findPrompt));
      expect(stages[1].attrs.fields).toEqual([findPrompt('default-source-enrollment-field-username'), { KeyOf: 'ak-avatars-prompt-avatar' }, { KeyOf: 'ak-avatars-prompt-avatar-reset' }]);
      expect(stages[1].attrs.validation_policies).toEqual([{ KeyOf: 'ak-avatars-policy' }]);
      expect(writes(sb.standin)).toEqual([]);
      expect(sb.standin.violations).toEqual([]);
    } finally {
      await sb.close();
    }
  });

  test('after setup, our own entries are referenced by !KeyOf, not duplicated', async () => {
    const sb = await withStandin();
    try {
      expect((await run(['setup'], { env: sb.env })).code).toBe(0);
      const bp = load((await run(['setup', '--blueprint'], { env: sb.env })).stdout);
      expect(bp.entries[3].attrs.fields).toEqual([...DEFAULT_FIELDS.map(findPrompt), { KeyOf: 'ak-avatars-prompt-avatar' }, { KeyOf: 'ak-avatars-prompt-avatar-reset' }]);
    } finally {
      await sb.close();
    }
  });
});

test.each([
  ['plain\ncode\n', 'plain\ncode\n'],
  ['no newline at end', 'no newline at end'],
  ['  leading spaces\nx\n', '  leading spaces\nx\n'],
  ['two trailing\n\n', 'two trailing\n\n'],
  ['a\n\n  b\n\tc # not a comment\n', 'a\n\n  b\n\tc # not a comment\n'],
])('yamlBlock keeps %j byte for byte', (text, want) => {
  const doc = `k:\n  e: ${yamlBlock(text, 4, 2)}\n  after: 1\n`;
  expect(load(doc)).toEqual({ k: { e: want, after: 1 } });
});
