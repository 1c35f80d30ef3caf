// The computed `avatar` field against authentik/lib/avatars.py get_avatar() and
// authentik/lib/utils/dict.py get_path_from_dict(). Expected colours and initials below were
// computed with authentik's own generate_colors()/generate_avatar_from_name() logic in Python.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { avatarFor, DEFAULT_AVATAR, getPathFromDict, initialsSvg } from '../../src/standin/avatar.js';
import { ServerCrash } from '../../src/standin/http.js';
import { startStandin, type Standin } from '../../src/standin/index.js';
import type { UserRec } from '../../src/standin/types.js';
import { api } from './helpers.js';

const user = (attributes: Record<string, unknown>, extra: Partial<UserRec> = {}): UserRec => ({
  pk: 3,
  uuid: '00000000-0000-4000-8000-000000000003',
  username: 'alice',
  name: 'Alice Example',
  email: 'Alice@Example.com',
  is_active: true,
  groups: [],
  roles: [],
  attributes,
  path: 'users',
  type: 'internal',
  date_joined: '',
  last_login: null,
  last_updated: '',
  password_change_date: '',
  ...extra,
});

const svgOf = (uri: unknown): string => {
  expect(uri).toMatch(/^data:image\/svg\+xml;base64,/);
  return Buffer.from(String(uri).split(',')[1]!, 'base64').toString('utf8');
};

describe('attributes.<path> mode', () => {
  it('a value that is falsy in Python falls through to the next mode', () => {
    for (const value of ['', 0, false, null, {}, []]) {
      expect(avatarFor(user({ avatar: value }), 'attributes.avatar,none')).toBe(DEFAULT_AVATAR);
    }
    expect(avatarFor(user({}), 'attributes.avatar,none')).toBe(DEFAULT_AVATAR);
    expect(avatarFor(user({ avatar: 'data:image/png;base64,AA' }), 'attributes.avatar,none')).toBe('data:image/png;base64,AA');
  });

  it('a truthy non-string value is returned as it is, not stringified', () => {
    expect(avatarFor(user({ avatar: 7 }), 'attributes.avatar,none')).toBe(7);
    expect(avatarFor(user({ avatar: { url: 'x' } }), 'attributes.avatar,none')).toEqual({ url: 'x' });
    expect(avatarFor(user({ avatar: ['a'] }), 'attributes.avatar,none')).toEqual(['a']);
  });

  it('walks dotted paths through dicts; a missing level falls through', () => {
    expect(avatarFor(user({ profile: { pic: 'https://x/p.png' } }), 'attributes.profile.pic,none')).toBe('https://x/p.png');
    expect(avatarFor(user({ profile: {} }), 'attributes.profile.pic,none')).toBe(DEFAULT_AVATAR);
    expect(avatarFor(user({ profile: 'no key here' }), 'attributes.profile.pic,none')).toBe(DEFAULT_AVATAR);
  });

  it('a truthy non-dict level where Python\'s `in` succeeds or raises crashes like authentik', () => {
    // "pic" in "a picture" is True, then str.get raises AttributeError
    expect(() => getPathFromDict({ profile: 'a picture' }, 'profile.pic')).toThrow(ServerCrash);
    expect(() => getPathFromDict({ profile: ['pic'] }, 'profile.pic')).toThrow(ServerCrash);
    expect(() => getPathFromDict({ profile: 5 }, 'profile.pic')).toThrow(/not iterable/);
    expect(getPathFromDict({ profile: 0 }, 'profile.pic')).toBeNull(); // falsy: no `in` at all
  });
});

describe('other modes', () => {
  it('URL templates: %(mail_hash)s is the md5 of the lowercased email, values are not quoted', () => {
    const md5 = createHash('md5').update('alice@example.com').digest('hex');
    const u = user({ upn: 'a@corp' }, { username: 'a b' });
    expect(avatarFor(u, 'https://img/%(username)s/%(mail_hash)s/%(upn)s')).toBe(`https://img/a b/${md5}/a@corp`);
    expect(avatarFor(user({ upn: true }), 'https://img/%(upn)s')).toBe('https://img/True'); // str(True)
    expect(avatarFor(user({ upn: null }), 'https://img/%(upn)s')).toBe('https://img/None');
  });

  it('gravatar uses the sha256 of the lowercased email and falls through for unknown addresses', () => {
    const sha = createHash('sha256').update('bob@gravatar.test').digest('hex');
    expect(avatarFor(user({}, { email: 'Bob@Gravatar.test' }), 'gravatar,none')).toBe(
      `https://www.gravatar.com/avatar/${sha}?size=158&rating=g&default=404`,
    );
    expect(avatarFor(user({}), 'gravatar,none')).toBe(DEFAULT_AVATAR);
  });

  it("initials: two letters like authentik's generator, colours from the md5 of the name", () => {
    const ae = svgOf(avatarFor(user({}), 'initials'));
    expect(ae).toContain('<rect fill="#3fc8b2" cx="32" cy="32" width="64" height="64" r="32"/>');
    expect(ae).toMatch(/dy="\.1em">AE<\/text><\/svg>$/);
    expect(ae).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="64px" height="64px" viewBox="0 0 64 64" version="1\.1">/);
    // blank name -> the username; one word -> its first two letters
    const al = svgOf(avatarFor(user({}, { name: '  ' }), 'initials'));
    expect(al).toContain('fill="#373792"');
    expect(al).toContain('>AL</text>');
    // more than two words: first and last only
    expect(initialsSvg('Dave Ops (admin account)')).toContain('fill="#6b8b37"');
    expect(initialsSvg('Dave Ops (admin account)')).toContain('>DA</text>');
    // text is XML-escaped like lxml does: "<b> & c" -> first + last part -> "<c" -> "<C"
    expect(initialsSvg('<b> & c')).toContain('>&lt;C</text>');
    expect(initialsSvg('& x')).toContain('>&amp;X</text>');
  });

  it('modes are split without trimming; nothing yielding means the default picture', () => {
    expect(avatarFor(user({ avatar: 'x' }), ' attributes.avatar,gravatar')).toBe(DEFAULT_AVATAR);
    expect(avatarFor(user({}), '')).toBe(DEFAULT_AVATAR);
  });
});

describe('through the API', () => {
  let s: Standin;
  beforeAll(async () => {
    s = await startStandin({ version: '2026.8' });
  });
  beforeEach(() => {
    s.violations.length = 0;
  });
  afterAll(() => s.close());

  it('a non-string avatar attribute reaches the API unconverted, breaking the schema as authentik would', async () => {
    s.state.settings['avatars'] = 'attributes.avatar,initials';
    s.state.users.find((u) => u.username === 'carol')!.attributes = { avatar: 42 };
    const r = await api(s, 'GET', 'core/users/6/');
    expect(r.body.avatar).toBe(42);
    expect(s.violations.join('\n')).toMatch(/\/avatar must be string/);
  });

  it('a crash in get_path_from_dict is the HTML 500 page, not a stand-in bug', async () => {
    s.state.settings['avatars'] = 'attributes.profile.pic,initials';
    s.state.users.find((u) => u.username === 'carol')!.attributes = { profile: 'my picture' };
    const r = await api(s, 'GET', 'core/users/6/');
    expect(r.status).toBe(500);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.text).toMatch(/<h1[^>]*>\s*Server Error\s*<\/h1>/);
    expect(s.violations).toEqual([]);
  });
});
