// Field validation with DRF's own error messages (rest_framework/fields.py, relations.py), so
// 400 answers look like authentik's whether or not the OpenAPI schema check is active.
import { badRequest } from './http.js';
import { canonicalUuid } from './ids.js';

export type FieldSpec =
  | { type: 'string'; required?: boolean; allowBlank?: boolean; maxLength?: number; choices?: readonly string[] }
  | { type: 'boolean'; required?: boolean }
  | { type: 'integer'; required?: boolean; min?: number; max?: number }
  | { type: 'dict'; required?: boolean; jsonField?: boolean }
  | { type: 'uuidList'; required?: boolean; exists: (pk: string) => boolean; allowEmpty?: boolean }
  | { type: 'uuidRef'; required?: boolean; exists: (pk: string) => boolean }
  | { type: 'any'; required?: boolean };

/** authentik/core/api/utils.py is_dict(): the validator of JSONField attributes. */
export const IS_DICT_MESSAGE = 'Value must be a dictionary, and not have any duplicate keys.';

/** DRF SlugField: the schema's pattern and the message the field answers with. */
export const SLUG_PATTERN = '^[-a-zA-Z0-9_]+$';
export const SLUG_MESSAGE = 'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.';

export const DRF = {
  required: 'This field is required.',
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  string: 'Not a valid string.',
  boolean: 'Must be a valid boolean.',
  integer: 'A valid integer is required.',
  maxLength: (n: number) => `Ensure this field has no more than ${n} characters.`,
  minValue: (n: number) => `Ensure this value is greater than or equal to ${n}.`,
  maxValue: (n: number) => `Ensure this value is less than or equal to ${n}.`,
  choice: (v: unknown) => `"${String(v)}" is not a valid choice.`,
  list: (v: unknown) => `Expected a list of items but got type "${pyType(v)}".`,
  dict: (v: unknown) => `Expected a dictionary of items but got type "${pyType(v)}".`,
  emptyList: 'This list may not be empty.',
  pkMissing: (v: unknown) => `Invalid pk "${String(v)}" - object does not exist.`,
  pkType: (v: unknown) => `Incorrect type. Expected pk value, received ${pyType(v)}.`,
  uuid: (v: unknown) => `“${String(v)}” is not a valid UUID.`,
} as const;

export function pyType(v: unknown): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'object') return 'dict';
  return typeof v;
}

const TRUE = new Set(['true', 'True', 'TRUE', '1', 'yes', 'Yes', 'YES', 'y', 'Y', 'on', 'On', 'ON', 't', 'T']);
const FALSE = new Set(['false', 'False', 'FALSE', '0', 'no', 'No', 'NO', 'n', 'N', 'off', 'Off', 'OFF', 'f', 'F']);

/** DRF BooleanField.to_internal_value: true/false, or null when the value is not a boolean. */
export function drfBoolean(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string' && (TRUE.has(v) || FALSE.has(v))) return TRUE.has(v);
  return null;
}

/**
 * Validates and coerces `body` against `spec`. `partial` (PATCH) skips required checks.
 * Unknown keys are ignored. Throws a 400 HttpError with {"field": ["msg"]}.
 */
export function validateFields(body: Record<string, unknown>, spec: Record<string, FieldSpec>, partial: boolean): Record<string, unknown> {
  const errors: Record<string, unknown> = {};
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(spec)) {
    if (!(key in body)) {
      if (s.required && !partial) errors[key] = [DRF.required];
      continue;
    }
    const v = body[key];
    if (v === null) {
      errors[key] = [DRF.null];
      continue;
    }
    switch (s.type) {
      case 'string': {
        // DRF CharField accepts numbers (str()), rejects bools/lists/dicts
        if (typeof v === 'boolean' || typeof v === 'object') {
          errors[key] = [DRF.string];
          break;
        }
        const str = String(v);
        if (!s.allowBlank && str.trim() === '') errors[key] = [DRF.blank];
        else if (s.maxLength !== undefined && str.length > s.maxLength) errors[key] = [DRF.maxLength(s.maxLength)];
        else if (s.choices && !s.choices.includes(str)) errors[key] = [DRF.choice(str)];
        else out[key] = str;
        break;
      }
      case 'boolean': {
        const b = drfBoolean(v);
        if (b === null) errors[key] = [DRF.boolean];
        else out[key] = b;
        break;
      }
      case 'integer': {
        const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
        if (!Number.isInteger(n)) errors[key] = [DRF.integer];
        else if (s.min !== undefined && n < s.min) errors[key] = [DRF.minValue(s.min)];
        else if (s.max !== undefined && n > s.max) errors[key] = [DRF.maxValue(s.max)];
        else out[key] = n;
        break;
      }
      case 'dict':
        if (typeof v !== 'object' || Array.isArray(v)) errors[key] = [s.jsonField ? IS_DICT_MESSAGE : DRF.dict(v)];
        else out[key] = v;
        break;
      case 'uuidList': {
        if (!Array.isArray(v)) {
          errors[key] = [DRF.list(v)];
          break;
        }
        if (v.length === 0 && s.allowEmpty === false) {
          errors[key] = [DRF.emptyList];
          break;
        }
        const pks: string[] = [];
        const errs: string[] = [];
        for (const item of v) {
          if (typeof item !== 'string') {
            errs.push(DRF.pkType(item));
            continue;
          }
          const pk = canonicalUuid(item);
          if (!pk) errs.push(DRF.uuid(item));
          else if (!s.exists(pk)) errs.push(DRF.pkMissing(item));
          else pks.push(pk);
        }
        if (errs.length) errors[key] = errs.slice(0, 1); // DRF stops at the first bad item
        else out[key] = pks;
        break;
      }
      case 'uuidRef': {
        // PrimaryKeyRelatedField to a UUID pk: Django's UUIDField reads an int as UUID(int=n),
        // which never exists here; bools, lists and dicts are the wrong type
        if (typeof v === 'number' && Number.isInteger(v)) errors[key] = [DRF.pkMissing(v)];
        else if (typeof v !== 'string') errors[key] = [DRF.pkType(v)];
        else {
          const pk = canonicalUuid(v);
          if (!pk) errors[key] = [DRF.uuid(v)];
          else if (!s.exists(pk)) errors[key] = [DRF.pkMissing(v)];
          else out[key] = pk;
        }
        break;
      }
      case 'any':
        out[key] = v;
        break;
    }
  }
  if (Object.keys(errors).length) throw badRequest(errors);
  return out;
}
