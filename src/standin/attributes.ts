// Attribute definitions (authentik 2026.8, /core/object_attributes/): user writes are checked
// against every ENABLED definition for authentik_core.user. Ported from authentik's source:
// - authentik/core/api/object_attributes.py AttributesMixinSerializer.validate():
//     attrs = data.get("attributes", {}); for attr in enabled definitions of the model:
//     attr.run_validation(get_path_from_dict(attrs, attr.key))
//   so a PATCH WITHOUT `attributes` is checked against {}: a required definition then fails
//   even though the stored attributes satisfy it.
// - authentik/core/models.py ObjectAttribute.run_validation(): err_key "attributes_<key>";
//   required -> "This field is required" (no full stop); None otherwise passes; the type is
//   checked with DRF's CharField(allow_blank)/IntegerField/BooleanField; regex with
//   re.fullmatch(regex, str(value)); is_unique with Model.objects.filter(attributes__<path>=value)
//   .exists(), which does NOT exclude the object being saved (re-sending an unchanged unique
//   value fails). The first failing definition is reported.
// It runs after the field checks (DRF calls validate() only when every field is valid).
// With no definitions (a fresh install) nothing changes.
import { getPathFromDict, pyStr } from './avatar.js';
import { badRequest, ServerCrash } from './http.js';
import type { ObjectAttributeRec, StandinState, StandinVersion } from './types.js';
import { DRF, drfBoolean } from './validate.js';
import { atLeast } from './versions.js';

/** Models with authentik's AttributesMixin, as ContentType rows (ids are the stand-in's own). */
export const ATTRIBUTE_MODELS: Record<string, { id: number; verbose_name_plural: string }> = {
  'authentik_core.user': { id: 4, verbose_name_plural: 'Users' },
  'authentik_core.group': { id: 5, verbose_name_plural: 'Groups' },
  'authentik_core.applicationentitlement': { id: 11, verbose_name_plural: 'Application Entitlements' },
};

/** JSON equality the way jsonb compares (key order and 1 vs 1.0 do not matter). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => jsonEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as never)[k], (b as never)[k]));
}

/** The DRF field check of run_validation(); null when the value passes. */
function typeError(def: ObjectAttributeRec, value: unknown): string | null {
  switch (def.type) {
    case 'text':
      // CharField.to_internal_value: bools and anything but str/int/float are invalid
      return typeof value === 'string' || typeof value === 'number' ? null : DRF.string;
    case 'number': {
      // IntegerField: int(re.sub(r"\.0*\s*$", "", str(value)))
      if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e16 ? null : DRF.integer;
      if (typeof value !== 'string') return DRF.integer;
      if (value.length > 1000) return 'String value too large.';
      return /^\s*[+-]?\d+(_\d+)*\s*$/.test(value.replace(/\.0*\s*$/, '')) ? null : DRF.integer;
    }
    case 'boolean':
      return drfBoolean(value) === null ? DRF.boolean : null;
    default:
      // an unknown type in the table: run_validation raises ValidationError("Invalid field type")
      return 'Invalid field type';
  }
}

/** re.fullmatch(pattern, text) for the Python patterns JS can read. */
function fullMatch(pattern: string, text: string): boolean {
  const js = pattern
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${js})$`);
  } catch (e) {
    // Python raises re.error on an invalid pattern, which nothing catches
    throw new ServerCrash(`re.error: ${(e as Error).message}`);
  }
  return re.test(text);
}

export function validateAttributes(
  state: StandinState,
  version: StandinVersion,
  objectType: string,
  attributes: Record<string, unknown>,
  others: Record<string, unknown>[],
): void {
  if (!atLeast(version, '2026.8')) return;
  for (const def of state.object_attributes ?? []) {
    if (!def.enabled || def.object_type !== objectType) continue;
    const errKey = `attributes_${def.key}`;
    const value = getPathFromDict(attributes, def.key);
    if (value === null || value === undefined) {
      if (def.is_required) throw badRequest({ [errKey]: ['This field is required'] });
      continue;
    }
    const err = typeError(def, value);
    if (err) throw badRequest({ [errKey]: [err] });
    if (def.regex !== '' && !fullMatch(def.regex, pyStr(value))) {
      throw badRequest({ [errKey]: ['Value does not match configured pattern.'] });
    }
    if (def.is_unique) {
      // attributes__a__b=value: a key path walk through dicts only, then jsonb equality
      const clash = others.some((attrs) => {
        let cur: unknown = attrs;
        for (const part of def.key.split('.')) {
          if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, part)) return false;
          cur = (cur as Record<string, unknown>)[part];
        }
        return jsonEqual(cur, value);
      });
      if (clash) throw badRequest({ [errKey]: ['Value is not unique.'] });
    }
  }
}
