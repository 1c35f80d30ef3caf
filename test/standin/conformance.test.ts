// Every version: the seeded GETs the CLI makes conform to that version's real OpenAPI schema.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { STANDIN_VERSIONS, startStandin, type Standin } from '../../src/standin/index.js';
import { api, getAll } from './helpers.js';

const FULL: Record<string, string> = {
  '2025.10': '2025.10.4',
  '2025.12': '2025.12.6',
  '2026.2': '2026.2.0',
  '2026.5': '2026.5.6',
  '2026.8': '2026.8.3',
};

describe.each(STANDIN_VERSIONS)('authentik %s', (version) => {
  let s: Standin;
  beforeAll(async () => {
    s = await startStandin({ version, pageSize: 2, maxPageSize: 3 });
  });
  afterAll(() => s.close());

  it('reports the full version of the schema package', async () => {
    const r = await api(s, 'GET', 'admin/version/');
    expect(r.status).toBe(200);
    expect(r.body.version_current).toBe(FULL[version]);
    expect(s.version).toBe(FULL[version]);
  });

  it('serves every seeded read the CLI uses without a schema violation', async () => {
    const user = (await api(s, 'GET', 'core/users/?username=alice')).body.results[0];
    const stage = (await api(s, 'GET', 'stages/prompt/stages/?name=default-user-settings')).body.results[0];
    const flow = (await api(s, 'GET', 'flows/instances/?slug=default-user-settings-flow')).body.results[0];
    const prompt = (await api(s, 'GET', 'stages/prompt/prompts/?name=default-user-settings-field-email')).body.results[0];
    const policy = (await api(s, 'GET', 'policies/expression/?name=default-user-settings-authorization')).body.results[0];
    const paths = [
      'admin/version/',
      'admin/settings/',
      'core/brands/current/',
      'core/users/me/',
      'core/users/?include_groups=false',
      `core/users/${user.pk}/`,
      'flows/instances/?designation=enrollment',
      `flows/instances/${flow.slug}/`,
      `flows/bindings/?target=${flow.pk}`,
      'stages/prompt/stages/',
      `stages/prompt/stages/${stage.pk}/`,
      'stages/prompt/prompts/',
      `stages/prompt/prompts/${prompt.pk}/`,
      'policies/expression/',
      `policies/expression/${policy.pk}/`,
    ];
    for (const p of paths) {
      const r = await api(s, 'GET', p);
      expect([p, r.status]).toEqual([p, 200]);
    }
    // walk every page of every list too
    for (const list of ['core/users/', 'flows/instances/', 'flows/bindings/', 'stages/prompt/prompts/', 'policies/expression/']) {
      await getAll(s, list);
    }
    expect(s.violations).toEqual([]);
  });

  it('the user settings flow has the default prompt stage with its four prompts and policy', async () => {
    const brand = (await api(s, 'GET', 'core/brands/current/', { token: null })).body;
    expect(brand.flow_user_settings).toBe('default-user-settings-flow');
    const flow = (await api(s, 'GET', 'flows/instances/default-user-settings-flow/')).body;
    expect(flow.designation).toBe('stage_configuration');
    const { items: bindings } = await getAll(s, `flows/bindings/?target=${flow.pk}`);
    const promptBindings = bindings.filter((b: any) => b.stage_obj.meta_model_name === 'authentik_stages_prompt.promptstage');
    expect(promptBindings.map((b: any) => b.stage_obj.name)).toEqual(['default-user-settings']);
    expect(bindings.map((b: any) => b.order)).toEqual([20, 100]);
    const stage = (await api(s, 'GET', `stages/prompt/stages/${promptBindings[0].stage}/`)).body;
    const names: string[] = [];
    for (const pk of stage.fields) names.push((await api(s, 'GET', `stages/prompt/prompts/${pk}/`)).body.name);
    expect(names).toEqual(['username', 'name', 'email', 'locale'].map((n) => `default-user-settings-field-${n}`));
    const policies = [];
    for (const pk of stage.validation_policies) policies.push((await api(s, 'GET', `policies/expression/${pk}/`)).body.name);
    expect(policies).toEqual(['default-user-settings-authorization']);
    const { items: enrollment } = await getAll(s, 'flows/instances/?designation=enrollment');
    expect(enrollment.map((f: any) => f.slug)).toContain('default-source-enrollment');
    expect(s.violations).toEqual([]);
  });

  it('settings carry the avatars field', async () => {
    const r = await api(s, 'GET', 'admin/settings/');
    expect(r.body.avatars).toBe('gravatar,initials');
    expect('pagination_max_page_size' in r.body).toBe(version !== '2025.10');
  });

  it(`the files API ${version === '2025.10' ? 'is missing (the 404 page)' : 'exists'}`, async () => {
    const r = await api(s, 'GET', 'admin/file/');
    if (version === '2025.10') {
      // an unrouted URL: Django's handler404 page, not DRF JSON
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(r.text).toContain('Not Found');
    } else {
      expect(r.status).toBe(200);
      expect(r.body).toEqual([]);
    }
    expect(s.violations).toEqual([]);
  });
});

describe('response checking', () => {
  it('reports a response that breaks the schema as a violation', async () => {
    const s = await startStandin({ version: '2026.8' });
    try {
      // corrupt the live state the way a stand-in bug would
      (s.state.users[2] as any).username = 42; // alice, not the token owner
      const r = await api(s, 'GET', `core/users/${s.state.users[2]!.pk}/`);
      expect(r.status).toBe(200);
      expect(s.violations.length).toBeGreaterThan(0);
      expect(s.violations.join('\n')).toMatch(/GET \/core\/users\/\{id\}\/ 200: \/username/);
    } finally {
      await s.close();
    }
  });

  it('can run without schema checking', async () => {
    const s = await startStandin({ version: '2025.10', schemaCheck: false });
    try {
      (s.state.users[2] as any).username = 42; // alice, not the token owner
      expect((await api(s, 'GET', 'core/users/')).status).toBe(200);
      expect(s.violations).toEqual([]);
      // the version gate still works without the schema
      expect((await api(s, 'GET', 'admin/file/')).status).toBe(404);
    } finally {
      await s.close();
    }
  });
});
