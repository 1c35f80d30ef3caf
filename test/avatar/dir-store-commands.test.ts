// The dir store through the commands, against the stand-in for every version, with injected faults:
// new file first, PATCH, old file deleted only afterwards and only when it is ours.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { STANDIN_VERSIONS } from '../../src/standin/index.js';
import { jpeg, meta, png } from './images.js';
import { othersOf, useSuite } from './suite.js';

const PUB = 'https://auth.example.com/avatars/';
const OLD = `akav-${'0'.repeat(32)}.png`;
let photo: Buffer;
let wide: Buffer;
beforeAll(async () => {
  photo = await jpeg(320, 320);
  wide = await png(200, 100);
});

describe.each(STANDIN_VERSIONS)('dir store on authentik %s', (version) => {
  const s = useSuite(version);
  const setup = () => {
    const t = s();
    const store = path.join(t.dir, 'store');
    mkdirSync(store);
    const img = path.join(t.dir, 'me.jpg');
    writeFileSync(img, photo);
    const flags = ['--store', 'dir', '--store-dir', store, '--public-url', PUB];
    const files = () => readdirSync(store).sort();
    return { t, store, img, flags, files };
  };

  test('upload writes akav-<hex>.jpg (0644), points the user at it, replaces and deletes our old file', async () => {
    const { t, store, img, flags, files } = setup();
    writeFileSync(path.join(store, OLD), 'old');
    t.setAttrs('alice', { ...t.user('alice').attributes, avatar: PUB + OLD });
    const others = othersOf(t.user('alice').attributes);
    const r = await t.run(['--json', 'upload', 'alice', img, ...flags]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const [name] = files();
    expect(files()).toEqual([expect.stringMatching(/^akav-[0-9a-f]{32}\.jpg$/)]);
    expect(statSync(path.join(store, name!)).mode & 0o777).toBe(0o644);
    expect(t.user('alice').attributes.avatar).toBe(PUB + name);
    expect(othersOf(t.user('alice').attributes)).toBe(others);
    expect(doc).toMatchObject({ store: 'dir', old: { kind: 'url', url: PUB + OLD, bytes: 3 }, new: { kind: 'url', url: PUB + name }, deletedFiles: [path.join(store, OLD)], orphans: [] });
    expect((await meta(readFileSync(path.join(store, name!)))).width).toBe(256);
  });

  test('a 500 on the user PATCH: the new file is removed, the old file and old avatar stay', async () => {
    const { t, store, img, flags, files } = setup();
    writeFileSync(path.join(store, OLD), 'old');
    t.setAttrs('alice', { ...t.user('alice').attributes, avatar: PUB + OLD });
    const before = JSON.stringify(t.user('alice').attributes);
    t.sb.faults.add({ method: 'PATCH', path: /^\/api\/v3\/core\/users\/\d+\/$/, kind: 'status', status: 500 });
    const r = await t.run(['upload', 'alice', img, ...flags]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^Error: PATCH .*core\/users\/3\/ failed: 500/);
    expect(r.stderr).toMatch(/the avatar is unchanged \(the new file was removed\)/);
    expect(files()).toEqual([OLD]);
    expect(readFileSync(path.join(store, OLD), 'utf8')).toBe('old');
    expect(JSON.stringify(t.user('alice').attributes)).toBe(before);
  });

  test('a connection reset on the PATCH: the user ends on a file that exists, with no orphan', async () => {
    const { t, store, img, flags, files } = setup();
    writeFileSync(path.join(store, OLD), 'old');
    t.setAttrs('alice', { ...t.user('alice').attributes, avatar: PUB + OLD });
    t.sb.faults.add({ method: 'PATCH', path: /core\/users\/3\/$/, kind: 'reset', times: 1 });
    const r = await t.run(['upload', 'alice', img, ...flags]);
    const avatar = t.user('alice').attributes.avatar as string;
    expect(avatar.startsWith(PUB)).toBe(true);
    expect(files()).toEqual([avatar.slice(PUB.length)]);
    if (r.code === 0) expect(avatar).not.toBe(PUB + OLD);
  });

  test('success deletes the old file only when it is ours; crafted values are never followed', async () => {
    const { t, store, img, flags, files } = setup();
    const victim = path.join(t.dir, 'victim.png'); // one level above the store
    writeFileSync(victim, 'keep me');
    const crafted = ['../../etc/passwd', `${PUB}../victim.png`, `${PUB}..%2Fvictim.png`, `https://elsewhere.example/avatars/${OLD}`, `${PUB}sub/${OLD}`];
    writeFileSync(path.join(store, OLD), 'not referenced by these values');
    for (const value of crafted) {
      t.setAttrs('alice', { ...t.user('alice').attributes, avatar: value });
      const r = await t.run(['--json', 'upload', 'alice', img, ...flags]);
      expect([value, r.code]).toEqual([value, 0]);
      expect(JSON.parse(r.stdout).deletedFiles).toEqual([]);
      // tidy our new file so the next round starts from the same directory
      const now = t.user('alice').attributes.avatar as string;
      const { rmSync } = await import('node:fs');
      rmSync(path.join(store, now.slice(PUB.length)));
    }
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(existsSync('/etc/passwd')).toBe(true);
    expect(files()).toEqual([OLD]);
  });

  test('reset with the dir store deletes our file after the user stopped pointing at it', async () => {
    const { t, store, files } = setup();
    writeFileSync(path.join(store, OLD), 'old');
    t.setAttrs('alice', { ...t.user('alice').attributes, avatar: PUB + OLD, avatar_reset: true });
    const others = othersOf(t.user('alice').attributes);
    t.sb.faults.add({ method: 'PATCH', path: /core\/users\/3\/$/, kind: 'status', status: 500 });
    expect((await t.run(['reset', 'alice', '--store-dir', store, '--public-url', PUB])).code).toBe(1);
    expect(files()).toEqual([OLD]); // the user still points at it
    t.sb.faults.clear();
    const r = await t.run(['--json', 'reset', 'alice', '--store-dir', store, '--public-url', PUB]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ changed: true, removedReset: true, deletedFiles: [path.join(store, OLD)] });
    expect(files()).toEqual([]);
    expect(JSON.stringify(t.user('alice').attributes)).toBe(others);
  });

  test('crop of one of our files reads it locally and stores the result as a file again', async () => {
    const { t, store, flags, files } = setup();
    writeFileSync(path.join(store, OLD), wide);
    t.setAttrs('alice', { ...t.user('alice').attributes, avatar: PUB + OLD });
    const r = await t.run(['crop', 'alice', '--store-dir', store, '--public-url', PUB, '--format', 'png']);
    expect(r.code).toBe(0);
    const [name] = files();
    expect(files()).toEqual([expect.stringMatching(/^akav-[0-9a-f]{32}\.png$/)]);
    expect(t.user('alice').attributes.avatar).toBe(PUB + name);
    const m = await meta(readFileSync(path.join(store, name!)));
    expect([m.width, m.height]).toEqual([256, 256]);
    // show knows it is ours
    const shown = JSON.parse((await t.run(['--json', 'show', 'alice', ...flags.slice(2)])).stdout);
    expect(shown.avatar).toMatchObject({ location: 'url', file: path.join(store, name!) });
    expect(shown.image).toMatchObject({ format: 'png', square: true });
  });

  test('crop of our file that has gone missing: one line, nothing written', async () => {
    const { t, store, flags } = setup();
    t.setAttrs('alice', { ...t.user('alice').attributes, avatar: PUB + OLD });
    const before = JSON.stringify(t.user('alice').attributes);
    const r = await t.run(['crop', 'alice', ...flags]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`Error: cannot read the avatar file ${path.join(store, OLD)}: ENOENT`);
    expect(JSON.stringify(t.user('alice').attributes)).toBe(before);
    expect(t.writes()).toEqual([]);
  });

  test('--dry-run with the dir store writes no file and sends no write', async () => {
    const { t, img, flags, files } = setup();
    const r = await t.run(['upload', 'alice', img, ...flags, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Dry run/);
    expect(files()).toEqual([]);
    expect(t.writes()).toEqual([]);
  });
});
