// Bearer token auth and RBAC permissions with authentik's 403 texts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStandin, type Standin } from '../../src/standin/index.js';
import { api } from './helpers.js';

let s: Standin;
beforeAll(async () => {
  s = await startStandin({ version: '2026.8', token: 'admin-token' });
});
afterAll(() => s.close());

describe('authentication', () => {
  it('uses the given superuser token', async () => {
    expect(s.token).toBe('admin-token');
    const me = await api(s, 'GET', 'core/users/me/');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ username: 'akadmin', is_superuser: true });
    expect(me.body.users).toHaveLength(1);
  });

  it('answers 403 "Token invalid/expired" for a wrong token (not 401)', async () => {
    const r = await api(s, 'GET', 'core/users/me/', { token: 'wrong' });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ detail: 'Token invalid/expired' });
  });

  it('answers 403 "Authentication credentials were not provided." without a header', async () => {
    const r = await api(s, 'GET', 'admin/version/', { token: null });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  it('rejects other schemes and an empty bearer', async () => {
    const basic = await api(s, 'GET', 'admin/version/', { token: null, headers: { Authorization: 'Basic abc' } });
    expect(basic.body).toEqual({ detail: 'Unsupported authentication type' });
    expect(basic.status).toBe(403);
  });

  it('a wrong token fails even on public endpoints; no token is fine there', async () => {
    expect((await api(s, 'GET', 'core/brands/current/', { token: null })).status).toBe(200);
    expect((await api(s, 'GET', 'core/brands/current/', { token: 'wrong' })).status).toBe(403);
  });

  it('a token of an inactive user is invalid', async () => {
    s.addToken('erin-token', { username: 'erin' }); // erin is seeded inactive
    expect((await api(s, 'GET', 'admin/version/', { token: 'erin-token' })).body).toEqual({ detail: 'Token invalid/expired' });
  });
});

describe('permissions', () => {
  beforeAll(() => {
    s.addToken('reader', { username: 'carol', permissions: ['authentik_core.view_user', 'authentik_stages_prompt.view_prompt'] });
    s.addToken('nobody', { username: 'svc-new' }); // creates the user
  });

  it('a non-superuser needs the codename for each action', async () => {
    expect((await api(s, 'GET', 'core/users/', { token: 'reader' })).status).toBe(200);
    expect((await api(s, 'GET', 'stages/prompt/prompts/', { token: 'reader' })).status).toBe(200);
    const denied = await api(s, 'PATCH', 'core/users/3/', { token: 'reader', body: { attributes: {} } });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect((await api(s, 'GET', 'admin/settings/', { token: 'reader' })).status).toBe(403);
    expect((await api(s, 'POST', 'stages/prompt/prompts/', { token: 'reader', body: {} })).status).toBe(403);
    expect((await api(s, 'GET', 'flows/instances/', { token: 'reader' })).status).toBe(403);
    // any authenticated user may read the version and themselves
    expect((await api(s, 'GET', 'admin/version/', { token: 'nobody' })).status).toBe(200);
    const me = await api(s, 'GET', 'core/users/me/', { token: 'reader' });
    expect(me.body.user.username).toBe('carol');
    expect(me.body.user.system_permissions).toEqual(['authentik_core.view_user', 'authentik_stages_prompt.view_prompt']);
  });

  it('checks permissions before validating the body', async () => {
    const r = await api(s, 'POST', 'policies/expression/', { token: 'nobody', body: { nonsense: true } });
    expect(r.status).toBe(403);
  });

  it('unknown endpoints and methods', async () => {
    expect((await api(s, 'GET', 'no/such/thing/')).status).toBe(404);
    const r = await api(s, 'DELETE', 'admin/version/');
    expect(r.status).toBe(405);
    expect(r.body).toEqual({ detail: 'Method "DELETE" not allowed.' });
    const noSlash = await api(s, 'GET', 'admin/version');
    expect(noSlash.status).toBe(301);
    expect(noSlash.headers.get('location')).toBe('/api/v3/admin/version/');
    expect(s.violations).toEqual([]);
  });
});
