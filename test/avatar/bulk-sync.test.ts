// `sync <dir>` against the stand-in (maxPageSize 2, so the user list takes several pages): avatars for
// many users, idempotent re-runs (zero writes), --check, per-file failures, --json, the dir store.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { STANDIN_VERSIONS, type Standin } from '../../src/standin/index.js';
import { dataUri, htmlAsPng, jpeg, lyingHeaderBomb, meta, png } from './images.js';
import { othersOf, useSuite, type Suite } from './suite.js';

const VERSIONS = STANDIN_VERSIONS;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const decode = (uri: string) => Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
const patches = (reqs: Standin['requests']) => reqs.filter((r) => r.method === 'PATCH');

let photo: Buffer; // 320×240 JPEG
let square: Buffer; // 300×300 PNG
let other: Buffer; // another picture
beforeAll(async () => {
  photo = await jpeg(320, 240);
  square = await png(300, 300);
  other = await png(64, 64, { colour: '#22aa44' });
});

interface Doc {
  command: string;
  dryRun: boolean;
  check: boolean;
  results: Array<{ user: string; pk: number | null; file: string; action: string; error?: string; bytes?: number; sha256?: string; dryRun: boolean }>;
  totals: { create: number; update: number; unchanged: number; failed: number };
  requests: { total: number; reads: number; writes: number };
  skipped: Array<{ name: string; reason: string }>;
  exitCode: number;
}

/** stdout must be exactly one JSON document (JSON.parse refuses two). */
function parse(stdout: string): Doc {
  return JSON.parse(stdout) as Doc;
}

