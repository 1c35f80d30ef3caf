// Pure helpers for the one rule that prevents data loss: authentik's user PATCH replaces the
// whole `attributes` dict, so we always send the complete existing dict with only our keys changed.

export type Attributes = Record<string, unknown>;

/** The attribute authentik reads with the `attributes.avatar` avatar mode. */
export const AVATAR_KEY = 'avatar';
/** Left behind by the blog recipes' checkbox prompt; stale once an avatar is managed by us. */
export const RESET_KEY = 'avatar_reset';

export function isPlainObject(v: unknown): v is Attributes {
  // toString instead of a prototype check: JSON from another realm (vm, worker) is still a dict
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.prototype.toString.call(v) === '[object Object]';
}

/**
 * The attributes to send: a deep copy of `existing` with `avatar` set (or removed when `avatar`
 * is null) and the stale `avatar_reset` removed. Every other key keeps its value and its position.
 */
export function withAvatar(existing: Attributes, avatar: string | null): Attributes {
  const next = structuredClone(existing);
  delete next[RESET_KEY];
  if (avatar === null) delete next[AVATAR_KEY];
  else next[AVATAR_KEY] = avatar;
  return next;
}

/** True when sending withAvatar(existing, avatar) would change nothing. */
export function isNoop(existing: Attributes, avatar: string | null): boolean {
  if (Object.hasOwn(existing, RESET_KEY)) return false;
  if (avatar === null) return !Object.hasOwn(existing, AVATAR_KEY);
  return existing[AVATAR_KEY] === avatar;
}

/**
 * JSON deep equality. Object key order is ignored on purpose: authentik keeps attributes in a
 * Postgres jsonb column, which re-orders keys, so order is not something a user can lose.
 * Array order and every value (types included) must match.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.hasOwn(bo, k) && deepEqual(ao[k], bo[k]));
}

/** Top-level keys whose values differ between two attribute dicts (missing on one side counts). */
export function differingKeys(expected: Attributes, actual: Attributes): string[] {
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  return [...keys].filter((k) => Object.hasOwn(expected, k) !== Object.hasOwn(actual, k) || !deepEqual(expected[k], actual[k])).sort();
}
