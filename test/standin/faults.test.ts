// Fault injection: status (429 + Retry-After, 500), connection reset, latency, times.
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

  it('records every request with its status and query', async () => {
    const before = s.requests.length;
    await api(s, 'GET', 'core/users/?username=alice&page=1');
    const rec = s.requests[before]!;
    expect(rec).toEqual({ method: 'GET', path: '/api/v3/core/users/', query: 'username=alice&page=1', status: 200 });
  });
});
