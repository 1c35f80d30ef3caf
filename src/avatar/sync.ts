// `sync`: avatars for many users from a directory of files named after them (alice.jpg, 42.png, ...).
// Every file goes through the upload pipeline; a user whose avatar already is the resulting image
// (same bytes) gets no request at all, so a second run of the same directory writes nothing. The
// users come from one bulk resolution (injected: the CLI passes src/authentik/users.ts's
// resolveUsers), each change from changeAvatar(). One bad file or unknown user is one failed line.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { CliError, ExitCode } from '../errors.js';
import { processImage, type ProcessedImage, type ProcessOptions } from '../image/index.js';
import type { AvatarStore, FileOwnership } from '../storage/types.js';
import { changedItem, failedItem, mapPool, newItem, unchangedItem, type BulkItem } from './bulk.js';
import { changeAvatar, isAlreadySet, type Target } from './change.js';
import { toAvatarUser, type AvatarApi, type AvatarUser } from './user.js';

export interface SyncFile {
  /** The file's name in the directory, e.g. "alice.smith.jpg". */
  name: string;
  /** Absolute path. */
  path: string;
  /** What names the user: the name without its last extension ("alice.smith"). */
  key: string;
}

export interface SkippedEntry {
  name: string;
  reason: string;
}

/** Per value: the user (as the API returned it) or why there is none. */
export type Resolver = (keys: string[]) => Promise<Map<string, unknown>>;

export interface SyncOptions {
  process: ProcessOptions;
  store: AvatarStore;
  /** Recognises and deletes our previous files (dir store settings). */
  files?: FileOwnership | undefined;
  dryRun: boolean;
  /** How many files are processed at once (image work is CPU-bound). */
  concurrency: number;
  resolve: Resolver;
  /** Reads one file with the pipeline's size cap (default: src/image readInput). */
  readImage: (file: string) => Promise<Buffer>;
  onProgress?: (done: number, total: number) => void;
}

/**
 * The files to sync, sorted by name. Hidden files (.gitkeep, .DS_Store) and sub-directories are
 * skipped and listed; everything else is an image candidate (the pipeline decides, per file).
 */
export async function listSyncFiles(dir: string): Promise<{ files: SyncFile[]; skipped: SkippedEntry[] }> {
  const abs = path.resolve(dir);
  let entries;
  try {
    entries = await fsp.readdir(abs, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a directory' : (code ?? (e as Error).message);
    throw new CliError(`${abs} ${why}`, ExitCode.USAGE, { hint: 'give the directory that holds the images, e.g. ./avatars' });
  }
  const files: SyncFile[] = [];
  const skipped: SkippedEntry[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.')) skipped.push({ name: e.name, reason: 'hidden file' });
    else if (e.isDirectory()) skipped.push({ name: e.name, reason: 'directory' });
    else files.push({ name: e.name, path: path.join(abs, e.name), key: keyOf(e.name) });
  }
  return { files, skipped };
}

/** "alice.jpg" -> "alice", "alice@example.com.png" -> "alice@example.com", "alice" -> "alice". */
export function keyOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

export async function syncAvatars(api: AvatarApi, files: readonly SyncFile[], opts: SyncOptions): Promise<BulkItem[]> {
  if (files.length === 0) return [];
  const resolved = await opts.resolve([...new Set(files.map((f) => f.key))]);

  // Two files for one user (alice.jpg and alice.png, or a username and an email naming the same
  // user) would fight over the avatar: neither is applied.
  const users = new Map<string, AvatarUser>();
  const byPk = new Map<number, string[]>();
  const problems = new Map<string, unknown>();
  for (const f of files) {
    const raw = resolved.get(f.key);
    try {
      if (raw === undefined) throw new CliError(`no answer for "${f.key}"`); // programming error, reported per file
      if (raw instanceof Error) throw raw;
      const u = toAvatarUser(raw, `user ${f.key}`);
      users.set(f.name, u);
      byPk.set(u.pk, [...(byPk.get(u.pk) ?? []), f.name]);
    } catch (e) {
      problems.set(f.name, e);
    }
  }
  for (const names of byPk.values()) {
    if (names.length < 2) continue;
    for (const n of names) {
      const u = users.get(n)!;
      problems.set(n, new CliError(`${names.length} files are for user ${u.username}: ${names.join(', ')}`, ExitCode.USAGE, { hint: 'keep one file per user' }));
    }
  }

  let done = 0;
  return mapPool(files, opts.concurrency, async (f) => {
    const user = users.get(f.name);
    let item = newItem(user?.username ?? f.key, user?.pk ?? null, { file: f.name });
    try {
      const problem = problems.get(f.name);
      if (problem !== undefined || !user) throw problem;
      const img: ProcessedImage = await processImage(await opts.readImage(f.path), opts.process);
      const target: Target = { kind: 'set', image: img, store: opts.store };
      // Decided on the user as listed: an unchanged user costs no request.
      if (await isAlreadySet(user.attributes, target)) {
        item = unchangedItem(item, img);
      } else {
        const r = await changeAvatar(api, user.pk, target, { files: opts.files, dryRun: opts.dryRun });
        item = changedItem(item, img, r);
      }
    } catch (e) {
      item = failedItem(item, e);
    }
    opts.onProgress?.(++done, files.length);
    return item;
  });
}
