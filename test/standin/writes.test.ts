// Writes: unique names, whole-replacement PATCH semantics, request validation.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { STANDIN_VERSIONS, startStandin, type Standin } from '../../src/standin/index.js';
import { hasPython } from '../../src/standin/python.js';
import { api } from './helpers.js';

describe.each(STANDIN_VERSIONS)('writes on %s', (version) => {
  let s: Standin;
  beforeAll(async () => {
    s = await startStandin({ version, pageSize: 3, maxPageSize: 3 });
  });
  afterAll(() => s.close());

  const newPrompt = (name: string) => ({
    name,
    field_key: 'attributes.avatar',
    label: 'Avatar',
    type: 'file',
    required: false,
    order: 205,
  });

  it('creates a prompt (201) and refuses a second one with the same name (400)', async () => {
    const created = await api(s, 'POST', 'stages/prompt/prompts/', { body: newPrompt('avatar-upload') });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'avatar-upload', type: 'file', order: 205, required: false, prompt_stages_obj: [] });
    const dup = await api(s, 'POST', 'stages/prompt/prompts/', { body: newPrompt('avatar-upload') });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ name: ['Prompt with this name already exists.'] });
    expect(s.violations).toEqual([]);
  });

  it('policy names are unique across policies; prompt stage names use the explicit UniqueValidator text', async () => {
    const dupPolicy = await api(s, 'POST', 'policies/expression/', {
      body: { name: 'default-user-settings-authorization', expression: 'return True' },
    });
    expect(dupPolicy.status).toBe(400);
    expect(dupPolicy.body).toEqual({ name: ['Policy with this name already exists.'] });
    const stage = s.state.stages.find((x) => x.name === 'default-user-settings')!;
    const dupStage = await api(s, 'POST', 'stages/prompt/stages/', { body: { name: 'default-user-settings', fields: stage.fields } });
    expect(dupStage.status).toBe(400);
    expect(dupStage.body).toEqual({ name: ['This field must be unique.'] });
    expect(s.violations).toEqual([]);
  });

  it('PATCH on a user replaces attributes whole (no merge)', async () => {
    const alice = (await api(s, 'GET', 'core/users/?username=alice')).body.results[0];
    expect(alice.attributes).toMatchObject({ department: 'ops', settings: { locale: 'en' } });
    const r = await api(s, 'PATCH', `core/users/${alice.pk}/`, { body: { attributes: { avatar: 'data:image/png;base64,AAAA' } } });
    expect(r.status).toBe(200);
    expect(r.body.attributes).toEqual({ avatar: 'data:image/png;base64,AAAA' });
    const again = (await api(s, 'GET', `core/users/${alice.pk}/`)).body;
    expect(again.attributes).toEqual({ avatar: 'data:image/png;base64,AAAA' });
    expect(again.name).toBe('Alice Example'); // untouched fields stay
    expect(s.violations).toEqual([]);
  });

  it('PATCH on a prompt stage replaces fields and validation_policies whole', async () => {
    const stage = (await api(s, 'GET', 'stages/prompt/stages/?name=default-user-settings')).body.results[0];
    expect(stage.fields).toHaveLength(4);
    const extra = (await api(s, 'POST', 'stages/prompt/prompts/', { body: newPrompt('avatar-m2m') })).body;
    // sending only the new prompt drops the four defaults: that is authentik's semantics
    const r = await api(s, 'PATCH', `stages/prompt/stages/${stage.pk}/`, { body: { fields: [extra.pk] } });
    expect(r.status).toBe(200);
    expect(r.body.fields).toEqual([extra.pk]);
    expect(r.body.validation_policies).toEqual(stage.validation_policies); // not sent -> unchanged
    const appended = await api(s, 'PATCH', `stages/prompt/stages/${stage.pk}/`, {
      body: { fields: [...stage.fields, extra.pk], validation_policies: [] },
    });
    expect(appended.body.fields).toEqual([...stage.fields, extra.pk]); // list order is kept
    expect(appended.body.validation_policies).toEqual([]);
    const prompt = (await api(s, 'GET', `stages/prompt/prompts/${extra.pk}/`)).body;
    expect(prompt.prompt_stages_obj.map((x: any) => x.name)).toEqual(['default-user-settings']);
    const missing = await api(s, 'PATCH', `stages/prompt/stages/${stage.pk}/`, {
      body: { fields: ['00000000-0000-4000-8000-000000000000'] },
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ fields: ['Invalid pk "00000000-0000-4000-8000-000000000000" - object does not exist.'] });
    expect(s.violations).toEqual([]);
  });

  it('a body that breaks the schema answers 400 with DRF field errors; unknown fields are ignored', async () => {
    const r = await api(s, 'POST', 'stages/prompt/prompts/', { body: { name: 'x', field_key: 'k', label: 'L', type: 'no-such-type' } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ type: ['"no-such-type" is not a valid choice.'] });
    const missing = await api(s, 'POST', 'policies/expression/', { body: { expression: 'return True' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ name: ['This field is required.'] });
    const wrongType = await api(s, 'PATCH', `core/users/${s.state.users[3]!.pk}/`, { body: { attributes: 'nope' } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toEqual({ attributes: ['Value must be a dictionary, and not have any duplicate keys.'] });
    const ignored = await api(s, 'PATCH', `core/users/${s.state.users[3]!.pk}/`, { body: { name: 'Alice S.', no_such_field: 1, avatar: 'x' } });
    expect(ignored.status).toBe(200);
    expect(ignored.body.name).toBe('Alice S.');
    expect(ignored.body).not.toHaveProperty('no_such_field');
    const notJson = await api(s, 'PATCH', `core/users/${s.state.users[3]!.pk}/`, { body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.detail).toMatch(/^JSON parse error - /);
    expect(s.violations).toEqual([]);
  });

  it('creates, updates and deletes an expression policy', async () => {
    const c = await api(s, 'POST', 'policies/expression/', { body: { name: 'avatar-policy', expression: 'return True\n', execution_logging: false } });
    expect(c.status).toBe(201);
    const u = await api(s, 'PATCH', `policies/expression/${c.body.pk}/`, { body: { expression: 'return False\n' } });
    expect(u.body.expression).toBe('return False\n');
    expect((await api(s, 'DELETE', `policies/expression/${c.body.pk}/`)).status).toBe(204);
    expect((await api(s, 'GET', `policies/expression/${c.body.pk}/`)).status).toBe(404);
    expect(s.violations).toEqual([]);
  });
});

describe('the same 400s without the schema check (end-user install)', () => {
  it('validates in the handlers with the same DRF texts', async () => {
    const s = await startStandin({ version: '2026.8', schemaCheck: false });
    try {
      const r = await api(s, 'POST', 'stages/prompt/prompts/', { body: { name: 'x', field_key: 'k', label: 'L', type: 'no-such-type' } });
      expect([r.status, r.body]).toEqual([400, { type: ['"no-such-type" is not a valid choice.'] }]);
      const m = await api(s, 'POST', 'policies/expression/', { body: { expression: 'return True' } });
      expect([m.status, m.body]).toEqual([400, { name: ['This field is required.'] }]);
      const a = await api(s, 'PATCH', 'core/users/3/', { body: { attributes: [] } });
      expect([a.status, a.body]).toEqual([400, { attributes: ['Value must be a dictionary, and not have any duplicate keys.'] }]);
      const f = await api(s, 'POST', 'stages/prompt/stages/', { body: { name: 'empty', fields: [] } });
      expect([f.status, f.body]).toEqual([400, { fields: ['This list may not be empty.'] }]);
    } finally {
      await s.close();
    }
  });
});

describe('expression syntax check', () => {
  let s: Standin;
  beforeAll(async () => {
    s = await startStandin({ version: '2026.8' });
  });
  afterAll(() => s.close());

  it('rejects a policy whose expression does not compile, like authentik', async () => {
    if (!(await hasPython())) return; // documented: without python3 the check is skipped
    const r = await api(s, 'POST', 'policies/expression/', { body: { name: 'broken', expression: 'return (\n' } });
    expect(r.status).toBe(400);
    expect(r.body.expression[0]).toMatch(/^Expression Syntax Error: .*\(temp-policy, line \d+\)$/);
    const fine = await api(s, 'POST', 'policies/expression/', { body: { name: 'fine', expression: 'x = 1\nreturn x == 1\n' } });
    expect(fine.status).toBe(201);
  });
});
