// The no-data-loss orchestration against an in-memory fake of the user API, where every failure
// mode (PATCH lost, PATCH applied but answer lost, re-read failing, unlink failing) is deterministic.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { changeAvatar } from '../../src/avatar/change.js';
import type { AvatarApi } from '../../src/avatar/user.js';
import { CliError } from '../../src/errors.js';
import { DirStore } from '../../src/storage/dir.js';
import type { AvatarStore } from '../../src/storage/types.js';

const PUB = 'https://cdn.example/avatars/';

interface FakeUser { pk: number; username: string; name: string; email: string; attributes: Record<string, unknown> }

class FakeApi implements AvatarApi {
  baseUrl = 'https://ak.example/api/v3/';
  log: string[] = [];
  user: FakeUser;
  /** 'lost': fail without applying; 'applied': apply, then fail (a timeout after the write). */
  patchFault?: 'lost' | 'applied';
  failGets = 0; // fail the next N GETs (after the first)
  mangle?: (attrs: Record<string, unknown>) => void;
  private gets = 0;
  constructor(attributes: Record<string, unknown>) {
    this.user = { pk: 7, username: 'alice', name: 'Alice', email: 'alice@example.com', attributes: structuredClone(attributes) };
  }
  async get<T>(p: string): Promise<T> {
    this.log.push(`GET ${p}`);
    if (this.gets++ > 0 && this.failGets > 0) {
      this.failGets--;
      throw new CliError('GET failed: connection reset');
    }
    return structuredClone(this.user) as T;
  }
  async patch<T>(p: string, body: unknown): Promise<T> {
    this.log.push(`PATCH ${p}`);
    if (this.patchFault === 'lost') throw new CliError(`PATCH https://ak.example/api/v3/${p} failed: 500 Internal Server Error`);
    this.user.attributes = structuredClone((body as { attributes: Record<string, unknown> }).attributes);
    this.mangle?.(this.user.attributes);
    if (this.patchFault === 'applied') throw new CliError(`PATCH https://ak.example/api/v3/${p} failed: socket hang up`);
    return structuredClone(this.user) as T;
  }
  async features() {
    return { settingsApi: true };
  }
}

const image = (s: string) => {
  const data = Buffer.from(s);
  return { data, format: 'png' as const, mime: 'image/png', sha256: createHash('sha256').update(data).digest('hex') };
};

let root: string;
let dir: string;
let store: DirStore;
let unlinked: string[];
let unlinkFails: boolean;
let oldName: string;
const others = { department: 'ops', settings: { locale: 'de', nested: [1, 2, { x: null }] }, upn: 'a@corp' };

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'akav-change-'));
  dir = path.join(root, 'store');
  mkdirSync(dir);
  unlinked = [];
  unlinkFails = false;
  store = new DirStore(dir, PUB, async (f) => {
    if (unlinkFails) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    unlinked.push(f);
    rmSync(f);
  });
  oldName = `akav-${'1'.repeat(32)}.png`;
  writeFileSync(path.join(dir, oldName), 'old picture');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const files = () => readdirSync(dir).sort();

