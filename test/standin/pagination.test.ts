// Pagination exactly like authentik's Pagination class (DRF PageNumberPagination + Django Paginator).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStandin, type Standin } from '../../src/standin/index.js';
import { api, getAll } from './helpers.js';

let s: Standin;
beforeAll(async () => {
  s = await startStandin({ version: '2026.8', pageSize: 2, maxPageSize: 3 });
});
afterAll(() => s.close());

describe('pagination', () => {
  it('splits the user list into pages of 2 with page-number links (0 = none)', async () => {
    const total = s.state.users.length; // 9 seeded users
    expect(total).toBe(9);
    const p1 = await api(s, 'GET', 'core/users/');
    expect(p1.body.pagination).toEqual({ next: 2, previous: 0, count: 9, current: 1, total_pages: 5, start_index: 1, end_index: 2 });
    expect(p1.body.results).toHaveLength(2);
    expect(p1.body.autocomplete).toEqual({});
    const p3 = await api(s, 'GET', 'core/users/?page=3');
    expect(p3.body.pagination).toEqual({ next: 4, previous: 2, count: 9, current: 3, total_pages: 5, start_index: 5, end_index: 6 });
    const p5 = await api(s, 'GET', 'core/users/?page=5');
    expect(p5.body.pagination).toEqual({ next: 0, previous: 4, count: 9, current: 5, total_pages: 5, start_index: 9, end_index: 9 });
    expect(p5.body.results).toHaveLength(1);
  });

  it('walking next visits every user exactly once, ordered by username', async () => {
    const { items, pages } = await getAll(s, 'core/users/');
    expect(pages).toBe(5);
    const names = items.map((u: any) => u.username);
    expect(new Set(names).size).toBe(9);
    expect(names).toEqual([...names].sort());
  });

  it('caps page_size at the max page size and falls back for invalid values', async () => {
    expect((await api(s, 'GET', 'core/users/?page_size=100')).body.results).toHaveLength(3);
    expect((await api(s, 'GET', 'core/users/?page_size=1')).body.pagination.total_pages).toBe(9);
    // DRF: an invalid page_size -> PAGE_SIZE (100) -> capped to 3
    expect((await api(s, 'GET', 'core/users/?page_size=0')).body.results).toHaveLength(3);
    expect((await api(s, 'GET', 'core/users/?page_size=abc')).body.results).toHaveLength(3);
  });

  it('answers 404 "Invalid page." for pages out of range or not integers', async () => {
    for (const page of ['6', '0', '-1', 'abc', '1.5']) {
      const r = await api(s, 'GET', `core/users/?page=${page}`);
      expect([page, r.status, r.body]).toEqual([page, 404, { detail: 'Invalid page.' }]);
    }
    expect((await api(s, 'GET', 'core/users/?page=last')).body.pagination.current).toBe(5);
  });

  it('an empty result is one page with start_index 0', async () => {
    const r = await api(s, 'GET', 'core/users/?username=nobody');
    expect(r.body.pagination).toEqual({ next: 0, previous: 0, count: 0, current: 1, total_pages: 1, start_index: 0, end_index: 0 });
    expect(r.body.results).toEqual([]);
  });

  it('the page size follows the system settings, which the API can change (2025.12+)', async () => {
    const patched = await api(s, 'PATCH', 'admin/settings/', { body: { pagination_default_page_size: 3 } });
    expect(patched.status).toBe(200);
    expect((await api(s, 'GET', 'core/users/')).body.results).toHaveLength(3);
    await api(s, 'PATCH', 'admin/settings/', { body: { pagination_default_page_size: 2 } });
    expect(s.violations).toEqual([]);
  });
});
