// dump()/load() round trip and starting from a dump.
import { describe, expect, it } from '@jest/globals';
import { startStandin } from '../../src/standin/index.js';
import { api } from './helpers.js';

describe('state', () => {
  it('dump() is JSON, load() restores it, and a new stand-in can start from it', async () => {
    const a = await startStandin({ version: '2026.2', token: 'tok-a' });
    try {
      const fresh = a.dump();
      expect(JSON.parse(JSON.stringify(fresh))).toEqual(fresh);
      const created = await api(a, 'POST', 'stages/prompt/prompts/', {
        body: { name: 'round-trip', field_key: 'attributes.avatar', label: 'Avatar', type: 'file' },
      });
      expect(created.status).toBe(201);
      await api(a, 'PATCH', 'admin/settings/', { body: { avatars: 'attributes.avatar,initials' } });
      const changed = a.dump();
      expect(changed).not.toEqual(fresh);
      // dump is a copy: later changes do not leak into it
      a.state.users[0]!.name = 'mutated';
      expect(changed.users[0]!.name).toBe('authentik Default Admin');

      a.load(fresh);
      expect((await api(a, 'GET', 'stages/prompt/prompts/?name=round-trip')).body.results).toEqual([]);
      expect((await api(a, 'GET', 'admin/settings/')).body.avatars).toBe('gravatar,initials');

      const b = await startStandin({ version: '2026.2', state: JSON.parse(JSON.stringify(changed)), token: 'tok-a' });
      try {
        const r = await api(b, 'GET', 'stages/prompt/prompts/?name=round-trip');
        expect(r.body.results.map((p: any) => p.pk)).toEqual([created.body.pk]);
        expect((await api(b, 'GET', 'admin/settings/')).body.avatars).toBe('attributes.avatar,initials');
        expect(b.dump()).toEqual(changed);
        expect(b.violations).toEqual([]);
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
    }
  });

  it('the avatar follows the avatars setting and the user attribute', async () => {
    const s = await startStandin({ version: '2026.8' });
    try {
      const bob = (await api(s, 'GET', 'core/users/?username=bob')).body.results[0];
      expect(bob.avatar).toMatch(/^data:image\/svg\+xml;base64,/); // gravatar falls through to initials
      await api(s, 'PATCH', 'admin/settings/', { body: { avatars: 'attributes.avatar,initials' } });
      const again = (await api(s, 'GET', `core/users/${bob.pk}/`)).body;
      expect(again.avatar).toBe('https://avatars.example.org/bob.png');
      // the setting is split without trimming: " initials" is not a mode
      await api(s, 'PATCH', 'admin/settings/', { body: { avatars: 'attributes.nothing, initials' } });
      expect((await api(s, 'GET', `core/users/${bob.pk}/`)).body.avatar).toBe('/static/dist/assets/images/user_default.png');
      expect(s.violations).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('refuses a dump of an unknown format', async () => {
    const s = await startStandin();
    try {
      expect(() => s.load({ format: 2 } as never)).toThrow(/format/);
    } finally {
      await s.close();
    }
  });
});
