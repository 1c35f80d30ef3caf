// Adopting hand-made recipe installs, converging after a failure part-way, and permission errors.
import { describe, expect, test } from '@jest/globals';
import { STANDIN_VERSIONS } from '../../src/standin/index.js';
import { run } from '../helpers/run.js';
import { withStandin } from '../helpers/standin.js';
import { AVATAR, DEFAULT_FIELDS, DEFAULT_POLICY, POLICY, RESET, call, parseJson, recipeInstall, stageLists, writes } from './helpers.js';

describe.each(STANDIN_VERSIONS)('authentik %s', (version) => {
  test('adopts recipe 000 (same prompt names, its own policy name and code)', async () => {
    const sb = await withStandin({ version, maxPageSize: 3 });
    const s = sb.standin;
    try {
      const ids = await recipeInstall(s, {
        avatarName: AVATAR,
        resetName: RESET,
        policyName: 'default-user-settings-avatar-authorization',
        order: [205, 206],
        labels: ['User Avatar', 'Delete Avatar'],
      });
      s.state.settings['avatars'] = 'attributes.avatar, gravatar,initials'; // a space authentik would not trim
      let r = await run(['setup', '--dry-run'], { env: sb.env });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('~ adopt policy default-user-settings-avatar-authorization: replace recipe code');
      expect(r.stdout).toContain(`~ update prompt ${AVATAR} (label: User Avatar → Avatar)`);
      expect(r.stdout).toContain('avatars: attributes.avatar, gravatar,initials → attributes.avatar,gravatar,initials');
      r = await run(['setup'], { env: sb.env });
      expect(r.code).toBe(0);
      // same objects, nothing duplicated; the policy renamed and its code replaced
      expect(s.state.prompts.filter((p) => p.field_key.startsWith('attributes.avatar')).map((p) => p.pk).sort()).toEqual([ids.avatar, ids.reset].sort());
      const pol = s.state.policies.find((p) => p.pk === ids.policy)!;
      expect(pol.name).toBe(POLICY);
      expect(pol.expression).toMatch(/^# ak-avatars policy v/m);
      expect(stageLists(s)).toEqual({ fields: [...DEFAULT_FIELDS, AVATAR, RESET], policies: [DEFAULT_POLICY, POLICY] });
      expect(s.state.settings['avatars']).toBe('attributes.avatar,gravatar,initials');
      const w = writes(s).length;
      r = await run(['setup', '--check'], { env: sb.env });
      expect(r.code).toBe(0);
      expect(writes(s).length).toBe(w);
      expect(s.violations).toEqual([]);
    } finally {
      await sb.close();
    }
  });
});

describe('adoption by field key and policy code', () => {
  test('recipe 001 (other names, order 350/351) is adopted, renamed and re-ordered', async () => {
    const sb = await withStandin({ maxPageSize: 2 });
    const s = sb.standin;
    try {
      const ids = await recipeInstall(s, { avatarName: 'foxid-avatar-upload', resetName: 'foxid-avatar-reset', policyName: 'foxid-settings-avatar', order: [350, 351], labels: ['Avatar', 'Reset avatar'] });
      let r = await run(['--json', 'setup', '--dry-run'], { env: sb.env });
      const plan = parseJson(r.stdout).plan;
      expect(plan.actions.slice(0, 3).map((a: any) => `${a.kind} ${a.object} ${a.name}`)).toEqual([
        'adopt prompt foxid-avatar-upload',
        'adopt prompt foxid-avatar-reset',
        'adopt policy foxid-settings-avatar',
      ]);
      expect(plan.actions[0].changes).toEqual(expect.arrayContaining([{ field: 'name', old: 'foxid-avatar-upload', new: AVATAR }, { field: 'order', old: 350, new: 205 }]));
      r = await run(['setup'], { env: sb.env });
      expect(r.code).toBe(0);
      expect(s.state.prompts.find((p) => p.pk === ids.avatar)).toMatchObject({ name: AVATAR, order: 205 });
      expect(s.state.prompts.find((p) => p.pk === ids.reset)).toMatchObject({ name: RESET, order: 206, label: 'Remove avatar' });
      expect(s.state.policies.find((p) => p.pk === ids.policy)!.name).toBe(POLICY);
      expect(stageLists(s)).toEqual({ fields: [...DEFAULT_FIELDS, AVATAR, RESET], policies: [DEFAULT_POLICY, POLICY] });
      expect(s.state.prompts).toHaveLength(7);
      r = await run(['setup', '--check'], { env: sb.env });
      expect(r.code).toBe(0);
    } finally {
      await sb.close();
    }
  });
});

describe('failure part-way', () => {
  test.each(STANDIN_VERSIONS)('%s: a 500 on the stage PATCH, then a re-run converges without duplicates', async (version) => {
    const sb = await withStandin({ version, maxPageSize: 2 });
    const s = sb.standin;
    try {
      s.faults.add({ method: 'PATCH', path: /\/stages\/prompt\/stages\//, kind: 'status', status: 500 });
      let r = await run(['--json', 'setup'], { env: sb.env });
      expect(r.code).toBe(1);
      const doc = parseJson(r.stdout);
      expect(doc.error.message).toMatch(/update prompt stage default-user-settings failed/);
      expect(doc.result.applied.map((a: any) => a.name)).toEqual([AVATAR, RESET, POLICY]);
      expect(r.stderr).toMatch(/re-run/);
      // nothing half-done: the prompts and the policy exist, the stage is untouched
      expect(stageLists(s).fields).toEqual(DEFAULT_FIELDS);
      s.faults.clear();
      r = await run(['setup'], { env: sb.env });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`= unchanged prompt ${AVATAR}`);
      expect(s.state.prompts.filter((p) => p.name === AVATAR)).toHaveLength(1);
      expect(s.state.policies.filter((p) => p.name === POLICY)).toHaveLength(1);
      expect(stageLists(s)).toEqual({ fields: [...DEFAULT_FIELDS, AVATAR, RESET], policies: [DEFAULT_POLICY, POLICY] });
      expect(s.state.settings['avatars']).toBe('attributes.avatar,gravatar,initials');
      expect(s.violations).toEqual([]);
    } finally {
      await sb.close();
    }
  });

  test('an object created by an interrupted run that the look-up missed: POST answers 400, setup adopts it by name', async () => {
    const sb = await withStandin({ maxPageSize: 2 });
    const s = sb.standin;
    try {
      // an earlier run created the policy (its answer never arrived), nothing else
      await call(s, 'POST', 'policies/expression/', { name: POLICY, expression: 'return True\n', execution_logging: true });
      // and this run's look-up by name comes back empty once (e.g. a replica lagging behind)
      s.faults.add({
        method: 'GET',
        path: /\/policies\/expression\/$/,
        kind: 'status',
        status: 200,
        body: { pagination: { next: 0, previous: 0, count: 0, current: 1, total_pages: 1, start_index: 0, end_index: 0 }, results: [] },
        times: 1,
      });
      const r = await run(['setup'], { env: sb.env });
      expect(r.code).toBe(0);
      const pols = s.state.policies.filter((p) => p.name === POLICY);
      expect(pols).toHaveLength(1);
      expect(pols[0]!.expression).toMatch(/^# ak-avatars policy v/m);
      expect(pols[0]!.execution_logging).toBe(false);
      expect(stageLists(s).policies).toEqual([DEFAULT_POLICY, POLICY]);
      expect(s.requests.some((q) => q.method === 'POST' && q.path.endsWith('/policies/expression/') && q.status === 400)).toBe(true);
    } finally {
      await sb.close();
    }
  });
});

describe('permissions', () => {
  const VIEW = [
    'authentik_stages_prompt.view_prompt',
    'authentik_stages_prompt.view_promptstage',
    'authentik_policies_expression.view_expressionpolicy',
    'authentik_flows.view_flow',
    'authentik_flows.view_flowstagebinding',
    'authentik_rbac.view_system_settings',
  ];

  test('a token without add_prompt: exit 4 naming the object and the permission, nothing written', async () => {
    const sb = await withStandin();
    const s = sb.standin;
    try {
      s.addToken('limited-token-1234', { username: 'carol', permissions: VIEW });
      const r = await run(['setup'], { env: { ...sb.env, AUTHENTIK_TOKEN: 'limited-token-1234' } });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/permission denied: creating prompt default-user-settings-field-avatar needs authentik_stages_prompt\.add_prompt/);
      expect(r.stderr).not.toContain('limited-token-1234');
      expect(writes(s).filter((w) => w.status < 400)).toEqual([]);
    } finally {
      await sb.close();
    }
  });

  test('a token that cannot read the settings: exit 4 naming view_system_settings', async () => {
    const sb = await withStandin();
    try {
      sb.standin.addToken('limited-token-5678', { username: 'carol', permissions: VIEW.filter((p) => !p.includes('system_settings')) });
      const r = await run(['setup', '--dry-run'], { env: { ...sb.env, AUTHENTIK_TOKEN: 'limited-token-5678' } });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/reading the system settings needs authentik_rbac\.view_system_settings/);
    } finally {
      await sb.close();
    }
  });

  test('a token that may create but not edit the settings: stops at the setting, re-run with a full token finishes', async () => {
    const sb = await withStandin();
    const s = sb.standin;
    try {
      s.addToken('limited-token-9012', {
        username: 'carol',
        permissions: [...VIEW, 'authentik_stages_prompt.add_prompt', 'authentik_policies_expression.add_expressionpolicy', 'authentik_stages_prompt.change_promptstage'],
      });
      let r = await run(['setup'], { env: { ...sb.env, AUTHENTIK_TOKEN: 'limited-token-9012' } });
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/changing the avatars setting needs authentik_rbac\.edit_system_settings/);
      r = await run(['setup'], { env: sb.env });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('~ update setting avatars');
      expect(stageLists(s).fields).toEqual([...DEFAULT_FIELDS, AVATAR, RESET]);
    } finally {
      await sb.close();
    }
  });
});
