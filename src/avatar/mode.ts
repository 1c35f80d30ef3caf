// Which avatar authentik will actually show for a user. Mirrors authentik's get_avatar()
// (authentik/lib/avatars.py): the `avatars` setting is split on "," WITHOUT trimming, modes are
// tried left to right, the first truthy result wins, "none" (the default picture) always yields,
// and when nothing yields authentik shows its default picture.

import { isPlainObject, type Attributes } from './attributes.js';

export type ModeKind = 'attribute' | 'gravatar' | 'initials' | 'url' | 'none' | 'default';

export interface ModeStep {
  mode: string;
  kind: ModeKind;
  /** true when the outcome depends on a remote server (gravatar, URL templates). */
  conditional: boolean;
  description: string;
}

export interface EffectiveMode {
  /** The first mode that can yield a picture, e.g. "attributes.avatar"; "" for the default picture. */
  mode: string;
  kind: ModeKind;
  /** One line, e.g. "gravatar (if the email has one), else initials (generated from the name)". */
  description: string;
  /** The candidates in the order authentik tries them, ending with the first certain one. */
  chain: ModeStep[];
  /** Modes that cannot yield anything for this user, with the reason. */
  skipped: Array<{ mode: string; reason: string }>;
}

export interface ModeUser {
  username: string;
  name: string;
  email?: string | null | undefined;
  attributes: Attributes;
}

/** authentik's get_path_from_dict: walk a dotted path through nested dicts. */
export function getPath(obj: Attributes, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (!isPlainObject(cur) || !Object.hasOwn(cur, part)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** Python truthiness of a JSON value: authentik tests the mode's result with `if avatar:`. */
export function pyTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return true;
}

export function effectiveMode(setting: string, user: ModeUser): EffectiveMode {
  const chain: ModeStep[] = [];
  const skipped: EffectiveMode['skipped'] = [];
  const finish = (): EffectiveMode => {
    const first = chain[0];
    const last = chain.at(-1);
    if (!last || last.conditional) {
      chain.push({ mode: '', kind: 'default', conditional: false, description: "authentik's default picture" });
    }
    const description = chain.map((s) => s.description).join(', else ');
    return { mode: first?.mode ?? '', kind: first?.kind ?? 'default', description, chain, skipped };
  };
  for (const mode of setting.split(',')) {
    const step = (kind: ModeKind, conditional: boolean, description: string): void => {
      chain.push({ mode, kind, conditional, description });
    };
    if (mode === 'none') { step('none', false, "none (authentik's default picture)"); return finish(); }
    if (mode === 'initials') { step('initials', false, 'initials (generated from the name)'); return finish(); }
    if (mode === 'gravatar') {
      // An empty email hashes to a gravatar that does not exist: authentik gets a 404 and moves on.
      if (!user.email) { skipped.push({ mode, reason: 'the user has no email' }); continue; }
      step('gravatar', true, 'gravatar (if the email has one)');
      continue;
    }
    if (mode.startsWith('attributes.')) {
      if (pyTruthy(getPath(user.attributes, mode.slice('attributes.'.length)))) { step('attribute', false, mode); return finish(); }
      skipped.push({ mode, reason: `${mode} is empty or missing` });
      continue;
    }
    if (mode.includes('://')) { step('url', true, `URL template ${mode} (if it answers with an image)`); continue; }
    const why = mode.trim() !== mode ? 'unknown mode: authentik does not trim spaces' : 'unknown mode';
    skipped.push({ mode, reason: mode === '' ? 'empty entry' : why });
  }
  return finish();
}

/** authentik's default when the setting cannot be read (its AUTHENTIK_AVATARS default). */
export const DEFAULT_AVATARS_SETTING = 'gravatar,initials';
