// THE one place that changes a user's avatar. The order is what keeps data safe:
//   1. read the user fresh (GET core/users/{pk}/)
//   2. dir store: write the new file (temp + rename)
//   3. PATCH {attributes: <complete existing dict, only avatar changed, avatar_reset dropped>}
//      (authentik replaces attributes whole: anything left out would be deleted)
//   4. read back and verify every attribute (deep-equal), the avatar included
//   5. only then delete the previous file, and only when it is one of ours
// A failure at any step leaves the user with a working avatar (old or new). When the PATCH fails,
// we look at what the server actually holds before touching files: a PATCH that timed out may have
// been applied, and deleting the file the user now points at would break their avatar.

import { CliError, ExitCode, toCliError } from '../errors.js';
import type { AvatarStore, FileOwnership, StorableImage, StoredImage } from '../storage/types.js';
import { AVATAR_KEY, RESET_KEY, deepEqual, differingKeys, isNoop, isPlainObject, withAvatar, type Attributes } from './attributes.js';
import { loadUser, userPath, type AvatarApi, type AvatarUser } from './user.js';
import { summarizeValue, type ValueSummary } from './value.js';

export type Target = { kind: 'set'; image: StorableImage; store: AvatarStore } | { kind: 'remove' };

export interface ChangeOptions {
  /** Recognises and deletes our previous file (dir store settings); without it no file is ever deleted. */
  files?: FileOwnership | undefined;
  /** Compute the outcome without writing anything (no file, no PATCH). */
  dryRun?: boolean;
  /** crop: the avatar value the new image was made from; if the user now holds another, stop. */
  expectCurrent?: { value: unknown };
}

export interface ChangeResult {
  user: { pk: number; username: string };
  changed: boolean;
  dryRun: boolean;
  old: ValueSummary;
  new: ValueSummary;
  /** A stale `avatar_reset` attribute (left by the blog recipes) was removed. */
  removedReset: boolean;
  /** Our previous files deleted after the user stopped pointing at them. */
  deletedFiles: string[];
  /** Files of ours no user points at that we could not delete (report them to the admin). */
  orphans: string[];
  warnings: string[];
}

