// The `avatar` field of users, computed like authentik/lib/avatars.py get_avatar():
// modes from the `avatars` setting are tried left to right (split on "," WITHOUT trimming), the
// first one whose result is truthy IN PYTHON wins ("", 0, false, {}, [] and a missing key all fall
// through), and the winning value is returned as it is: a non-string attribute value (a number,
// a dict) reaches the API unconverted, breaking authentik's own schema (avatar: string), exactly
// as authentik would.
// Not modelled: authentik HEADs URL-template results (avatar_mode_url) and drops them on a 404 or
// a non-image answer; the stand-in never goes to the network, so a URL template always yields.
import { createHash } from 'node:crypto';
import { ServerCrash } from './http.js';
import type { UserRec } from './types.js';

export const DEFAULT_AVATAR = '/static/dist/assets/images/user_default.png';

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Python's truth test of a JSON value (`if avatar:`). */
export function pyTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

/** Python's str() of a JSON value (used for %(upn)s). */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return String(v);
  const repr = (x: unknown): string => (typeof x === 'string' ? `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : pyStr(x));
  if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
  return `{${Object.entries(v as Dict)
    .map(([k, x]) => `${repr(k)}: ${repr(x)}`)
    .join(', ')}}`;
}

/**
 * authentik/lib/utils/dict.py get_path_from_dict(root, path, default=None):
 *   for comp in path.split("."): if root and comp in root: root = root.get(comp) else: return default
 * A falsy level ends the walk with None. Where a level is a truthy non-dict, Python's `in` either
 * is False (-> None) or the following `.get` raises: a string containing the key as a substring,
 * a list containing it, or a number/bool (`in` itself raises TypeError). authentik does not catch
 * that, so the user's API answer becomes a 500.
 */
export function getPathFromDict(root: unknown, path: string): unknown {
  let cur = root;
  for (const comp of path.split('.')) {
    if (!pyTruthy(cur)) return null;
    if (isDict(cur)) {
      if (!Object.hasOwn(cur, comp)) return null;
      cur = cur[comp];
    } else if (typeof cur === 'string') {
      if (!cur.includes(comp)) return null;
      throw new ServerCrash("AttributeError: 'str' object has no attribute 'get'");
    } else if (Array.isArray(cur)) {
      if (!cur.includes(comp)) return null;
      throw new ServerCrash("AttributeError: 'list' object has no attribute 'get'");
    } else {
      throw new ServerCrash(`TypeError: argument of type '${typeof cur === 'boolean' ? 'bool' : Number.isInteger(cur) ? 'int' : 'float'}' is not iterable`);
    }
  }
  return cur;
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');
const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** format_avatar_url: plain replacements (no quoting); %(mail_hash)s is md5, unlike gravatar's sha256. */
function formatAvatarUrl(user: UserRec, template: string): string {
  return template
    .replaceAll('%(username)s', user.username)
    .replaceAll('%(mail_hash)s', md5(user.email.toLowerCase()))
    .replaceAll('%(upn)s', pyStr(Object.hasOwn(user.attributes, 'upn') ? user.attributes['upn'] : ''));
}

/** generate_colors(): background from the md5 of the lowercased name, clamped to 55..200 per channel. */
function generateColors(text: string): { bg: string; fg: string } {
  const color = Number(BigInt(`0x${md5(text.toLowerCase())}`) % 0xffffffn);
  const clamp = (c: number) => Math.min(Math.max(c & 0xff, 55), 200);
  const blue = clamp(color);
  const green = clamp(color >> 8);
  const red = clamp(color >> 16);
  const hex = (c: number) => c.toString(16).padStart(2, '0');
  return { bg: `${hex(red)}${hex(green)}${hex(blue)}`, fg: red * 0.299 + green * 0.587 + blue * 0.114 > 186 ? '000' : 'fff' };
}

const SVG_FONTS = ["'RedHatText'", "'Overpass'", 'overpass', 'helvetica', 'arial', 'sans-serif'];
const escapeText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** generate_avatar_from_name() with its defaults (length 2, 64 px, square, 0.4375 font, not bold), as lxml serialises it. */
export function initialsSvg(name: string): string {
  let parts = name.split(/\s+/).filter(Boolean);
  if (parts.length > 2) parts = [parts[0]!, parts[parts.length - 1]!];
  const chars = (s: string) => Array.from(s); // Python slices code points
  let initials: string;
  if (parts.length === 1) initials = chars(parts[0]!).slice(0, 2).join('');
  else initials = chars(parts.slice(0, -1).map((p) => chars(p)[0]).join('') + (parts[parts.length - 1] ?? '')).slice(0, 2).join('');
  const { bg, fg } = generateColors(name);
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="64px" height="64px" viewBox="0 0 64 64" version="1.1">' +
    `<rect fill="#${bg}" cx="32" cy="32" width="64" height="64" r="32"/>` +
    `<text x="50%" y="50%" style="color: #${fg}; line-height: 1; font-family: ${SVG_FONTS.join(',')}; " fill="#${fg}" ` +
    'alignment-baseline="middle" dominant-baseline="middle" text-anchor="middle" font-size="28" font-weight="400" dy=".1em">' +
    `${escapeText(initials.toUpperCase())}</text></svg>`
  );
}

/** avatar_mode_generated(): the display name, else the username, else "a k". */
function initials(user: UserRec): string {
  const name = user.name.trim() || user.username.trim() || 'a k';
  return `data:image/svg+xml;base64,${Buffer.from(initialsSvg(name), 'utf8').toString('base64')}`;
}

/**
 * gravatar: authentik HEADs gravatar.com and falls through on 404. The stand-in never goes to the
 * network; it treats every address as unknown to gravatar (true for test addresses), except
 * addresses under gravatar.test, which "have" one. That keeps the fall-through testable.
 */
function gravatar(user: UserRec): string | null {
  if (!user.email || !user.email.toLowerCase().endsWith('@gravatar.test')) return null;
  return `https://www.gravatar.com/avatar/${sha256(user.email.toLowerCase())}?size=158&rating=g&default=404`;
}

/** The value authentik serialises as `avatar` (usually a string; see the header for the rest). */
export function avatarFor(user: UserRec, avatarsSetting: string): unknown {
  for (const mode of avatarsSetting.split(',')) {
    let value: unknown = null;
    if (mode === 'none') value = DEFAULT_AVATAR;
    else if (mode === 'initials') value = initials(user);
    else if (mode === 'gravatar') value = gravatar(user);
    else if (mode.startsWith('attributes.')) value = getPathFromDict(user.attributes, mode.slice('attributes.'.length));
    else if (mode.includes('://')) value = formatAvatarUrl(user, mode);
    if (pyTruthy(value)) return value;
  }
  return DEFAULT_AVATAR;
}
