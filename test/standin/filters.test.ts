// Exact filters (?username=, ?email=, ?uuid=, ?name=, ?field_key=, ?slug=, ?target=) vs ?search=.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStandin, type Standin } from '../../src/standin/index.js';
import { api, getAll } from './helpers.js';

let s: Standin;
beforeAll(async () => {
  s = await startStandin({ version: '2026.5', pageSize: 2, maxPageSize: 3 });
});
afterAll(() => s.close());

const usernames = (items: any[]) => items.map((u) => u.username).sort();

describe('user filters', () => {
  it('?username= is exact, ?search= is a case-insensitive contains match over several fields', async () => {
    expect(usernames((await getAll(s, 'core/users/?username=alice')).items)).toEqual(['alice']);
    expect(usernames((await getAll(s, 'core/users/?username=ALICE')).items)).toEqual([]);
    expect(usernames((await getAll(s, 'core/users/?search=ALICE')).items)).toEqual(['alice', 'alice.smith']);
    // search covers name and email too; terms are AND-ed
    expect(usernames((await getAll(s, 'core/users/?search=builder')).items)).toEqual(['bob']);
    expect(usernames((await getAll(s, 'core/users/?search=dave%20admin')).items)).toEqual(['dave.admin']);
  });

  it('?email= is exact and may match several users', async () => {
    expect(usernames((await getAll(s, 'core/users/?email=dave@example.com')).items)).toEqual(['dave', 'dave.admin']);
    expect(usernames((await getAll(s, 'core/users/?email=dave@example')).items)).toEqual([]);
  });

  it('?uuid= is exact, accepts any case, and rejects a malformed uuid with 400', async () => {
    const carol = s.state.users.find((u) => u.username === 'carol')!;
    expect(usernames((await getAll(s, `core/users/?uuid=${carol.uuid.toUpperCase()}`)).items)).toEqual(['carol']);
    const bad = await api(s, 'GET', 'core/users/?uuid=not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ uuid: ['Enter a valid UUID.'] });
  });

  it('include_groups=false nulls groups_obj', async () => {
    const r = await api(s, 'GET', 'core/users/?username=akadmin&include_groups=false');
    expect(r.body.results[0].groups_obj).toBeNull();
    const r2 = await api(s, 'GET', 'core/users/?username=akadmin');
    expect(r2.body.results[0].groups_obj.map((g: any) => g.name)).toEqual(['authentik Admins']);
    expect(r2.body.results[0].is_superuser).toBe(true);
  });

  it('unknown ids answer DRF 404s', async () => {
    expect((await api(s, 'GET', 'core/users/999/')).body).toEqual({ detail: 'No User matches the given query.' });
    expect((await api(s, 'GET', 'core/users/abc/')).status).toBe(404);
    expect((await api(s, 'GET', 'stages/prompt/prompts/00000000-0000-4000-8000-000000000000/')).body).toEqual({
      detail: 'No Prompt matches the given query.',
    });
  });
});

describe('object filters', () => {
  it('prompts: ?name= and ?field_key= are exact', async () => {
    const byKey = (await getAll(s, 'stages/prompt/prompts/?field_key=username')).items.map((p: any) => p.name).sort();
    expect(byKey).toEqual(['default-source-enrollment-field-username', 'default-user-settings-field-username']);
    expect((await getAll(s, 'stages/prompt/prompts/?field_key=user')).items).toEqual([]);
    expect((await getAll(s, 'stages/prompt/prompts/?search=USER')).items.length).toBe(5);
    const byName = (await getAll(s, 'stages/prompt/prompts/?name=default-user-settings-field-email')).items;
    expect(byName.map((p: any) => [p.field_key, p.order])).toEqual([['email', 202]]);
    expect(byName[0].prompt_stages_obj.map((st: any) => st.name)).toEqual(['default-user-settings']);
  });

  it('stages and policies: ?name= is exact', async () => {
    expect((await getAll(s, 'stages/prompt/stages/?name=default-user')).items).toEqual([]);
    expect((await getAll(s, 'stages/prompt/stages/?search=default-user')).items.map((x: any) => x.name)).toEqual(['default-user-settings']);
    expect((await getAll(s, 'policies/expression/?name=default-user-settings-authorization')).items).toHaveLength(1);
    expect((await getAll(s, 'policies/expression/?name=default-user-settings')).items).toHaveLength(0);
  });

  it('flows: ?slug= / ?designation=, detail by slug; bindings by ?target=', async () => {
    const flows = (await getAll(s, 'flows/instances/?slug=default-source-enrollment')).items;
    expect(flows).toHaveLength(1);
    expect((await getAll(s, 'flows/instances/?slug=default-source')).items).toHaveLength(0);
    expect((await getAll(s, 'flows/instances/?designation=stage_configuration')).items.map((f: any) => f.slug)).toEqual([
      'default-user-settings-flow',
    ]);
    expect((await api(s, 'GET', 'flows/instances/nope/')).body).toEqual({ detail: 'No Flow matches the given query.' });
    const bindings = (await getAll(s, `flows/bindings/?target=${flows[0].pk}`)).items;
    expect(bindings.map((b: any) => [b.order, b.stage_obj.meta_model_name])).toEqual([
      [0, 'authentik_stages_prompt.promptstage'],
      [1, 'authentik_stages_user_write.userwritestage'],
      [2, 'authentik_stages_user_login.userloginstage'],
    ]);
    expect(bindings.every((b: any) => b.target === flows[0].pk)).toBe(true);
    expect(s.violations).toEqual([]);
  });
});
