// POST /policies/all/{uuid}/test/: runs the expression through src/policy/evaluate.py.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStandin, type Standin } from '../../src/standin/index.js';
import { findEvaluator, hasPython } from '../../src/standin/python.js';
import { api } from './helpers.js';

let s: Standin;
let canRun = false;
beforeAll(async () => {
  s = await startStandin({ version: '2026.8' });
  canRun = findEvaluator() !== null && (await hasPython());
});
afterAll(() => s.close());

async function policy(name: string, expression: string): Promise<string> {
  const r = await api(s, 'POST', 'policies/expression/', { body: { name, expression } });
  expect(r.status).toBe(201);
  return r.body.pk as string;
}

describe('policy test endpoint', () => {
  it('passes or fails with messages, seeing the user and the context', async () => {
    const pk = await policy(
      'check-dept',
      'if request.user.attributes.get("department") != "ops":\n    ak_message("not ops: " + request.user.username)\n    return False\nreturn request.context.get("go") == 1\n',
    );
    const alice = s.state.users.find((u) => u.username === 'alice')!;
    const bob = s.state.users.find((u) => u.username === 'bob')!;
    const ok = await api(s, 'POST', `policies/all/${pk}/test/`, { body: { user: alice.pk, context: { go: 1 } } });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual(['log_messages', 'messages', 'passing']);
    if (!canRun) {
      expect(ok.body.passing).toBe(false);
      expect(ok.body.messages[0]).toMatch(/ak-standin: .* not evaluated/);
      return;
    }
    expect(ok.body).toMatchObject({ passing: true, messages: [] });
    const no = await api(s, 'POST', `policies/all/${pk}/test/`, { body: { user: bob.pk, context: { go: 1 } } });
    expect(no.body).toMatchObject({ passing: false, messages: ['not ops: bob'] });
    const ctx = await api(s, 'POST', `policies/all/${pk}/test/`, { body: { user: alice.pk } });
    expect(ctx.body.passing).toBe(false);
    expect(s.violations).toEqual([]);
  });

  it('an exception fails the policy with its text', async () => {
    const pk = await policy('raises', 'raise ValueError("boom")\n');
    const r = await api(s, 'POST', `policies/all/${pk}/test/`, { body: { user: 1 } });
    expect(r.status).toBe(200);
    expect(r.body.passing).toBe(false);
    if (canRun) expect(r.body.messages).toEqual(['boom']);
  });

  it('validates the request: user is required and must exist; needs view_user', async () => {
    const pk = s.state.policies[0]!.pk;
    const missing = await api(s, 'POST', `policies/all/${pk}/test/`, { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ user: ['This field is required.'] });
    const unknown = await api(s, 'POST', `policies/all/${pk}/test/`, { body: { user: 999 } });
    expect(unknown.body).toEqual({ user: ['Invalid pk "999" - object does not exist.'] });
    s.addToken('policy-viewer', { username: 'carol', permissions: ['authentik_policies.view_policy'] });
    const denied = await api(s, 'POST', `policies/all/${pk}/test/`, { token: 'policy-viewer', body: { user: 1 } });
    expect(denied.status).toBe(403);
    expect((await api(s, 'POST', 'policies/all/00000000-0000-4000-8000-000000000000/test/', { body: { user: 1 } })).body).toEqual({
      detail: 'No Policy matches the given query.',
    });
  });
});