function images(t: Suite, files: Record<string, Buffer>): string {
  const dir = path.join(t.dir, `in-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  for (const [name, data] of Object.entries(files)) writeFileSync(path.join(dir, name), data);
  return dir;
}

describe.each(VERSIONS)('sync on authentik %s', (version) => {
  const s = useSuite(version);

  test('creates and updates avatars for several users, keeps every other attribute; a re-run writes nothing', async () => {
    const t = s();
    t.setAttrs('bob', { ...t.user('bob').attributes, avatar: dataUri('image/png', other), avatar_reset: true });
    const users = ['alice', 'alice.smith', 'bob', 'carol', 'dave'];
    const before = Object.fromEntries(users.map((u) => [u, othersOf(t.user(u).attributes)]));
    const dir = images(t, { 'alice.jpg': photo, 'alice.smith.png': square, 'bob.png': square, 'carol.jpeg': photo, 'dave.png': other, '.gitkeep': Buffer.alloc(0) });

    const r = await t.run(['--json', 'sync', dir, '--size', '128']);
    expect(r.code).toBe(0);
    const doc = parse(r.stdout);
    expect(doc).toMatchObject({ command: 'sync', dryRun: false, check: false, exitCode: 0, totals: { create: 4, update: 1, unchanged: 0, failed: 0 } });
    expect(doc.skipped).toEqual([{ name: '.gitkeep', reason: 'hidden file' }]);
    expect(doc.results.map((i) => [i.file, i.user, i.action])).toEqual([
      ['alice.jpg', 'alice', 'create'],
      ['alice.smith.png', 'alice.smith', 'create'],
      ['bob.png', 'bob', 'update'],
      ['carol.jpeg', 'carol', 'create'],
      ['dave.png', 'dave', 'create'],
    ]);
    for (const i of doc.results) {
      const attrs = t.user(i.user).attributes;
      expect(othersOf(attrs)).toBe(before[i.user]);
      expect(attrs.avatar_reset).toBeUndefined();
      const bytes = decode(attrs.avatar as string);
      expect({ user: i.user, sha: sha(bytes), bytes: bytes.length }).toEqual({ user: i.user, sha: i.sha256, bytes: i.bytes });
      expect((await meta(bytes)).width).toBe(128);
    }
    // one PATCH per changed user, and the counts in the document are the requests the server saw
    expect(patches(t.requests())).toHaveLength(5);
    expect(doc.requests).toEqual({ total: t.requests().length, reads: t.requests().length - 5, writes: 5 });

    const mark = t.sb.requests.length;
    const again = await t.run(['--json', 'sync', dir, '--size', '128']);
    expect(again.code).toBe(0);
    const second = parse(again.stdout);
    const sent = t.sb.requests.slice(mark);
    expect(patches(sent)).toEqual([]);
    expect(second.totals).toEqual({ create: 0, update: 0, unchanged: 5, failed: 0 });
    expect(second.requests.writes).toBe(0);
    // unchanged users cost no request of their own: only the pages of the user list (9 users, 2 per page)
    expect(sent.every((q) => q.method === 'GET' && q.path === '/api/v3/core/users/')).toBe(true);
    expect(sent).toHaveLength(5);
    expect(second.requests.total).toBe(5);
  });

  test('--check: exit 8 while something would change (nothing written), 0 once synced; --dry-run plans', async () => {
    const t = s();
    const dir = images(t, { 'alice.jpg': photo, 'carol.png': square });
    const check = await t.run(['--json', 'sync', dir, '--check']);
    expect(check.code).toBe(8);
    const doc = parse(check.stdout);
    expect(doc).toMatchObject({ check: true, dryRun: true, exitCode: 8, totals: { create: 2, update: 0, unchanged: 0, failed: 0 } });
    expect(doc.results.every((i) => i.dryRun)).toBe(true);
    const plain = await t.run(['sync', dir, '--dry-run']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/alice +alice\.jpg {2}would be created \(256×256 jpeg/);
    expect(plain.stdout).toMatch(/2 files: 2 would be created, 0 would be updated, 0 unchanged, 0 failed \(\d+ requests, 0 writes\); nothing was changed/);
    expect(t.writes()).toEqual([]);
    expect(t.user('alice').attributes.avatar).toBeUndefined();

    expect((await t.run(['sync', dir])).code).toBe(0);
    const after = await t.run(['sync', dir, '--check']);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/2 files: 0 would be created, 0 would be updated, 2 unchanged, 0 failed/);
    // a changed picture is pending again
    writeFileSync(path.join(dir, 'carol.png'), other);
    expect((await t.run(['sync', dir, '--check'])).code).toBe(8);
  });

  test('a hostile file, a non-image, an unknown user, an ambiguous name and two files for one user fail alone (exit 1)', async () => {
    const t = s();
    const carolBefore = JSON.stringify(t.user('carol').attributes);
    const bobBefore = JSON.stringify(t.user('bob').attributes);
    const dir = images(t, {
      'alice.jpg': photo,
      'carol.png': htmlAsPng, // HTML named .png
      'dave.png': lyingHeaderBomb(),
      'ghost.png': square, // nobody is called ghost
      'bob.jpg': photo,
      'bob.png': square, // two files for bob
      'notes.txt': Buffer.from('not a picture\n'),
    });
    const r = await t.run(['--json', 'sync', dir, '--concurrency', '3']);
    expect(r.code).toBe(1);
    const doc = parse(r.stdout);
    const by = Object.fromEntries(doc.results.map((i) => [i.file, i]));
    expect(by['alice.jpg']).toMatchObject({ user: 'alice', action: 'create' });
    expect(by['carol.png']).toMatchObject({ user: 'carol', action: 'failed', error: expect.stringMatching(/^unsupported image type|not an image/i) });
    expect(by['dave.png']).toMatchObject({ user: 'dave', action: 'failed', error: expect.stringMatching(/pixels|too large|damaged/i) });
    expect(by['ghost.png']).toMatchObject({ user: 'ghost', pk: null, action: 'failed', error: 'no user matches username "ghost"' });
    expect(by['notes.txt']).toMatchObject({ user: 'notes', action: 'failed', error: 'no user matches username "notes"' });
    for (const f of ['bob.jpg', 'bob.png']) expect(by[f]).toMatchObject({ user: 'bob', action: 'failed', error: '2 files are for user bob: bob.jpg, bob.png' });
    for (const i of doc.results) if (i.action === 'failed') expect(i.error).not.toMatch(/\n/);
    expect(doc.totals).toEqual({ create: 1, update: 0, unchanged: 0, failed: 6 });
    expect(doc.exitCode).toBe(1);
    // only alice was written
    expect(patches(t.requests()).map((q) => q.path)).toEqual([`/api/v3/core/users/${t.user('alice').pk}/`]);
    expect(JSON.stringify(t.user('carol').attributes)).toBe(carolBefore);
    expect(JSON.stringify(t.user('bob').attributes)).toBe(bobBefore);

    // the human form names each failure on its own line
    const human = await t.run(['sync', dir]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/✖ carol +carol\.png {2}failed: unsupported image type/);
    expect(human.stdout).toMatch(/✖ ghost +ghost\.png {2}failed: no user matches username "ghost"/);
    expect(human.stderr).toMatch(/^Error: 6 of 7 files failed\nHint: the others were done/m);
    expect(human.stdout).toMatch(/= alice +alice\.jpg {2}unchanged/);
  });

  test('--by email (ambiguous emails fail with the candidates) and --by id', async () => {
    const t = s();
    const byEmail = images(t, { 'alice@example.com.png': square, 'dave@example.com.png': square });
    const r = await t.run(['--json', 'sync', byEmail, '--by', 'email']);
    expect(r.code).toBe(1);
    const doc = parse(r.stdout);
    expect(doc.results[0]).toMatchObject({ user: 'alice', action: 'create' });
    expect(doc.results[1]).toMatchObject({ user: 'dave@example.com', action: 'failed', error: expect.stringMatching(/^2 users match email "dave@example.com": dave \(id 7/) });

    const byId = images(t, { [`${t.user('carol').pk}.png`]: square, 'x.png': square });
    const ids = parse((await t.run(['--json', 'sync', byId, '--by', 'id'])).stdout);
    expect(ids.results.map((i) => [i.user, i.action])).toEqual([
      ['carol', 'create'],
      ['x', 'failed'],
    ]);
    expect(ids.results[1]!.error).toBe('"x" is not a user id');
  });

  test('the dir store: one file per user, a re-run writes no file and no PATCH', async () => {
    const t = s();
    const store = path.join(t.dir, 'store');
    mkdirSync(store);
    const flags = ['--store', 'dir', '--store-dir', store, '--public-url', 'https://auth.example.com/avatars/'];
    const dir = images(t, { 'alice.jpg': photo, 'bob.png': square, 'carol.png': other });
    const first = await t.run(['--json', 'sync', dir, ...flags]);
    expect(first.code).toBe(0);
    const files = readdirSync(store).sort();
    expect(files).toHaveLength(3);
    for (const u of ['alice', 'bob', 'carol']) {
      expect(t.user(u).attributes.avatar).toMatch(/^https:\/\/auth\.example\.com\/avatars\/akav-[0-9a-f]{32}\.(jpg|png)$/);
    }
    const mark = t.sb.requests.length;
    const again = parse((await t.run(['--json', 'sync', dir, ...flags])).stdout);
    expect(again.totals.unchanged).toBe(3);
    expect(patches(t.sb.requests.slice(mark))).toEqual([]);
    expect(readdirSync(store).sort()).toEqual(files);
    // a new picture replaces the file: the old one (ours) is deleted after the PATCH
    writeFileSync(path.join(dir, 'bob.png'), other);
    const third = parse((await t.run(['--json', 'sync', dir, ...flags])).stdout);
    expect(third.totals).toEqual({ create: 0, update: 1, unchanged: 2, failed: 0 });
    expect(readdirSync(store)).toHaveLength(3);
  });

  test('usage errors before anything is sent: a missing directory, a bad --concurrency', async () => {
    const t = s();
    const missing = await t.run(['sync', path.join(t.dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^Error: .*nope does not exist/);
    const conc = await t.run(['sync', t.dir, '--concurrency', '0']);
    expect(conc.code).toBe(2);
    expect(conc.stderr).toMatch(/--concurrency must be between 1 and 16/);
    const empty = await t.run(['--json', 'sync', images(t, {})]);
    expect(empty.code).toBe(0);
    expect(parse(empty.stdout).results).toEqual([]);
    expect(t.writes()).toEqual([]);
  });
});
