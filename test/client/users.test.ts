import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AuthentikClient, detectSelector, resolveUser } from '../../src/authentik/index.js';
import type { User } from '../../src/authentik/types.js';
import { CliError, ExitCode } from '../../src/errors.js';
import { TOKEN, json, page, rejection, startServer, type TestServer } from './server.js';

const mk = (pk: number, username: string, email: string, name = username): User => ({
  pk,
  username,
  name,
  email,
  uuid: `0000000${pk}-1111-4222-8333-44444444444${pk}`,
  is_active: true,
  is_superuser: pk === 1,
  attributes: {},
  avatar: '',
});
const USERS: User[] = [
  mk(1, 'akadmin', 'admin@example.com'),
  mk(2, 'alice', 'alice@example.com'),
  mk(3, 'alicia', 'alicia@example.com'),
  mk(4, 'bob', 'shared@example.com'),
  mk(5, 'bobby', 'shared@example.com'),
  mk(6, 'carol@corp.example', ''),
  mk(7, '12345', 'numeric@example.com'),
];

// A fake authentik users endpoint with exact filters, ?search= and pages of 2.
let ignoreFilters = false;
let srv: TestServer;
beforeAll(async () => {
  srv = await startServer((req, res) => {
    const one = /^\/api\/v3\/core\/users\/(\d+)\/$/.exec(req.path);
    if (one) {
      const u = USERS.find((x) => x.pk === Number(one[1]));
      return u ? json(res, 200, u) : json(res, 404, { detail: 'No User matches the given query.' });
    }
    if (req.path !== '/api/v3/core/users/') return json(res, 404, { detail: 'Not found.' });
    let list = USERS;
    if (!ignoreFilters) {
      for (const f of ['username', 'email', 'uuid'] as const) {
        const v = req.query.get(f);
        if (v !== null) list = list.filter((u) => (f === 'uuid' ? u.uuid === v.toLowerCase() : u[f] === v));
      }
      const s = req.query.get('search')?.toLowerCase();
      if (s) list = list.filter((u) => [u.username, u.email, u.name].some((x) => x.toLowerCase().includes(s)));
    }
    json(res, 200, page(list, req.query, 2));
  });
});
afterAll(() => srv.close());
beforeEach(() => {
  ignoreFilters = false;
  srv.requests.length = 0;
});

const client = () => new AuthentikClient({ url: srv.url, token: TOKEN, retryBaseMs: 1 });

describe('detectSelector', () => {
  it.each([
    ['42', 'id'],
    ['0000', 'id'],
    ['3f2b6c1e-8a1d-4d0e-9a57-1c2d3e4f5a6b', 'uuid'],
    ['3F2B6C1E8A1D4D0E9A571C2D3E4F5A6B', 'uuid'],
    ['alice@example.com', 'email'],
    ['alice', 'username'],
    ['alice.smith', 'username'],
    ['12ab', 'username'],
  ])('%s -> %s', (value, want) => {
    expect(detectSelector(value)).toBe(want);
  });
});

describe('resolveUser', () => {
  it('by username, with the exact ?username= filter', async () => {
    const u = await resolveUser(client(), 'alice');
    expect(u.pk).toBe(2);
    expect(srv.requests[0]?.query.get('username')).toBe('alice');
    expect(srv.requests[0]?.query.get('include_groups')).toBe('false');
  });

  it('by email', async () => {
    expect((await resolveUser(client(), 'alicia@example.com')).username).toBe('alicia');
    expect(srv.requests[0]?.query.get('email')).toBe('alicia@example.com');
  });

  it('by uuid (any case)', async () => {
    expect((await resolveUser(client(), '00000003-1111-4222-8333-444444444443'.toUpperCase())).username).toBe('alicia');
    expect(srv.requests[0]?.query.has('uuid')).toBe(true);
  });

  it('by numeric id via GET core/users/{id}/', async () => {
    expect((await resolveUser(client(), '2')).username).toBe('alice');
    expect(srv.requests.map((r) => r.path)).toEqual(['/api/v3/core/users/2/']);
  });

  it('an unknown id -> exit 5 "no user matches id"', async () => {
    const e = (await rejection(resolveUser(client(), '999'))) as unknown as CliError;
    expect(e).toBeInstanceOf(CliError);
    expect(e.message).toBe('no user matches id 999');
    expect(e.exitCode).toBe(ExitCode.NOT_FOUND);
    expect(e.hint).toMatch(/select by username explicitly/);
  });

  it('an explicit selector wins over detection (numeric username)', async () => {
    expect((await resolveUser(client(), '12345', 'username')).pk).toBe(7);
  });

  it('ambiguous -> exit 5 naming the candidates', async () => {
    const e = (await rejection(resolveUser(client(), 'shared@example.com'))) as unknown as CliError;
    expect(e.exitCode).toBe(ExitCode.NOT_FOUND);
    expect(e.message).toBe(
      '2 users match email "shared@example.com": bob (id 4, shared@example.com), bobby (id 5, shared@example.com)',
    );
    expect(e.hint).toMatch(/pick one by id \(e\.g\. 4\)/);
  });

  it('unknown -> exit 5, with suggestions from ?search=', async () => {
    const e = (await rejection(resolveUser(client(), 'ali'))) as unknown as CliError;
    expect(e.exitCode).toBe(ExitCode.NOT_FOUND);
    expect(e.message).toBe('no user matches username "ali"');
    expect(e.hint).toMatch(/^did you mean alice \(id 2, alice@example.com\), alicia \(id 3, alicia@example.com\)\?/);
  });

  it('unknown without near names -> plain hint', async () => {
    const e = (await rejection(resolveUser(client(), 'zed'))) as unknown as CliError;
    expect(e.message).toBe('no user matches username "zed"');
    expect(e.hint).toMatch(/^user look-ups are exact/);
  });

  it('a guessed email also tries the value as a username', async () => {
    expect((await resolveUser(client(), 'carol@corp.example')).pk).toBe(6);
    expect(srv.requests.map((r) => [...r.query.keys()].filter((k) => k === 'email' || k === 'username'))).toEqual([['email'], ['username']]);
    // ...but not when the caller said "email".
    await expect(resolveUser(client(), 'carol@corp.example', 'email')).rejects.toThrow(/no user matches email/);
  });

  it('never picks the wrong user when the server ignores the filter (checks matches itself)', async () => {
    ignoreFilters = true;
    expect((await resolveUser(client(), 'bobby')).pk).toBe(5);
    // All 7 users come back over 4 pages; only the exact match counts.
    expect(srv.requests.length).toBeGreaterThanOrEqual(4);
    await expect(resolveUser(client(), 'bo')).rejects.toThrow(/no user matches username "bo"/);
  });

  it('usage errors for empty values and a selector that does not fit', async () => {
    await expect(resolveUser(client(), '  ')).rejects.toMatchObject({ exitCode: ExitCode.USAGE });
    await expect(resolveUser(client(), 'abc', 'id')).rejects.toMatchObject({ exitCode: ExitCode.USAGE });
    await expect(resolveUser(client(), 'abc', 'uuid')).rejects.toMatchObject({ exitCode: ExitCode.USAGE });
    expect(srv.requests).toHaveLength(0);
  });

  it('transport errors pass through unchanged', async () => {
    const bad = new AuthentikClient({ url: srv.url.replace(/:\d+$/, ':1'), token: TOKEN, retries: 0 });
    await expect(resolveUser(bad, '2')).rejects.toThrow(/connection refused/);
  });
});
