// Fault injection: status (429 + Retry-After, 500), connection reset, latency, times, after,
// drop-response (applied, answer lost).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startStandin, type Standin } from '../../src/standin/index.js';
import { api } from './helpers.js';

let s: Standin;
beforeAll(async () => {
  s = await startStandin({ version: '2026.8' });
});
afterEach(() => s.faults.clear());
afterAll(() => s.close());

describe('faults', () => {
  it('429 with Retry-After, only `times` times, then normal answers', async () => {
    s.faults.add({ method: 'GET', path: 'core/users/me/', kind: 'status', status: 429, retryAfter: 3, times: 2 });
    const a = await api(s, 'GET', 'core/users/me/');
    expect(a.status).toBe(429);
    expect(a.headers.get('retry-after')).toBe('3');
    expect(a.body).toEqual({ detail: 'Request was throttled. Expected available in 3 seconds.' });
    expect((await api(s, 'GET', 'core/users/me/')).status).toBe(429);
    expect((await api(s, 'GET', 'core/users/me/')).status).toBe(200);
  });

  it('matches method and path: other methods and paths are untouched', async () => {
    s.faults.add({ method: 'PATCH', path: '/api/v3/admin/settings/', kind: 'status', status: 500 });
    expect((await api(s, 'GET', 'admin/settings/')).status).toBe(200);
    const r = await api(s, 'PATCH', 'admin/settings/', { body: { avatars: 'initials' } });
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ detail: 'Internal Server Error' });
    expect(s.state.settings['avatars']).toBe('gravatar,initials'); // the write never happened
  });

  it('a RegExp path and a custom body', async () => {
    s.faults.add({ path: /\/stages\/prompt\//, kind: 'status', status: 503, body: { detail: 'maintenance' }, times: 1 });
    const r = await api(s, 'GET', 'stages/prompt/prompts/');
    expect([r.status, r.body]).toEqual([503, { detail: 'maintenance' }]);
  });

  it('resets the connection', async () => {
    s.faults.add({ path: 'admin/version/', kind: 'reset', times: 1 });
    const err = await api(s, 'GET', 'admin/version/').then(
      () => null,
      (e: Error) => e,
    );
    // fetch's TypeError comes from another realm under jest's vm modules: check by shape
    expect(err?.message).toBe('fetch failed');
    const cause = (err as Error & { cause?: { code?: string } }).cause;
    expect(cause?.code).toBe('ECONNRESET');
    expect((await api(s, 'GET', 'admin/version/')).status).toBe(200);
    const rec = s.requests.filter((r) => r.path === '/api/v3/admin/version/');
    expect(rec.map((r) => r.status)).toEqual([0, 200]);
  });

  it('adds latency', async () => {
    s.faults.add({ path: 'admin/version/', kind: 'latency', ms: 150, times: 1 });
    const t0 = Date.now();
    expect((await api(s, 'GET', 'admin/version/')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const t1 = Date.now();
    await api(s, 'GET', 'admin/version/');
    expect(Date.now() - t1).toBeLessThan(140);
  });

  it('after: N lets the first N matching requests through, then fires `times` times', async () => {
    // the read-back after a successful PATCH is the second GET of the same path
    s.faults.add({ method: 'GET', path: 'core/users/3/', kind: 'status', status: 503, after: 1, times: 1 });
    expect((await api(s, 'GET', 'core/users/3/')).status).toBe(200);
    // other methods and paths do not count towards `after`
    expect((await api(s, 'PATCH', 'core/users/3/', { body: { name: 'Alice Renamed' } })).status).toBe(200);
    expect((await api(s, 'GET', 'core/users/4/')).status).toBe(200);
    const readBack = await api(s, 'GET', 'core/users/3/');
    expect([readBack.status, readBack.body]).toEqual([503, { detail: 'Service Unavailable' }]);
    expect((await api(s, 'GET', 'core/users/3/')).status).toBe(200); // times: 1 used up
  });

  it('after counts matching requests answered by an earlier fault too', async () => {
    s.faults.add({ path: 'admin/version/', kind: 'status', status: 500, times: 1 });
    s.faults.add({ path: 'admin/version/', kind: 'status', status: 429, after: 2, times: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api(s, 'GET', 'admin/version/')).status);
    // request 1 is the 500 and already counts as the first of the two let through
    expect(statuses).toEqual([500, 200, 429, 200]);
  });

  it('drop-response applies the write, then resets the connection instead of answering', async () => {
    const before = s.requests.length;
    s.faults.add({ method: 'PATCH', path: 'admin/settings/', kind: 'drop-response', times: 1 });
    const err = await api(s, 'PATCH', 'admin/settings/', { body: { avatars: 'attributes.avatar,initials' } }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toBe('fetch failed');
    expect((err as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNRESET');
    // the PATCH went through: the state and a read-back show it
    expect(s.state.settings['avatars']).toBe('attributes.avatar,initials');
    expect((await api(s, 'GET', 'admin/settings/')).body.avatars).toBe('attributes.avatar,initials');
    const [patch, get] = s.requests.slice(before);
    expect(patch).toEqual({ method: 'PATCH', path: '/api/v3/admin/settings/', query: '', status: 0, dropped: 200 });
    expect(get).toMatchObject({ method: 'GET', status: 200 });
    expect(get).not.toHaveProperty('dropped');
    s.state.settings['avatars'] = 'gravatar,initials';
    expect(s.violations).toEqual([]);
  });

  it('drop-response on a create: the object exists exactly once although the client saw no answer', async () => {
    s.faults.add({ method: 'POST', path: 'policies/expression/', kind: 'drop-response', times: 1 });
    const body = { name: 'dropped-create', expression: 'return True\n' };
    await expect(api(s, 'POST', 'policies/expression/', { body })).rejects.toThrow('fetch failed');
    expect(s.state.policies.filter((p) => p.name === 'dropped-create')).toHaveLength(1);
    // a blind retry now meets the unique name: why the client never repeats a POST blindly
    const retry = await api(s, 'POST', 'policies/expression/', { body });
    expect([retry.status, retry.body]).toEqual([400, { name: ['Policy with this name already exists.'] }]);
  });

  it('drop-response combines with after: the second PATCH is applied, its answer lost', async () => {
    s.faults.add({ method: 'PATCH', path: /\/core\/users\/4\/$/, kind: 'drop-response', after: 1, times: 1 });
    const first = await api(s, 'PATCH', 'core/users/4/', { body: { attributes: { n: 1 } } });
    expect(first.status).toBe(200);
    await expect(api(s, 'PATCH', 'core/users/4/', { body: { attributes: { n: 2 } } })).rejects.toThrow('fetch failed');
    expect(s.state.users.find((u) => u.pk === 4)!.attributes).toEqual({ n: 2 });
    expect((await api(s, 'PATCH', 'core/users/4/', { body: { attributes: { n: 3 } } })).status).toBe(200);
  });

  it('drop-response swallows error answers too, and a refused write stays unapplied', async () => {
    const before = s.requests.length;
    s.faults.add({ method: 'PATCH', path: 'core/users/5/', kind: 'drop-response', times: 1 });
    await expect(api(s, 'PATCH', 'core/users/5/', { body: { attributes: 'not a dict' } })).rejects.toThrow('fetch failed');
    expect(s.requests[before]).toMatchObject({ status: 0, dropped: 400 });
    expect(s.state.users.find((u) => u.pk === 5)!.attributes).toMatchObject({ avatar: 'https://avatars.example.org/bob.png' });
  });

  it('records every request with its status and query', async () => {
    const before = s.requests.length;
    await api(s, 'GET', 'core/users/?username=alice&page=1');
    const rec = s.requests[before]!;
    expect(rec).toEqual({ method: 'GET', path: '/api/v3/core/users/', query: 'username=alice&page=1', status: 200 });
  });
});
