// `crop --all` against the stand-in (maxPageSize 2): only the avatars that are not square at the
// target size are cropped, a re-run is a no-op, --check, per-user failures, --json.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { STANDIN_VERSIONS } from '../../src/standin/index.js';
import { dataUri, jpeg, meta, png } from './images.js';
import { othersOf, useSuite, type Suite } from './suite.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const decode = (uri: string) => Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');

let wide: Buffer; // 300×200 JPEG
let square: Buffer; // 256×256 PNG
let big: Buffer; // 512×512 PNG: square, but not at the target size
let tall: Buffer; // 100×180 PNG
beforeAll(async () => {
  wide = await jpeg(300, 200);
  square = await png(256, 256);
  big = await png(512, 512, { colour: '#aa3300' });
  tall = await png(100, 180, { colour: '#0033aa' });
});

interface Doc {
  command: string;
  all: boolean;
  dryRun: boolean;
  check: boolean;
  users: number;
  withAvatar: number;
  results: Array<{ user: string; pk: number; action: string; error?: string; bytes?: number; sha256?: string; from?: { width: number; height: number } }>;
  totals: { create: number; update: number; unchanged: number; failed: number };
  requests: { total: number; reads: number; writes: number };
  exitCode: number;
}

function seedAvatars(t: Suite): Record<string, string> {
  t.setAttrs('alice', { ...t.user('alice').attributes, avatar: dataUri('image/jpeg', wide) });
  t.setAttrs('bob', { ...t.user('bob').attributes, avatar: dataUri('image/png', square) });
  t.setAttrs('carol', { avatar: dataUri('image/png', big), avatar_reset: true });
  t.setAttrs('dave', { ...t.user('dave').attributes, avatar: dataUri('image/png', tall) });
  return Object.fromEntries(['alice', 'bob', 'carol', 'dave', 'erin'].map((u) => [u, othersOf(t.user(u).attributes)]));
}

