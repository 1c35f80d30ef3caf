// `upload` against the stand-in, for every authentik version it plays.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { STANDIN_VERSIONS } from '../../src/standin/index.js';
import { htmlAsPng, jpeg, lyingHeaderBomb, meta, png } from './images.js';
import { othersOf, useSuite } from './suite.js';

let photo: Buffer; // 400×300 JPEG with EXIF
let transparent: Buffer;
beforeAll(async () => {
  photo = await jpeg(400, 300);
  transparent = await png(120, 80, { alpha: true });
});

const avatarOf = (attrs: Record<string, unknown>) => attrs.avatar as string;
const decode = (uri: string) => Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');

describe.each(STANDIN_VERSIONS)('upload on authentik %s', (version) => {
  const s = useSuite(version);
  const file = (name: string, data: Buffer) => {
    const p = path.join(s().dir, name);
    writeFileSync(p, data);
    return p;
  };

  test.each([
    ['username', 'alice', [] as string[]],
    ['email', 'alice@example.com', []],
    ['id', '3', []],
    ['uuid', '<uuid>', []],
    ['--by username', 'alice', ['--by', 'username']],
    ['--by email', 'alice@example.com', ['--by', 'email']],
  ])('finds the user by %s, keeps every other attribute byte-identical', async (_label, value, extra) => {
    const t = s();
    const before = othersOf(t.user('alice').attributes);
    const who = value === '<uuid>' ? t.user('alice').uuid : value;
    const r = await t.run(['upload', who, file('me.jpg', photo), ...extra]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const after = t.user('alice').attributes;
    expect(othersOf(after)).toBe(before);
    expect(avatarOf(after)).toMatch(/^data:image\/jpeg;base64,/);
    const m = await meta(decode(avatarOf(after)));
    expect([m.format, m.width, m.height, m.exif]).toEqual(['jpeg', 256, 256, undefined]);
    expect(t.writes().map((w) => `${w.method} ${w.path}`)).toEqual(['PATCH /api/v3/core/users/3/']);
  });

  test('--by id and --by uuid force the selector', async () => {
    const t = s();
    expect((await t.run(['upload', '--by', 'id', '6', file('a.png', transparent)])).code).toBe(0);
    expect(avatarOf(t.user('carol').attributes)).toMatch(/^data:image\/png;base64,/); // transparency -> PNG
    const r = await t.run(['upload', 'alice', file('b.png', transparent), '--by', 'uuid']);
    expect(r.code).toBe(2); // "alice" is not a uuid
    expect(t.user('alice').attributes.avatar).toBeUndefined();
  });

  test('an ambiguous or unknown user is exit 5 naming the candidates, and nothing is written', async () => {
    const t = s();
    const amb = await t.run(['upload', 'dave@example.com', file('a.jpg', photo)]);
    expect(amb.code).toBe(5);
    expect(amb.stderr).toMatch(/dave \(id 7/);
    expect(amb.stderr).toMatch(/dave\.admin \(id 8/);
    expect(amb.stderr.trim().split('\n')[0]).toMatch(/^Error: 2 users match/);
    const unknown = await t.run(['upload', 'nobody', file('a.jpg', photo)]);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toMatch(/no user matches username "nobody"/);
    const noId = await t.run(['upload', '999', file('a.jpg', photo)]);
    expect(noId.code).toBe(5);
    expect(t.writes()).toEqual([]);
  });

  test('reads the image from stdin', async () => {
    const t = s();
    const r = await t.run(['--json', 'upload', 'carol', '-', '--size', '64', '--format', 'png'], { stdin: photo });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const stored = avatarOf(t.user('carol').attributes);
    const bytes = decode(stored);
    expect(doc).toMatchObject({
      command: 'upload',
      changed: true,
      store: 'inline',
      user: { pk: 6, username: 'carol' },
      old: { kind: 'none' },
      new: { kind: 'data-uri', mime: 'image/png', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
      image: { format: 'png', width: 64, height: 64, source: { type: 'jpeg', width: 400, height: 300 } },
    });
    expect((await meta(bytes)).width).toBe(64);
  });

  test('--dry-run --out writes the processed image locally and sends no write', async () => {
    const t = s();
    const before = JSON.stringify(t.user('alice').attributes);
    const out = path.join(t.dir, 'preview.jpg');
    const r = await t.run(['--json', 'upload', 'alice', file('a.jpg', photo), '--dry-run', '--out', out, '--size', '128']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dryRun: true, changed: true, out, new: { kind: 'data-uri', mime: 'image/jpeg' } });
    expect(t.writes()).toEqual([]);
    expect(JSON.stringify(t.user('alice').attributes)).toBe(before);
    const m = await meta(readFileSync(out));
    expect([m.format, m.width, m.height]).toEqual(['jpeg', 128, 128]);
  });

  test.each([
    ['HTML saved as .png', 'page.png', () => htmlAsPng, /unsupported|not an image|type/i],
    ['a lying-header bomb', 'bomb.png', () => lyingHeaderBomb(), /pixels|too large|damaged/i],
    ['an empty file', 'empty.jpg', () => Buffer.alloc(0), /empty|unsupported|damaged/i],
  ])('refuses %s with one line, contacts nobody, leaves the user alone', async (_label, name, make, why) => {
    const t = s();
    t.setAttrs('alice', { ...t.user('alice').attributes, avatar: 'https://cdn.example/old.png' });
    const before = JSON.stringify(t.user('alice').attributes);
    const t0 = Date.now();
    const r = await t.run(['upload', 'alice', file(name, make())]);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^Error: /);
    expect(lines[0]).toMatch(why);
    expect(lines.length).toBeLessThanOrEqual(2); // the error and at most a hint
    expect(t.writes()).toEqual([]);
    expect(JSON.stringify(t.user('alice').attributes)).toBe(before);
  });

  test('bad flags are usage errors before anything is read or sent', async () => {
    const t = s();
    const img = file('a.jpg', photo);
    for (const args of [
      ['--size', '2000'],
      ['--size', 'big'],
      ['--quality', '0'],
      ['--format', 'gif'],
      ['--crop', '1,2,3'],
      ['--store', 'dir'],
      ['--out', path.join(t.dir, 'x.jpg')],
      ['--crop', '300,200,200,200'], // outside the 400×300 image
    ]) {
      const r = await t.run(['upload', 'alice', img, ...args]);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr.split('\n')[0]).toMatch(/^Error: /);
    }
    expect(t.writes()).toEqual([]);
    expect(existsSync(path.join(t.dir, 'x.jpg'))).toBe(false);
    expect(t.user('alice').attributes.avatar).toBeUndefined();
  });

  test('a missing file is one line, exit non-zero', async () => {
    const t = s();
    const r = await t.run(['upload', 'alice', path.join(t.dir, 'nope.png')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(/^Error: .*nope\.png/);
    expect(t.requests()).toEqual([]);
  });

  test('webp into the inline store warns about Nextcloud; the same image again changes nothing', async () => {
    const t = s();
    const img = file('a.jpg', photo);
    const r = await t.run(['upload', 'alice', img, '--format', 'webp']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Warning: .*Nextcloud/);
    expect(avatarOf(t.user('alice').attributes)).toMatch(/^data:image\/webp;base64,/);
    const again = await t.run(['--json', 'upload', 'alice', img, '--format', 'webp']);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false });
    expect(t.writes()).toHaveLength(1);
  });

  test('--crop picks the region by hand', async () => {
    const t = s();
    // left half red, right half blue: a square from the right half is all blue
    const r = await t.run(['upload', 'alice', file('a.jpg', photo), '--crop', '250,50,100,100', '--size', '32', '--format', 'png']);
    expect(r.code).toBe(0);
    const { data, info } = await (await import('sharp')).default(decode(avatarOf(t.user('alice').attributes))).raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(32);
    expect(data[0]).toBeLessThan(40); // r
    expect(data[2]).toBeGreaterThan(200); // b
  });
});
