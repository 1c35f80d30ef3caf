// src/avatar: reading and changing users' avatars without losing anything else (one user, or many: bulk.ts).
export { AVATAR_KEY, RESET_KEY, deepEqual, differingKeys, isNoop, isPlainObject, withAvatar, type Attributes } from './attributes.js';
export { changeAvatar, isAlreadySet, type ChangeOptions, type ChangeResult, type Target } from './change.js';
export { fetchAvatar, DEFAULT_FETCH_LIMITS, type FetchLimits } from './fetch.js';
export { effectiveMode, getPath, pyTruthy, DEFAULT_AVATARS_SETTING, type EffectiveMode, type ModeKind, type ModeStep } from './mode.js';
export * from './options.js';
export { readAvatarsSetting, type AvatarsSetting } from './settings.js';
export { loadAvatarImage, type CurrentImage } from './source.js';
export { loadUser, toAvatarUser, userPath, type AvatarApi, type AvatarUser } from './user.js';
export { resolveAvatarUrl, sha256Hex, summarizeValue, valueKind, type ValueKind, type ValueSummary } from './value.js';
export { changedItem, failedItem, mapPool, newItem, totalsOf, unchangedItem, type BulkAction, type BulkItem, type BulkTotals } from './bulk.js';
export { cropAll, cropAvatar, fitsTarget, type CropAllOptions, type CropOptions, type CropOutcome } from './crop.js';
export { keyOf, listSyncFiles, syncAvatars, type Resolver, type SkippedEntry, type SyncFile, type SyncOptions } from './sync.js';