describe('changeAvatar with the dir store', () => {
  test('success: new file written, user pointed at it, verified, old file of ours deleted, rest untouched', async () => {
    const api = new FakeApi({ ...others, avatar: PUB + oldName, avatar_reset: true });
    const r = await changeAvatar(api, 7, { kind: 'set', image: image('new'), store }, { files: store });
    expect(api.log).toEqual(['GET core/users/7/', 'PATCH core/users/7/', 'GET core/users/7/']);
    expect(r.changed).toBe(true);
    expect(r.removedReset).toBe(true);
    const newName = path.basename(r.new.file!);
    expect(files()).toEqual([newName]);
    expect(api.user.attributes).toEqual({ ...others, avatar: PUB + newName });
    expect(r.deletedFiles).toEqual([path.join(dir, oldName)]);
    expect(r.old).toMatchObject({ kind: 'url', bytes: 11 });
    expect(r.new).toMatchObject({ kind: 'url', url: PUB + newName, bytes: 3, sha256: image('new').sha256 });
  });

  test('PATCH fails: new file removed, old file and old avatar intact', async () => {
    const before = { ...others, avatar: PUB + oldName };
    const api = new FakeApi(before);
    api.patchFault = 'lost';
    const err = await changeAvatar(api, 7, { kind: 'set', image: image('new'), store }, { files: store }).catch((e: CliError) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).message).toMatch(/500 Internal Server Error/);
    expect((err as CliError).hint).toMatch(/unchanged \(the new file was removed\)/);
    expect(files()).toEqual([oldName]);
    expect(api.user.attributes).toEqual(before);
  });

  test('PATCH applied but its answer lost: carries on, verifies, deletes the old file', async () => {
    const api = new FakeApi({ ...others, avatar: PUB + oldName });
    api.patchFault = 'applied';
    const r = await changeAvatar(api, 7, { kind: 'set', image: image('new'), store }, { files: store });
    expect(r.changed).toBe(true);
    expect(files()).toEqual([path.basename(r.new.file!)]);
    expect(api.user.attributes.avatar).toBe(r.new.url);
  });

  test('PATCH fails and the user cannot be re-read: the new file is kept (maybe in use) and named', async () => {
    const api = new FakeApi({ ...others, avatar: PUB + oldName });
    api.patchFault = 'lost';
    api.failGets = 5;
    const err = (await changeAvatar(api, 7, { kind: 'set', image: image('new'), store }, { files: store }).catch((e) => e)) as CliError;
    expect(err.hint).toMatch(/could not re-read the user: .*akav-[0-9a-f]{32}\.png was kept/);
    expect(files()).toHaveLength(2);
    expect(files()).toContain(oldName);
  });

  test('PATCH fails and the new file cannot be removed: reported as left behind', async () => {
    const api = new FakeApi({ ...others, avatar: PUB + oldName });
    api.patchFault = 'lost';
    unlinkFails = true;
    const err = (await changeAvatar(api, 7, { kind: 'set', image: image('new'), store }, { files: store }).catch((e) => e)) as CliError;
    expect(err.hint).toMatch(/could not be removed \(EACCES\): delete it by hand/);
  });

  test('old file that cannot be deleted after success: a warning and an orphan, the change stands', async () => {
    const api = new FakeApi({ ...others, avatar: PUB + oldName });
    unlinkFails = true;
    const r = await changeAvatar(api, 7, { kind: 'set', image: image('new'), store }, { files: store });
    expect(r.changed).toBe(true);
    expect(r.orphans).toEqual([path.join(dir, oldName)]);
    expect(r.warnings.join()).toMatch(/could not delete the previous avatar file/);
  });

  test.each([
    ['../../etc/passwd'],
    [`${PUB}../../etc/passwd`],
    [`${PUB}..%2f..%2fetc%2fpasswd`],
    [`https://elsewhere.example/avatars/akav-${'1'.repeat(32)}.png`],
    [`${PUB}akav-${'1'.repeat(32)}.png/../../x`],
  ])('a crafted previous value %s is never deleted', async (crafted) => {
    const api = new FakeApi({ ...others, avatar: crafted });
    const r = await changeAvatar(api, 7, { kind: 'set', image: image('new'), store }, { files: store });
    expect(r.changed).toBe(true);
    expect(unlinked).toEqual([]);
    expect(r.deletedFiles).toEqual([]);
    expect(files()).toContain(oldName);
  });

  test('read-back differs (someone else wrote): error naming the keys; nothing deleted', async () => {
    const api = new FakeApi({ ...others, avatar: PUB + oldName });
    api.mangle = (a) => void (a.department = 'sales');
    const err = (await changeAvatar(api, 7, { kind: 'set', image: image('new'), store }, { files: store }).catch((e) => e)) as CliError;
    expect(err.message).toMatch(/differs in attributes: department/);
    expect(files()).toHaveLength(2); // user points at the new file; the old one is not deleted on an unverified change
    expect(unlinked).toEqual([]);
  });

  test('reset: PATCH without the avatar, then our file deleted', async () => {
    const api = new FakeApi({ ...others, avatar: PUB + oldName, avatar_reset: false });
    const r = await changeAvatar(api, 7, { kind: 'remove' }, { files: store });
    expect(api.user.attributes).toEqual(others);
    expect(r).toMatchObject({ changed: true, removedReset: true, new: { kind: 'none' } });
    expect(files()).toEqual([]);
  });

  test('reset failing at the PATCH keeps the file the user still points at', async () => {
    const api = new FakeApi({ ...others, avatar: PUB + oldName });
    api.patchFault = 'lost';
    await expect(changeAvatar(api, 7, { kind: 'remove' }, { files: store })).rejects.toThrow(/500/);
    expect(files()).toEqual([oldName]);
    expect(api.user.attributes.avatar).toBe(PUB + oldName);
  });

  test('without dir settings no file is ever deleted, and the admin is told', async () => {
    const api = new FakeApi({ ...others, avatar: PUB + oldName });
    const r = await changeAvatar(api, 7, { kind: 'remove' });
    expect(files()).toEqual([oldName]);
    expect(r.warnings.join()).toMatch(/left in place/);
  });
});

