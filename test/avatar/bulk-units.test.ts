// The small pieces under the bulk commands: the bounded pool, file-name keys, the inline store's
// "same picture" test (decoded bytes, not text), and the result lines.
import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { changedItem, failedItem, keyOf, listSyncFiles, mapPool, newItem, totalsOf, type ChangeResult } from '../../src/avatar/index.js';
import { CliError, ExitCode } from '../../src/errors.js';
import { InlineStore } from '../../src/storage/inline.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('mapPool', () => {
  test('never runs more than the limit at once and keeps the order of the items', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapPool([30, 5, 20, 1, 10, 2], 2, async (ms, i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return `${i}:${ms}`;
    });
    expect(peak).toBe(2);
    expect(out).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10', '5:2']);
  });

  test('an error that escapes stops new items and is rethrown after the running ones finish', async () => {
    const started: number[] = [];
    let finished = 0;
    const p = mapPool([0, 1, 2, 3, 4], 2, async (i) => {
      started.push(i);
      if (i === 0) throw new Error('boom');
      await new Promise((r) => setTimeout(r, 5));
      finished++;
      return i;
    });
    await expect(p).rejects.toThrow('boom');
    expect(started).toEqual([0, 1]);
    expect(finished).toBe(1);
  });

  test('no items: no call', async () => {
    expect(await mapPool([], 4, async () => 1)).toEqual([]);
  });
});

describe('sync files', () => {
  test.each([
    ['alice.jpg', 'alice'],
    ['alice.smith.png', 'alice.smith'],
    ['alice@example.com.webp', 'alice@example.com'],
    ['42.png', '42'],
    ['bob', 'bob'],
  ])('%s names %s', (name, key) => expect(keyOf(name)).toBe(key));

  test('sorted; hidden files and directories are skipped and listed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'akav-sync-'));
    for (const n of ['b.png', 'a.jpg', '.DS_Store']) writeFileSync(path.join(dir, n), 'x');
    mkdirSync(path.join(dir, 'sub'));
    const { files, skipped } = await listSyncFiles(dir);
    expect(files.map((f) => [f.name, f.key, f.path])).toEqual([
      ['a.jpg', 'a', path.join(dir, 'a.jpg')],
      ['b.png', 'b', path.join(dir, 'b.png')],
    ]);
    expect(skipped).toEqual([
      { name: '.DS_Store', reason: 'hidden file' },
      { name: 'sub', reason: 'directory' },
    ]);
    await expect(listSyncFiles(path.join(dir, 'a.jpg'))).rejects.toMatchObject({ exitCode: ExitCode.USAGE, message: expect.stringMatching(/is not a directory$/) });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('InlineStore.wouldBeSame', () => {
  const data = Buffer.from('pretend-png-bytes');
  const image = { data, format: 'png' as const, mime: 'image/png', sha256: sha(data) };
  const store = new InlineStore();
  test.each([
    ['the same data URI', `data:image/png;base64,${data.toString('base64')}`, true],
    ['the same bytes, MIME type in capitals', `data:IMAGE/PNG;base64,${data.toString('base64')}`, true],
    ['the same bytes, another MIME type', `data:image/jpeg;base64,${data.toString('base64')}`, false],
    ['other bytes', `data:image/png;base64,${Buffer.from('other').toString('base64')}`, false],
    ['a broken data URI', 'data:image/png;base64,@@@', false],
    ['a URL', 'https://cdn.example/a.png', false],
    ['nothing', undefined, false],
  ])('%s', async (_label, value, same) => {
    expect(await store.wouldBeSame(image, value)).toBe(same);
  });
});

describe('result lines', () => {
  const img = { bytes: 10, sha256: 'ab', format: 'jpeg', width: 256, height: 256 };
  const change = (old: ChangeResult['old'], changed: boolean, dryRun = false): ChangeResult => ({
    user: { pk: 3, username: 'alice' },
    changed,
    dryRun,
    old,
    new: { kind: 'data-uri' },
    removedReset: false,
    deletedFiles: [],
    orphans: [],
    warnings: ['w'],
  });
  test('create / update / unchanged come from the change; a failure keeps the one-line reason, hint and exit code', () => {
    const base = newItem('alice', null, { file: 'alice.jpg' });
    expect(changedItem(base, img, change({ kind: 'none' }, true))).toMatchObject({ action: 'create', pk: 3, file: 'alice.jpg', bytes: 10, warnings: ['w'] });
    expect(changedItem(base, img, change({ kind: 'url' }, true, true))).toMatchObject({ action: 'update', dryRun: true });
    expect(changedItem(base, img, change({ kind: 'url' }, false))).toMatchObject({ action: 'unchanged', dryRun: false });
    const failed = failedItem(base, new CliError('no user matches username "ghost"', ExitCode.NOT_FOUND, { hint: 'check it' }));
    expect(failed).toMatchObject({ action: 'failed', error: 'no user matches username "ghost"', hint: 'check it', exitCode: 5, pk: null });
    expect(totalsOf([failed, changedItem(base, img, change({ kind: 'none' }, true))])).toEqual({ create: 1, update: 0, unchanged: 0, failed: 1 });
  });
});
