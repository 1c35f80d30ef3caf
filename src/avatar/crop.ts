// Squaring up the avatar a user already has, shared by `crop <user>` and `crop --all`: read the
// current picture (data URI, our file, or a fetched URL), leave it alone when it already is square at
// the target size, else re-process it and store it the same way through changeAvatar().

import { CliError, ExitCode } from '../errors.js';
import { inspectImage, processImage, type ImageInfo, type ProcessedImage, type ProcessOptions } from '../image/index.js';
import type { AvatarStore } from '../storage/types.js';
import { AVATAR_KEY } from './attributes.js';
import { changedItem, failedItem, mapPool, newItem, unchangedItem, type BulkItem } from './bulk.js';
import { changeAvatar, type ChangeResult } from './change.js';
import type { FetchLimits } from './fetch.js';
import { pickStore, type Stores } from './options.js';
import { loadAvatarImage, type CurrentImage } from './source.js';
import { toAvatarUser, type AvatarApi, type AvatarUser } from './user.js';
import { sha256Hex, valueKind } from './value.js';

export interface CropOptions {
  process: ProcessOptions;
  stores: Stores;
  dryRun: boolean;
  /** For URL avatars (tests pass smaller limits). */
  limits?: FetchLimits;
}

interface CropBase {
  current: CurrentImage;
  /** The current picture as it is now. */
  info: ImageInfo;
}

export type CropOutcome =
  | (CropBase & { alreadySquare: true })
  | (CropBase & { alreadySquare: false; image: ProcessedImage; store: AvatarStore; change: ChangeResult });

/** Whether the current picture already is what a crop with these options would aim for. */
export function fitsTarget(info: Pick<ImageInfo, 'width' | 'height' | 'type'>, p: Pick<ProcessOptions, 'size' | 'format' | 'crop'>): boolean {
  const formatFits = p.format === 'auto' || p.format === info.type;
  return info.width === info.height && info.width === p.size && formatFits && p.crop === undefined;
}

export async function cropAvatar(api: AvatarApi, user: AvatarUser, opts: CropOptions): Promise<CropOutcome> {
  const value = user.attributes[AVATAR_KEY];
  const current = await loadAvatarImage(value, { apiBase: api.baseUrl, files: opts.stores.dir, ...(opts.limits ? { limits: opts.limits } : {}) });
  if (!current) {
    throw new CliError(`${user.username} has no avatar of their own to crop`, ExitCode.NOT_FOUND, {
      hint: `set one with: ak-avatars upload ${user.username} <image>`,
    });
  }
  const info = await inspectImage(current.data);
  if (fitsTarget(info, opts.process)) return { alreadySquare: true, current, info };

  // Same store as the current avatar unless --store says otherwise: one of our files stays a file.
  const store = pickStore(opts.stores, opts.stores.requested ?? (current.file !== undefined ? 'dir' : 'inline'));
  const image = await processImage(current.data, opts.process);
  // expectCurrent: the picture was made from `value`; if the user now holds another one, stop.
  const change = await changeAvatar(api, user.pk, { kind: 'set', image, store }, { files: opts.stores.dir, dryRun: opts.dryRun, expectCurrent: { value } });
  return { alreadySquare: false, current, info, image, store, change };
}

export interface CropAllOptions extends CropOptions {
  concurrency: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * `crop --all`: every listed user with an avatar of their own, through cropAvatar(). A user whose
 * picture already fits costs no authentik request (data URIs and our files are read locally).
 * Users without an avatar are not results; a broken avatar is a failed line, the others carry on.
 */
export async function cropAll(api: AvatarApi, listed: readonly unknown[], opts: CropAllOptions): Promise<{ items: BulkItem[]; users: number }> {
  const candidates: Array<{ user?: AvatarUser; raw: unknown }> = [];
  for (const raw of listed) {
    try {
      const user = toAvatarUser(raw, 'a listed user');
      if (valueKind(user.attributes[AVATAR_KEY]) !== 'none') candidates.push({ user, raw });
    } catch {
      candidates.push({ raw }); // a user we cannot read safely: reported, never written
    }
  }
  let done = 0;
  const items = await mapPool(candidates, opts.concurrency, async ({ user, raw }) => {
    let item = newItem(user?.username ?? nameOf(raw), user?.pk ?? null);
    try {
      if (!user) toAvatarUser(raw, `user ${item.user}`); // throws the reason
      const out = await cropAvatar(api, user!, opts);
      const from = { type: out.info.type, width: out.info.width, height: out.info.height, bytes: out.info.bytes };
      if (out.alreadySquare) {
        item = unchangedItem(item, { bytes: out.info.bytes, sha256: sha256Hex(out.current.data), format: out.info.type, width: out.info.width, height: out.info.height });
      } else {
        item = changedItem(item, out.image, out.change);
        if (out.current.kind === 'url' && out.current.file === undefined && out.change.changed && !out.change.dryRun) {
          item.warnings.push(`the previous avatar at ${out.current.url ?? 'its URL'} is not ours and was left where it is`);
        }
      }
      item.from = from;
    } catch (e) {
      item = failedItem(item, e);
    }
    opts.onProgress?.(++done, candidates.length);
    return item;
  });
  return { items, users: listed.length };
}

function nameOf(raw: unknown): string {
  const r = raw as { username?: unknown; pk?: unknown } | null;
  return typeof r?.username === 'string' ? r.username : typeof r?.pk === 'number' ? `user ${r.pk}` : 'a user';
}
