// What authentik answers for URLs it does not route: Django's handler404 HTML page
// (authentik/root/urls.py -> authentik/core/views/error.py NotFoundView, template if/error.html),
// for every method and before authentication; DRF's JSON 404 only once a route matched.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStandin, type Standin } from '../../src/standin/index.js';
import { api } from './helpers.js';

function expectNotFoundPage(r: { status: number; headers: Headers; text: string }): void {
  expect(r.status).toBe(404);
  expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(r.text).toMatch(/^<!DOCTYPE html>/);
  expect(r.text).toContain('<title>authentik</title>'); // the brand's title, not "Not Found"
  expect(r.text).toMatch(/<h1[^>]*>\s*Not Found\s*<\/h1>/);
}

describe('unrouted URLs on 2026.8', () => {
  let s: Standin;
  beforeAll(async () => {
    s = await startStandin({ version: '2026.8' });
  });
  afterAll(() => s.close());

  it('an unknown path under /api/v3/ is the HTML 404 page, not JSON', async () => {
    const r = await api(s, 'GET', 'core/no_such_thing/');
    expectNotFoundPage(r);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it('every method gets the page, before authentication (a bad or missing token changes nothing)', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expectNotFoundPage(await api(s, method, 'core/no_such_thing/', { body: { x: 1 } }));
    }
    expectNotFoundPage(await api(s, 'GET', 'core/no_such_thing/', { token: null }));
    expectNotFoundPage(await api(s, 'GET', 'core/no_such_thing/', { token: 'wrong' }));
  });

  it('HEAD gets the 404 without a body', async () => {
    const r = await fetch(`${s.url}/api/v3/core/no_such_thing/`, { method: 'HEAD' });
    expect(r.status).toBe(404);
    expect(await r.text()).toBe('');
  });

  it('paths outside /api/v3/ (a wrong sub-path in --url) get the same page', async () => {
    const r = await fetch(`${s.url}/no-such-prefix/api/v3/core/users/me/`, { headers: { Authorization: `Bearer ${s.token}` } });
    expectNotFoundPage({ status: r.status, headers: r.headers, text: await r.text() });
  });

  it('a routed path answers JSON: a missing object is DRF 404, a wrong method DRF 405', async () => {
    const missing = await api(s, 'GET', 'core/users/999/');
    expect([missing.status, missing.body]).toEqual([404, { detail: 'No User matches the given query.' }]);
    const wrongMethod = await api(s, 'DELETE', 'core/users/me/');
    expect([wrongMethod.status, wrongMethod.body]).toEqual([405, { detail: 'Method "DELETE" not allowed.' }]);
  });

  it("a lookup value with a dot never matches DRF's router: the page, not DRF's 404", async () => {
    expectNotFoundPage(await api(s, 'GET', 'core/users/1.5/'));
    expectNotFoundPage(await api(s, 'PATCH', 'flows/instances/a.b/', { body: { title: 'x' } }));
  });

  it('without the trailing slash: a redirect only when the slashed path is routed', async () => {
    const r = await api(s, 'GET', 'core/users?username=alice');
    expect(r.status).toBe(301);
    expect(r.headers.get('location')).toBe('/api/v3/core/users/?username=alice');
    expectNotFoundPage(await api(s, 'GET', 'core/no_such_thing'));
  });

  it('a path of a later version is the page on an earlier one', async () => {
    expect((await api(s, 'GET', 'core/object_attributes/')).status).toBe(200);
    const old = await startStandin({ version: '2026.5' });
    try {
      expectNotFoundPage(await api(old, 'GET', 'core/object_attributes/'));
      const noSchema = await startStandin({ version: '2026.5', schemaCheck: false });
      try {
        expectNotFoundPage(await api(noSchema, 'GET', 'core/object_attributes/'));
      } finally {
        await noSchema.close();
      }
    } finally {
      await old.close();
    }
    expect(s.violations).toEqual([]);
  });
});
