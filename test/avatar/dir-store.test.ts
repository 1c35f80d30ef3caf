import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDirStore, normalizePublicUrl, type DirStore } from '../../src/storage/dir.js';
import { FILE_NAME_RE } from '../../src/storage/names.js';

const PUB = 'https://auth.example.com/avatars/';
const img = (data: Buffer) => ({ data, format: 'png' as const, mime: 'image/png', sha256: createHash('sha256').update(data).digest('hex') });

let root: string;
let dir: string;
let store: DirStore;
beforeEach(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'akav-dir-'));
  dir = path.join(root, 'store');
  mkdirSync(dir);
  store = await openDirStore({ dir, publicUrl: PUB });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('dir store', () => {
  test('put writes akav-<32 hex>.<ext> with mode 0644 and no temp file left', async () => {
    const old = process.umask(0o077);
    try {
      const s = await store.put(img(Buffer.from('png bytes')));
      const name = path.basename(s.file!);
      expect(name).toMatch(FILE_NAME_RE);
      expect(name).toMatch(/^akav-[0-9a-f]{32}\.png$/);
      expect(s.value).toBe(PUB + name);
      expect(statSync(s.file!).mode & 0o777).toBe(0o644);
      expect(readdirSync(dir)).toEqual([name]);
    } finally {
      process.umask(old);
    }
  });

  test('jpeg gets .jpg like the Python policy', async () => {
    const s = await store.put({ ...img(Buffer.from('j')), format: 'jpeg', mime: 'image/jpeg' });
    expect(s.file).toMatch(/\.jpg$/);
  });

  test('ours() accepts only our names directly under the public URL', () => {
    const good = `akav-${'a'.repeat(32)}.png`;
    expect(store.ours(PUB + good)).toBe(path.join(dir, good));
    for (const bad of [
      '../../etc/passwd',
      PUB + '../../etc/passwd',
      PUB + `../${good}`,
      PUB + `sub/${good}`,
      PUB + `%2e%2e/${good}`,
      PUB + `${good}?x=1`,
      PUB + `akav-${'A'.repeat(32)}.png`,
      PUB + `akav-${'a'.repeat(31)}.png`,
      PUB + `akav-${'a'.repeat(32)}.exe`,
      PUB + 'other.png',
      `https://evil.example/avatars/${good}`,
      `https://auth.example.com/avatarsX/${good}`,
      `/avatars/${good}`,
      12,
      null,
    ]) {
      expect(store.ours(bad)).toBeNull();
    }
  });

  test('remove deletes our regular file, tolerates a missing one, never follows a symlink', async () => {
    const s = await store.put(img(Buffer.from('x')));
    expect(await store.remove(s.file!)).toBeNull();
    expect(existsSync(s.file!)).toBe(false);
    expect(await store.remove(s.file!)).toBeNull(); // already gone

    const victim = path.join(root, 'victim.txt');
    writeFileSync(victim, 'keep me');
    const link = path.join(dir, `akav-${'b'.repeat(32)}.png`);
    symlinkSync(victim, link);
    expect(await store.remove(link)).toMatch(/not a regular file/);
    expect(existsSync(victim)).toBe(true);
    expect(existsSync(link)).toBe(true);

    expect(await store.remove(path.join(root, 'victim.txt'))).toBe('not one of our files');
    expect(existsSync(victim)).toBe(true);
  });

  test('wouldBeSame compares the content of our current file', async () => {
    const a = img(Buffer.from('same'));
    const s = await store.put(a);
    expect(await store.wouldBeSame(a, s.value)).toBe(true);
    expect(await store.wouldBeSame(img(Buffer.from('other')), s.value)).toBe(false);
    expect(await store.wouldBeSame(a, 'https://elsewhere/x.png')).toBe(false);
  });

  test('bad options are usage errors', async () => {
    await expect(openDirStore({ dir: path.join(root, 'missing'), publicUrl: PUB })).rejects.toMatchObject({ exitCode: 2 });
    writeFileSync(path.join(root, 'file'), '');
    await expect(openDirStore({ dir: path.join(root, 'file'), publicUrl: PUB })).rejects.toMatchObject({ exitCode: 2 });
    expect(() => normalizePublicUrl('ftp://x/')).toThrow(/http/);
    expect(() => normalizePublicUrl('https://x/a?b=1')).toThrow(/query/);
    expect(() => normalizePublicUrl('not a url')).toThrow(/not a URL/);
    expect(() => normalizePublicUrl('https://x.example/a/../b/')).toThrow(/segments/);
    expect(() => normalizePublicUrl('https://x.example/a%2e%2e/')).toThrow(/encoded/);
    expect(() => normalizePublicUrl('https://x.example/a b/')).toThrow(/spaces/);
    expect(normalizePublicUrl('https://x.example/a')).toBe('https://x.example/a/');
    // kept as given, so it compares as text with what the Python policy writes (PUBLIC_URL + name)
    expect(normalizePublicUrl('https://Auth.Example.com/avatars/')).toBe('https://Auth.Example.com/avatars/');
  });

  test('a failed write leaves no temp file and says nothing changed', async () => {
    const ro = await openDirStore({ dir, publicUrl: PUB });
    rmSync(dir, { recursive: true });
    await expect(ro.put(img(Buffer.from('x')))).rejects.toMatchObject({ message: expect.stringMatching(/cannot write the avatar file/) });
  });
});
