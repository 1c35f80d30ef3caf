// The `avatars` system setting: a comma list that authentik splits WITHOUT trimming, so
// "attributes.avatar, gravatar" silently breaks the second mode. We always write it with no spaces.
import { CliError, ExitCode } from '../errors.js';
import type { AvatarsWish } from './types.js';

/** Our avatar mode: the prompt's field key, read by authentik's `attributes.<path>` mode. */
export const AVATAR_MODE = 'attributes.avatar';
/** authentik's default when the setting is empty. */
export const AUTHENTIK_DEFAULT_AVATARS = 'gravatar,initials';

/** Splits a setting/flag value into modes: trimmed, empties dropped, duplicates dropped (first wins). */
export function parseModes(value: string): string[] {
  const out: string[] = [];
  for (const raw of value.split(',')) {
    const m = raw.trim();
    if (m !== '' && !out.includes(m)) out.push(m);
  }
  return out;
}

/** `attributes.avatar` first, then the admin's other modes in their order. */
export function mergeAvatars(current: string, mode: string = AVATAR_MODE): string {
  const others = parseModes(current).filter((m) => m !== mode);
  return [mode, ...others].join(',');
}

/** The setting without our mode (teardown); falls back to authentik's default when nothing is left. */
export function removeAvatarMode(current: string, mode: string = AVATAR_MODE): string {
  const rest = parseModes(current).filter((m) => m !== mode);
  return rest.length ? rest.join(',') : AUTHENTIK_DEFAULT_AVATARS;
}

/** Validates --avatars: no empty list, every mode one authentik knows. */
export function parseAvatarsFlag(value: string): string[] {
  const modes = parseModes(value);
  if (modes.length === 0) throw new CliError('--avatars needs at least one mode', ExitCode.USAGE, { hint: `e.g. --avatars ${AVATAR_MODE},${AUTHENTIK_DEFAULT_AVATARS}` });
  for (const m of modes) {
    const known = m === 'none' || m === 'initials' || m === 'gravatar' || m.includes('://') || /^attributes\.[\w.-]+$/.test(m);
    if (!known) {
      throw new CliError(`--avatars: unknown avatar mode '${m}'`, ExitCode.USAGE, {
        hint: 'modes: none, initials, gravatar, a URL template containing ://, or attributes.<path>',
      });
    }
  }
  return modes;
}

/** The value the setting should have, given its current value (null: unknown, no settings API). */
export function desiredAvatars(current: string | null, wish: AvatarsWish): string {
  if (wish.mode === 'exact') return wish.list.join(',');
  return mergeAvatars(current ?? AUTHENTIK_DEFAULT_AVATARS);
}
