// The `avatar` field of users, computed like authentik/lib/avatars.py get_avatar():
// modes from the `avatars` setting are tried left to right (split on "," WITHOUT trimming),
// the first one that yields a truthy value wins.
import { createHash } from 'node:crypto';
import type { UserRec } from './types.js';

export const DEFAULT_AVATAR = '/static/dist/assets/images/user_default.png';
const GRAVATAR_URL = 'https://www.gravatar.com/avatar/%(mail_hash)s?size=158&rating=g&default=404';

function getPath(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const key of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function mailHash(user: UserRec): string {
  return createHash('sha256').update(user.email.toLowerCase()).digest('hex');
}

function urlTemplate(user: UserRec, template: string): string {
  return template
    .replaceAll('%(username)s', encodeURIComponent(user.username))
    .replaceAll('%(mail_hash)s', mailHash(user))
    .replaceAll('%(upn)s', String((user.attributes['upn'] as string | undefined) ?? ''));
}

function initials(user: UserRec): string {
  const source = (user.name || user.username).trim();
  const parts = source.split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? `${parts[0]![0]}${parts[parts.length - 1]![0]}` : source.slice(0, 1);
  const hue = Number.parseInt(createHash('md5').update(source).digest('hex').slice(0, 6), 16) % 360;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">` +
    `<rect width="100" height="100" fill="hsl(${hue},45%,45%)"/>` +
    `<text x="50" y="50" dy=".35em" text-anchor="middle" font-size="40" fill="#fff" font-family="sans-serif">` +
    `${letters.toUpperCase().replace(/[<>&"]/g, '')}</text></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/**
 * gravatar: authentik asks gravatar.com and falls through on 404. The stand-in never goes to the
 * network; it treats every address as unknown to gravatar (true for test addresses), except
 * addresses under gravatar.test, which "have" one. That keeps the fall-through testable.
 */
function gravatar(user: UserRec): string | null {
  if (!user.email || !user.email.toLowerCase().endsWith('@gravatar.test')) return null;
  return urlTemplate(user, GRAVATAR_URL);
}

export function avatarFor(user: UserRec, avatarsSetting: string): string {
  for (const mode of avatarsSetting.split(',')) {
    let value: unknown = null;
    if (mode === 'none') value = DEFAULT_AVATAR;
    else if (mode === 'initials') value = initials(user);
    else if (mode === 'gravatar') value = gravatar(user);
    else if (mode.startsWith('attributes.')) value = getPath(user.attributes, mode.slice('attributes.'.length));
    else if (mode.includes('://')) value = urlTemplate(user, mode);
    if (value) return typeof value === 'string' ? value : String(value);
  }
  return DEFAULT_AVATAR;
}
