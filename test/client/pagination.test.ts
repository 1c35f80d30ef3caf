import { afterEach, describe, expect, it } from '@jest/globals';
import { AuthentikClient } from '../../src/authentik/index.js';
import { ApiError } from '../../src/authentik/errors.js';
import { TOKEN, json, page, rejection, startServer, type TestServer } from './server.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const client = (url: string) => new AuthentikClient({ url, token: TOKEN, retryBaseMs: 1 });
const items = Array.from({ length: 7 }, (_, i) => ({ pk: i + 1, name: `p${i + 1}` }));

describe('paginate', () => {
  it('follows pagination.next across several pages and keeps the caller params', async () => {
    srv = await startServer((req, res) => json(res, 200, page(items, req.query)));
    const c = client(srv.url);
    const all = await c.paginate<{ pk: number }>('stages/prompt/prompts/', { page_size: 2, name: 'x', skip: undefined });
    expect(all.map((i) => i.pk)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(srv.requests.map((r) => r.query.get('page'))).toEqual(['1', '2', '3', '4']);
    expect(srv.requests.every((r) => r.query.get('page_size') === '2' && r.query.get('name') === 'x')).toBe(true);
    expect(srv.requests.some((r) => r.query.has('skip'))).toBe(false);
    expect(c.stats).toEqual({ total: 4, reads: 4, writes: 0 });
  });

  it('never assumes one page: a server capping page_size still yields everything', async () => {
    // The server ignores the requested page_size 100 and caps it at 3.
    srv = await startServer((req, res) => {
      const q = new URLSearchParams(req.query);
      q.set('page_size', String(Math.min(3, Number(q.get('page_size') ?? 3))));
      json(res, 200, page(items, q));
    });
    const all = await client(srv.url).paginate('x/', { page_size: 100 });
    expect(all).toHaveLength(7);
    expect(srv.requests).toHaveLength(3);
  });

  it('starts at params.page and treats next = 0 or null as the end', async () => {
    srv = await startServer((req, res) => {
      const body = page(items, req.query);
      json(res, 200, { ...body, pagination: { ...body.pagination, next: body.pagination.next || null } });
    });
    const all = await client(srv.url).paginate<{ pk: number }>('x/', { page: 3, page_size: 2 });
    expect(all.map((i) => i.pk)).toEqual([5, 6, 7]);
  });

  it('refuses a server that sends the same page twice (ignoring ?page=)', async () => {
    // A cache that ignores the query string: always page 1, always "next: 2".
    srv = await startServer((_req, res) => json(res, 200, page(items, new URLSearchParams('page=1'))));
    const err = await rejection(client(srv.url).paginate('core/users/'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(/pagination does not end \(page 2 was already fetched\)/);
    expect((err as unknown as ApiError).exitCode).toBe(1);
    expect((err as unknown as ApiError).hint).toMatch(/\?page=/);
    expect(srv.requests.length).toBeLessThanOrEqual(3);
  });

  it('refuses more pages than total_pages', async () => {
    srv = await startServer((req, res) => {
      const current = Number(req.query.get('page') ?? 1);
      json(res, 200, {
        pagination: { next: current + 1, previous: current - 1, count: 6, current, total_pages: 3, start_index: 1, end_index: 2 },
        results: [{ pk: current }],
      });
    });
    const err = await rejection(client(srv.url).paginate('x/'));
    expect(err.message).toMatch(/3 pages fetched but total_pages is 3 and next is still 4/);
    expect(srv.requests).toHaveLength(3);
  });

  it.each([
    ['no results array', { pagination: { next: 0 } }, /no "results" array/],
    ['results not an array', { pagination: { next: 0 }, results: 'nope' }, /no "results" array/],
    ['no pagination', { results: [] }, /no "pagination" object/],
    ['a bare array', [1, 2], /not a JSON object/],
    ['next not a number', { pagination: { next: 'two' }, results: [] }, /pagination.next is "two"/],
  ])('throws a clear ApiError on a malformed list answer: %s', async (_name, body, re) => {
    srv = await startServer((_req, res) => json(res, 200, body));
    const err = await rejection(client(srv.url).paginate('x/'));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/x\/\?page=1 failed: malformed answer/);
    expect(err.message).toMatch(re);
  });
});
