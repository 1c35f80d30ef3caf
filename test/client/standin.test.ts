import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthentikClient, resolveUser } from '../../src/authentik/index.js';
import type { User } from '../../src/authentik/types.js';
import { startStandin, type Standin } from '../../src/standin/index.js';

// One end-to-end check against the project's authentik stand-in (src/standin): pages of 2.
let ak: Standin;
beforeAll(async () => {
  ak = await startStandin({ maxPageSize: 2, pageSize: 2 });
});
afterAll(() => ak.close());

describe('against the stand-in', () => {
  it('paginates all users with maxPageSize 2 and resolves one of them', async () => {
    const c = new AuthentikClient({ url: ak.url, token: ak.token, retryBaseMs: 1 });
    const users = await c.paginate<User>('core/users/', { include_groups: false, page_size: 50 });
    const pages = ak.requests.filter((r) => r.path.endsWith('/core/users/'));
    expect(users.length).toBeGreaterThan(2);
    expect(pages).toHaveLength(Math.ceil(users.length / 2));
    expect(new Set(users.map((u) => u.pk)).size).toBe(users.length);
    expect(users.map((u) => u.username)).toContain('akadmin');

    const alice = await resolveUser(c, 'alice');
    expect(alice.username).toBe('alice');
    await expect(resolveUser(c, 'no-such-user-xyz')).rejects.toMatchObject({ exitCode: 5 });
    expect((await c.features()).oidcPictureClaim).toBe(true);
    expect(ak.violations).toEqual([]);
  });
});
