import { describe, expect, test } from '@jest/globals';
import { deepEqual, differingKeys, isNoop, withAvatar } from '../../src/avatar/attributes.js';
import { effectiveMode, getPath } from '../../src/avatar/mode.js';

describe('withAvatar', () => {
  const existing = { department: 'ops', settings: { theme: { base: 'dark' } }, list: [1, { a: null }], avatar: 'old', avatar_reset: true };

  test('changes only avatar, drops avatar_reset, keeps everything else', () => {
    const next = withAvatar(existing, 'data:image/png;base64,AAAA');
    expect(next).toEqual({ department: 'ops', settings: { theme: { base: 'dark' } }, list: [1, { a: null }], avatar: 'data:image/png;base64,AAAA' });
    expect(Object.keys(next)).toEqual(['department', 'settings', 'list', 'avatar']);
  });

  test('null removes the key', () => {
    expect(withAvatar(existing, null)).toEqual({ department: 'ops', settings: { theme: { base: 'dark' } }, list: [1, { a: null }] });
  });

  test('is a deep copy: mutating the result leaves the input alone', () => {
    const next = withAvatar(existing, 'x');
    (next.settings as { theme: { base: string } }).theme.base = 'light';
    expect(existing.settings.theme.base).toBe('dark');
  });

  test('isNoop', () => {
    expect(isNoop({ a: 1 }, null)).toBe(true);
    expect(isNoop({ a: 1, avatar_reset: false }, null)).toBe(false);
    expect(isNoop({ avatar: 'x' }, 'x')).toBe(true);
    expect(isNoop({ avatar: 'x' }, 'y')).toBe(false);
    expect(isNoop({ avatar: 'x' }, null)).toBe(false);
  });
});

describe('deepEqual / differingKeys', () => {
  test('ignores object key order, not array order or types', () => {
    expect(deepEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(deepEqual({ c: [1, 2] }, { c: [2, 1] })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(deepEqual({ a: null }, {})).toBe(false);
    expect(deepEqual({ a: {} }, { a: [] })).toBe(false);
  });

  test('names the keys that differ', () => {
    expect(differingKeys({ a: 1, b: 2, c: { d: 1 } }, { a: 1, c: { d: 2 }, e: 0 })).toEqual(['b', 'c', 'e']);
    expect(differingKeys({ a: 1 }, { a: 1 })).toEqual([]);
  });
});

describe('effectiveMode (authentik get_avatar semantics)', () => {
  const user = (attributes: Record<string, unknown>, email = 'a@example.com') => ({ username: 'alice', name: 'Alice', email, attributes });

  test('attributes.avatar first and set -> that', () => {
    const m = effectiveMode('attributes.avatar,gravatar,initials', user({ avatar: 'data:image/png;base64,AA' }));
    expect(m).toMatchObject({ mode: 'attributes.avatar', kind: 'attribute', description: 'attributes.avatar' });
  });

  test('empty attribute falls through to gravatar, then initials', () => {
    const m = effectiveMode('attributes.avatar,gravatar,initials', user({ avatar: '' }));
    expect(m.kind).toBe('gravatar');
    expect(m.description).toBe('gravatar (if the email has one), else initials (generated from the name)');
    expect(m.skipped).toEqual([{ mode: 'attributes.avatar', reason: 'attributes.avatar is empty or missing' }]);
  });

  test('gravatar needs an email', () => {
    const m = effectiveMode('gravatar,initials', user({}, ''));
    expect(m.kind).toBe('initials');
  });

  test('gravatar before the attribute: the attribute is only a fallback', () => {
    const m = effectiveMode('gravatar,attributes.avatar', user({ avatar: 'https://x/y.png' }));
    expect(m.kind).toBe('gravatar');
    expect(m.description).toBe('gravatar (if the email has one), else attributes.avatar');
  });

  test('spaces are not trimmed (an admin writing "a, b" loses b)', () => {
    const m = effectiveMode('initials, attributes.avatar', user({ avatar: 'x' }));
    expect(m.kind).toBe('initials');
    const n = effectiveMode('gravatar, initials', user({}, ''));
    expect(n.kind).toBe('default');
    expect(n.skipped.map((s) => s.mode)).toEqual(['gravatar', ' initials']);
    expect(n.skipped[1]?.reason).toMatch(/trim/);
  });

  test('URL templates are conditional; none always yields', () => {
    const m = effectiveMode('https://cdn.example/%(username)s.png,none', user({}));
    expect(m.kind).toBe('url');
    expect(m.chain.map((s) => s.kind)).toEqual(['url', 'none']);
  });

  test('dotted attribute paths and python truthiness', () => {
    expect(getPath({ a: { b: { c: 1 } } }, 'a.b.c')).toBe(1);
    expect(getPath({ a: 'str' }, 'a.b')).toBeUndefined();
    expect(effectiveMode('attributes.pic.url,initials', user({ pic: { url: 'https://x' } })).kind).toBe('attribute');
    expect(effectiveMode('attributes.pic,initials', user({ pic: {} })).kind).toBe('initials');
  });
});
