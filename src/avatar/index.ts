// src/avatar: reading and changing one user's avatar without losing anything else.
export { AVATAR_KEY, RESET_KEY, deepEqual, differingKeys, isNoop, isPlainObject, withAvatar, type Attributes } from './attributes.js';
export { changeAvatar, type ChangeOptions, type ChangeResult, type Target } from './change.js';
export { fetchAvatar, DEFAULT_FETCH_LIMITS, type FetchLimits } from './fetch.js';
export { effectiveMode, getPath, pyTruthy, DEFAULT_AVATARS_SETTING, type EffectiveMode, type ModeKind, type ModeStep } from './mode.js';
export * from './options.js';
export { readAvatarsSetting, type AvatarsSetting } from './settings.js';
export { loadAvatarImage, type CurrentImage } from './source.js';
export { loadUser, toAvatarUser, userPath, type AvatarApi, type AvatarUser } from './user.js';
export { resolveAvatarUrl, sha256Hex, summarizeValue, valueKind, type ValueKind, type ValueSummary } from './value.js';
