// What the bulk commands (`sync`, `crop --all`) share: the per-user result, the totals, and a small
// bounded worker pool. Each user's change still goes through changeAvatar(); this file only turns
// its outcome (or the error that stopped one user) into a result line, so one bad user never stops
// the others.

import { toCliError } from '../errors.js';
import type { ChangeResult } from './change.js';
import type { ValueSummary } from './value.js';

export type BulkAction = 'create' | 'update' | 'unchanged' | 'failed';

export interface BulkItem {
  /** The username; when no user was found, the value that was looked up (e.g. the file's stem). */
  user: string;
  pk: number | null;
  /** sync: the file's name in the directory. */
  file?: string;
  action: BulkAction;
  /** create/update were only planned (--dry-run, --check). */
  dryRun: boolean;
  /** The avatar image this run made for the user (bytes and sha256 of the encoded image). */
  bytes?: number;
  sha256?: string;
  format?: string;
  width?: number;
  height?: number;
  old?: ValueSummary;
  /** crop --all: the picture the user had. */
  from?: { type: string; width: number; height: number; bytes: number };
  /** failed: the one-line reason, its hint and the exit code the single-user command would give. */
  error?: string;
  hint?: string;
  exitCode?: number;
  removedReset: boolean;
  deletedFiles: string[];
  orphans: string[];
  warnings: string[];
}

export interface BulkTotals {
  create: number;
  update: number;
  unchanged: number;
  failed: number;
}

export interface ImageFacts {
  bytes: number;
  sha256: string;
  format: string;
  width: number;
  height: number;
}

export function newItem(user: string, pk: number | null, extra: Partial<BulkItem> = {}): BulkItem {
  return { user, pk, action: 'failed', dryRun: false, removedReset: false, deletedFiles: [], orphans: [], warnings: [], ...extra };
}

function imageFields(img: ImageFacts): Pick<BulkItem, 'bytes' | 'sha256' | 'format' | 'width' | 'height'> {
  return { bytes: img.bytes, sha256: img.sha256, format: img.format, width: img.width, height: img.height };
}

/** The result line for a user whose avatar already is this image (no request was needed). */
export function unchangedItem(item: BulkItem, img: ImageFacts): BulkItem {
  return { ...item, ...imageFields(img), action: 'unchanged' };
}

/** The result line for what changeAvatar() did (or, in a dry run, would do). */
export function changedItem(item: BulkItem, img: ImageFacts, r: ChangeResult): BulkItem {
  const action: BulkAction = !r.changed ? 'unchanged' : r.old.kind === 'none' ? 'create' : 'update';
  return {
    ...item,
    ...imageFields(img),
    user: r.user.username,
    pk: r.user.pk,
    action,
    dryRun: r.dryRun && r.changed,
    old: r.old,
    removedReset: r.removedReset,
    deletedFiles: r.deletedFiles,
    orphans: r.orphans,
    warnings: [...item.warnings, ...r.warnings],
  };
}

/** The result line for a user that could not be done; the others carry on. */
export function failedItem(item: BulkItem, e: unknown): BulkItem {
  const err = toCliError(e);
  return { ...item, action: 'failed', error: err.message, ...(err.hint ? { hint: err.hint } : {}), exitCode: err.exitCode };
}

export function totalsOf(items: readonly BulkItem[]): BulkTotals {
  const t: BulkTotals = { create: 0, update: 0, unchanged: 0, failed: 0 };
  for (const i of items) t[i.action]++;
  return t;
}

/**
 * Runs fn over items with at most `limit` running at once; results keep the items' order. fn is
 * expected to catch per-item errors itself; one that escapes stops new items from starting and is
 * rethrown once the running ones are done (nothing is left running behind the caller's back).
 */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { e: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (e) {
        failure ??= { e };
      }
    }
  };
  const n = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  if (failure) throw failure.e;
  return results;
}