describe('changeAvatar: no needless writes', () => {
  const fixedStore = (value: string): AvatarStore => ({
    kind: 'inline',
    wouldBeSame: async (_i, cur) => cur === value,
    put: async () => ({ value }),
    discard: async () => null,
  });

  test('same value and no avatar_reset: no PATCH', async () => {
    const api = new FakeApi({ ...others, avatar: 'data:image/png;base64,AAAA' });
    const r = await changeAvatar(api, 7, { kind: 'set', image: image('x'), store: fixedStore('data:image/png;base64,AAAA') });
    expect(r.changed).toBe(false);
    expect(api.log).toEqual(['GET core/users/7/']);
  });

  test('same value but a stale avatar_reset: PATCH removes it', async () => {
    const api = new FakeApi({ ...others, avatar: 'data:image/png;base64,AAAA', avatar_reset: true });
    const r = await changeAvatar(api, 7, { kind: 'set', image: image('x'), store: fixedStore('data:image/png;base64,AAAA') });
    expect(r.changed).toBe(true);
    expect(api.user.attributes).toEqual({ ...others, avatar: 'data:image/png;base64,AAAA' });
  });

  test('reset with nothing to reset, and dry runs: reads only', async () => {
    const api = new FakeApi({ ...others });
    expect((await changeAvatar(api, 7, { kind: 'remove' })).changed).toBe(false);
    const api2 = new FakeApi({ ...others, avatar: PUB + oldName });
    const r = await changeAvatar(api2, 7, { kind: 'set', image: image('new'), store }, { files: store, dryRun: true });
    expect(r).toMatchObject({ changed: true, dryRun: true });
    expect(api.log.concat(api2.log).every((l) => l.startsWith('GET'))).toBe(true);
    expect(files()).toEqual([oldName]);
  });

  test('expectCurrent: a value changed meanwhile stops before any write', async () => {
    const api = new FakeApi({ ...others, avatar: 'data:image/png;base64,BBBB' });
    await expect(
      changeAvatar(api, 7, { kind: 'set', image: image('x'), store }, { expectCurrent: { value: 'data:image/png;base64,AAAA' } }),
    ).rejects.toThrow(/changed while this command ran/);
    expect(files()).toEqual([oldName]);
    expect(api.log).toEqual(['GET core/users/7/']);
  });

  test('a user answer without an attributes dict is refused before any write', async () => {
    const api = new FakeApi({});
    (api.user as unknown as { attributes: unknown }).attributes = 'oops';
    await expect(changeAvatar(api, 7, { kind: 'remove' })).rejects.toThrow(/attributes is not a JSON object/);
    expect(api.log).toEqual(['GET core/users/7/']);
  });
});