describe.each(STANDIN_VERSIONS)('crop --all on authentik %s', (version) => {
  const s = useSuite(version);

  test('crops only the avatars that are not square at the target size; a re-run is a no-op', async () => {
    const t = s();
    const others = seedAvatars(t);
    const bobBefore = t.user('bob').attributes.avatar;
    const r = await t.run(['--json', 'crop', '--all']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc; // exactly one document
    expect(doc).toMatchObject({ command: 'crop', all: true, dryRun: false, users: t.sb.state.users.length, withAvatar: 4, exitCode: 0 });
    expect(doc.totals).toEqual({ create: 0, update: 3, unchanged: 1, failed: 0 });
    expect(doc.results.map((i) => [i.user, i.action]).sort()).toEqual([
      ['alice', 'update'],
      ['bob', 'unchanged'],
      ['carol', 'update'],
      ['dave', 'update'],
    ]);
    for (const i of doc.results) {
      const attrs = t.user(i.user).attributes;
      expect(othersOf(attrs)).toBe(others[i.user]);
      expect(attrs.avatar_reset).toBeUndefined();
      const bytes = decode(attrs.avatar as string);
      const m = await meta(bytes);
      expect([i.user, m.width, m.height]).toEqual([i.user, 256, 256]);
      expect(sha(bytes)).toBe(i.sha256);
    }
    expect(t.user('bob').attributes.avatar).toBe(bobBefore);
    const patched = t.requests().filter((q) => q.method === 'PATCH').map((q) => q.path).sort();
    expect(patched).toEqual(['alice', 'carol', 'dave'].map((u) => `/api/v3/core/users/${t.user(u).pk}/`).sort());
    expect(doc.requests.writes).toBe(3);

    const mark = t.sb.requests.length;
    const again = await t.run(['--json', 'crop', '--all']);
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout) as Doc;
    expect(second.totals).toEqual({ create: 0, update: 0, unchanged: 4, failed: 0 });
    const sent = t.sb.requests.slice(mark);
    // only the pages of the user list: square avatars cost no request of their own
    expect(sent.every((q) => q.method === 'GET' && q.path === '/api/v3/core/users/')).toBe(true);
    expect(sent.length).toBe(Math.ceil(t.sb.state.users.length / 2));
  });

  test('--check: exit 8 and no write while some avatar is not square, 0 afterwards; --size counts', async () => {
    const t = s();
    seedAvatars(t);
    const check = await t.run(['crop', '--all', '--check']);
    expect(check.code).toBe(8);
    expect(check.stdout).toMatch(/~ alice +would crop 300×200 jpeg → 256×256 jpeg/);
    expect(check.stdout).toMatch(/= bob +already square at 256×256 png/);
    expect(check.stdout).toMatch(/4 with an avatar of their own: 3 would be cropped, 1 unchanged, 0 failed .*nothing was changed/);
    expect(t.writes()).toEqual([]);
    expect((await t.run(['crop', '--all', '--concurrency', '3'])).code).toBe(0);
    expect((await t.run(['crop', '--all', '--check'])).code).toBe(0);
    // another target size: every avatar is pending again
    const resized = JSON.parse((await t.run(['--json', 'crop', '--all', '--check', '--size', '64'])).stdout) as Doc;
    expect(resized.exitCode).toBe(8);
    expect(resized.totals.update).toBe(4);
  });

  test('a broken avatar fails alone (exit 1); the others are cropped', async () => {
    const t = s();
    seedAvatars(t);
    t.setAttrs('erin', { left: '2024-12-31', avatar: 'data:image/png;base64,not base64!' });
    t.setAttrs('alice.smith', { department: 'sales', avatar: dataUri('image/png', Buffer.from('<html>no</html>')) });
    const erinBefore = JSON.stringify(t.user('erin').attributes);
    const r = await t.run(['--json', 'crop', '--all']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: 2 of 6 users failed$/m);
    const doc = JSON.parse(r.stdout) as Doc;
    const by = Object.fromEntries(doc.results.map((i) => [i.user, i]));
    expect(by['erin']).toMatchObject({ action: 'failed', error: 'attributes.avatar is not a valid base64 data URI' });
    expect(by['alice.smith']).toMatchObject({ action: 'failed', error: expect.stringMatching(/unsupported image type|not an image/i) });
    expect(doc.totals).toEqual({ create: 0, update: 3, unchanged: 1, failed: 2 });
    expect(JSON.stringify(t.user('erin').attributes)).toBe(erinBefore);
    expect((await meta(decode(t.user('alice').attributes.avatar as string))).width).toBe(256);
  });

  test('the dir store: our files stay files, the old one is deleted; --dry-run writes nothing', async () => {
    const t = s();
    const store = path.join(t.dir, 'store');
    mkdirSync(store);
    const pub = 'https://auth.example.com/avatars/';
    const old = `akav-${'1'.repeat(32)}.png`;
    writeFileSync(path.join(store, old), tall);
    t.setAttrs('dave', { department: 'ops', avatar: pub + old });
    t.setAttrs('bob', { avatar: dataUri('image/png', square) });
    const flags = ['--store-dir', store, '--public-url', pub];
    const dry = JSON.parse((await t.run(['--json', 'crop', '--all', '--dry-run', ...flags])).stdout) as Doc;
    expect(dry.totals).toMatchObject({ update: 1, unchanged: 1 });
    expect(t.writes()).toEqual([]);
    expect(readdirSync(store)).toEqual([old]);

    const r = await t.run(['crop', '--all', ...flags]);
    expect(r.code).toBe(0);
    const [name] = readdirSync(store);
    expect(name).toMatch(/^akav-[0-9a-f]{32}\.jpg$/); // opaque: --format auto gives JPEG
    expect(name).not.toBe(old);
    expect(t.user('dave').attributes).toEqual({ department: 'ops', avatar: pub + name });
  });

  test('usage: a user and --all, neither, --crop/--by with --all, --check without --all', async () => {
    const t = s();
    for (const args of [['crop', 'alice', '--all'], ['crop'], ['crop', '--all', '--crop', '0,0,10,10'], ['crop', '--all', '--by', 'email'], ['crop', 'alice', '--check']]) {
      const r = await t.run(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr.split('\n')[0]).toMatch(/^Error: /);
    }
    expect(t.requests()).toEqual([]);
  });
});