export async function changeAvatar(api: AvatarApi, pk: number, target: Target, opts: ChangeOptions = {}): Promise<ChangeResult> {
  const before = await loadUser(api, pk);
  const oldValue = before.attributes[AVATAR_KEY];
  if (opts.expectCurrent && opts.expectCurrent.value !== oldValue) {
    throw new CliError(`the avatar of ${before.username} changed while this command ran`, ExitCode.ERROR, { hint: 'nothing was changed; run it again' });
  }
  const files = opts.files;
  const old = await summarizeValue(oldValue, { apiBase: api.baseUrl, files });
  const removedReset = Object.hasOwn(before.attributes, RESET_KEY);
  const result: ChangeResult = {
    user: { pk: before.pk, username: before.username },
    changed: false,
    dryRun: Boolean(opts.dryRun),
    old,
    new: old,
    removedReset: false,
    deletedFiles: [],
    orphans: [],
    warnings: [],
  };

  // Nothing to do: no write at all (keeps re-runs from CI scripts free of side effects).
  if (await isAlreadySet(before.attributes, target)) return result;
  if (opts.dryRun) {
    result.changed = true;
    result.removedReset = removedReset;
    result.new = target.kind === 'remove' ? { kind: 'none' } : plannedSummary(target);
    return result;
  }

  let stored: StoredImage | undefined;
  if (target.kind === 'set') stored = await target.store.put(target.image);
  const newValue = stored ? stored.value : null;
  const sent = withAvatar(before.attributes, newValue);

  // Undo helpers, used whatever went wrong. `observed` is what the server holds now (undefined: unknown).
  const cleanupAfterFailure = async (observed: { value: unknown } | undefined): Promise<string> => {
    if (!stored?.file || target.kind !== 'set') {
      return observed && observed.value === oldValue ? 'the avatar is unchanged' : '';
    }
    if (observed === undefined) {
      result.orphans.push(stored.file);
      return `could not re-read the user: ${stored.file} was kept in case the change went through (delete it if the user does not point at it)`;
    }
    if (observed.value === newValue) return `the user already points at the new file ${stored.file}; the previous avatar file was kept`;
    const why = await target.store.discard(stored);
    if (why) {
      result.orphans.push(stored.file);
      return `the avatar is unchanged, but the new file ${stored.file} could not be removed (${why}): delete it by hand`;
    }
    return 'the avatar is unchanged (the new file was removed)';
  };

  try {
    await api.patch<unknown>(userPath(pk), { attributes: sent });
  } catch (e) {
    const observed = await api.get<unknown>(userPath(pk)).then(
      (u) => ({ attributes: readAttributes(u) }),
      () => undefined,
    );
    // A PATCH that reached the server before the connection broke: the server holds exactly what
    // we sent. Carry on and verify; anything else means the change did not happen.
    if (!(observed?.attributes && deepEqual(observed.attributes, sent))) {
      throw withNote(e, await cleanupAfterFailure(observed?.attributes ? { value: observed.attributes[AVATAR_KEY] } : undefined));
    }
  }

  let after: AvatarUser;
  try {
    after = await loadUser(api, pk);
  } catch (e) {
    throw withNote(e, await cleanupAfterFailure(undefined));
  }
  const diff = differingKeys(sent, after.attributes);
  if (diff.length > 0) {
    const note = await cleanupAfterFailure({ value: after.attributes[AVATAR_KEY] });
    throw new CliError(`read-back of ${after.username} after the update differs in attributes: ${diff.join(', ')}`, ExitCode.ERROR, {
      hint: `someone else may have changed the user at the same time; ${note || 'check the user in the admin interface'}`,
    });
  }

  result.changed = true;
  result.removedReset = removedReset;
  result.new = target.kind === 'set' && stored ? storedSummary(target, stored) : { kind: 'none' };

  // Only now is the previous file unreferenced by this user. Delete it only when it is ours.
  const oldFile = files?.ours(oldValue);
  if (oldFile && oldValue !== newValue) {
    const why = await files!.remove(oldFile);
    if (why) {
      result.orphans.push(oldFile);
      result.warnings.push(`could not delete the previous avatar file ${oldFile} (${why}): delete it by hand`);
    } else {
      result.deletedFiles.push(oldFile);
    }
  } else if (old.kind === 'url' && !oldFile && files === undefined && old.url !== undefined) {
    result.warnings.push(`the previous avatar ${old.url} was left in place (pass --store-dir and --public-url to delete files of ours)`);
  }
  return result;
}

/**
 * True when changeAvatar() would write nothing for a user with these attributes: the avatar already
 * is this image (same bytes, per the store) and no stale avatar_reset is left to remove. Bulk
 * commands ask this about the user list they already hold, so unchanged users cost no request.
 */
export async function isAlreadySet(attributes: Attributes, target: Target): Promise<boolean> {
  if (target.kind === 'remove') return isNoop(attributes, null);
  return !Object.hasOwn(attributes, RESET_KEY) && (await target.store.wouldBeSame(target.image, attributes[AVATAR_KEY]));
}

function readAttributes(raw: unknown): Attributes | undefined {
  const attrs = isPlainObject(raw) ? raw.attributes : undefined;
  return isPlainObject(attrs) ? attrs : undefined;
}

function plannedSummary(target: { image: StorableImage; store: AvatarStore }): ValueSummary {
  const { image, store } = target;
  return { kind: store.kind === 'inline' ? 'data-uri' : 'url', mime: image.mime, bytes: image.data.length, sha256: image.sha256 };
}

function storedSummary(target: { image: StorableImage; store: AvatarStore }, stored: StoredImage): ValueSummary {
  const { image, store } = target;
  const base = { mime: image.mime, bytes: image.data.length, sha256: image.sha256 };
  if (store.kind === 'inline') return { kind: 'data-uri', ...base };
  return { kind: 'url', url: stored.value, ...(stored.file ? { file: stored.file } : {}), ...base };
}

/** Keeps the original one-line message and exit code; adds what happened to the avatar to the hint. */
function withNote(e: unknown, note: string): CliError {
  const err = toCliError(e);
  if (!note) return err;
  const hint = [err.hint, note].filter(Boolean).join('; ');
  const out = new CliError(err.message, err.exitCode, { hint, cause: e });
  if (err.stack) out.stack = err.stack;
  return out;
}
