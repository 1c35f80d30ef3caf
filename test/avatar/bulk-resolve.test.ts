// resolveUsers() (src/authentik/users.ts), the bulk form of resolveUser() used by `sync`: the same
// answer for every value as the single look-up, from one paginated list when that is cheaper, and
// from exact look-ups when there are few values among many users.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { AuthentikClient } from '../../src/authentik/index.js';
import { resolveUser, resolveUsers, type UserSelector } from '../../src/authentik/users.js';
import { CliError } from '../../src/errors.js';
import { startStandin, type Standin } from '../../src/standin/index.js';

let sb: Standin;
let client: AuthentikClient;
let mark = 0;
beforeAll(async () => {
  sb = await startStandin({ version: '2026.8', maxPageSize: 2, pageSize: 2 });
});
afterAll(async () => {
  expect(sb.violations).toEqual([]);
  await sb.close();
});
beforeEach(() => {
  client = new AuthentikClient({ url: sb.url, token: sb.token, retryBaseMs: 1 });
  mark = sb.requests.length;
});
const sent = () => sb.requests.slice(mark);

type Outcome = { pk: number } | { error: string; exitCode: number };
const outcome = (r: { pk: number } | CliError): Outcome => (r instanceof CliError ? { error: r.message, exitCode: r.exitCode } : { pk: r.pk });
async function single(value: string, by?: UserSelector): Promise<Outcome> {
  try {
    return outcome(await resolveUser(client, value, by));
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    return outcome(e);
  }
}

const alice = () => sb.state.users.find((u) => u.username === 'alice')!;

describe('resolveUsers', () => {
  test.each<[UserSelector | undefined, () => string[]]>([
    ['username', () => ['alice', 'bob', 'ghost', 'Alice', 'dave.admin', 'alice.smith']],
    ['email', () => ['alice@example.com', 'dave@example.com', 'nobody@example.com', 'bob@example.org']],
    ['id', () => ['3', '5', '999', 'abc', '1', '03']],
    ['uuid', () => [alice().uuid.toUpperCase(), alice().uuid.replace(/-/g, ''), 'not-a-uuid', '00000000-0000-4000-8000-000000000000', sb.state.users[4]!.uuid]],
    [undefined, () => ['alice', 'alice@example.com', '5', alice().uuid, 'ghost@example.com', 'dave@example.com']],
  ])('--by %s: every value gets what resolveUser() gives it', async (by, values) => {
    const vs = values();
    const bulk = await resolveUsers(client, vs, by);
    // enough values: answered from the plain list (no exact filter, no GET core/users/{id}/)
    expect(sent().filter((q) => q.path !== '/api/v3/core/users/' || /(username|email|uuid|search)=/.test(q.query))).toEqual([]);
    for (const v of vs) {
      const got = bulk.get(v);
      expect(got).toBeDefined();
      expect({ v, r: outcome(got as { pk: number } | CliError) }).toEqual({ v, r: await single(v, by) });
    }
  });

  test('many values: one paginated list (include_groups=false), matched locally', async () => {
    const values = ['alice', 'bob', 'carol', 'dave', 'erin'];
    const got = await resolveUsers(client, values, 'username');
    expect(values.map((v) => (got.get(v) as { username: string }).username)).toEqual(values);
    const reqs = sent();
    expect(reqs.every((q) => q.method === 'GET' && q.path === '/api/v3/core/users/' && /include_groups=false/.test(q.query) && !/username=/.test(q.query))).toBe(true);
    expect(reqs).toHaveLength(Math.ceil(sb.state.users.length / 2));
  });

  test('few values among many pages: exact look-ups instead of the whole list', async () => {
    const got = await resolveUsers(client, ['carol'], 'username');
    expect((got.get('carol') as { username: string }).username).toBe('carol');
    const reqs = sent();
    expect(reqs.map((q) => q.query.includes('username=carol'))).toEqual([false, true]); // the first page, then ?username=carol
  });

  test('a misspelt name gets the same did-you-mean hint from the list', async () => {
    const got = await resolveUsers(client, ['alic', 'bob', 'carol', 'dave', 'erin'], 'username');
    const err = got.get('alic') as CliError;
    expect(err).toBeInstanceOf(CliError);
    expect(err.hint).toMatch(/^did you mean alice \(id 3, alice@example\.com\), alice\.smith/);
  });

  test('no values: no request; failures that are not about one value are thrown', async () => {
    expect((await resolveUsers(client, [], 'username')).size).toBe(0);
    expect(sent()).toEqual([]);
    const bad = new AuthentikClient({ url: sb.url, token: 'wrong-token', retryBaseMs: 1 });
    await expect(resolveUsers(bad, ['alice'], 'username')).rejects.toMatchObject({ exitCode: 4 });
  });
});
