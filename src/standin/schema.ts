// OpenAPI checking against the real authentik schema of the chosen version
// (node_modules/ak-schema-<version>/schema.yml). js-yaml, ajv and the schema packages are dev
// dependencies: when any is missing (an end-user install) checking is skipped, not failed.
// The YAML is parsed once per version per process; validators are compiled lazily and cached.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { StandinVersion } from './types.js';
import { IS_DICT_MESSAGE, pyType, SLUG_MESSAGE, SLUG_PATTERN } from './validate.js';

type Json = Record<string, unknown>;
type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}
interface AjvLike {
  addSchema(schema: unknown, key: string): unknown;
  addFormat(name: string, format: unknown): unknown;
  compile(schema: unknown): Validate;
}

export interface SchemaChecker {
  version: string; // info.version of the schema, e.g. "2026.8.3"
  hasPath(template: string): boolean;
  methods(template: string): string[];
  /** null = valid; otherwise DRF-shaped field errors */
  validateRequest(template: string, method: string, mediaType: 'json' | 'multipart', body: unknown): unknown | null;
  /** [] = valid; otherwise human-readable violations */
  validateResponse(template: string, method: string, status: number, body: unknown): string[];
}

const cache = new Map<StandinVersion, Promise<SchemaChecker | null>>();

export function loadSchemaChecker(version: StandinVersion): Promise<SchemaChecker | null> {
  let p = cache.get(version);
  if (!p) {
    p = build(version).catch(() => null);
    cache.set(version, p);
  }
  return p;
}

async function importDefault<T>(name: string): Promise<T | null> {
  try {
    const mod = (await import(name)) as { default?: unknown };
    // CJS interop: ajv's default export may sit one level deeper
    const d = (mod.default as { default?: unknown } | undefined)?.default ?? mod.default ?? mod;
    return d as T;
  } catch {
    return null;
  }
}

async function build(version: StandinVersion): Promise<SchemaChecker | null> {
  const require = createRequire(import.meta.url);
  let file: string;
  try {
    file = require.resolve(`ak-schema-${version}/schema.yml`);
  } catch {
    return null;
  }
  const yaml = await importDefault<{ load(s: string): unknown }>('js-yaml');
  const AjvCtor = await importDefault<new (opts: Json) => AjvLike>('ajv');
  if (!yaml || !AjvCtor) return null;
  const doc = yaml.load(await readFile(file, 'utf8')) as Json;
  return new Checker(doc, AjvCtor);
}

// ---- OpenAPI 3.0 -> JSON Schema (draft-07 as Ajv reads it) ----

const FORMATS: Record<string, RegExp | true> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i,
  date: /^\d{4}-\d{2}-\d{2}$/,
  // authentik really sends "" for users without an address; the format is advisory there
  email: /^$|^[^\s@]+@[^\s@]+$/,
  uri: /^[a-z][a-z0-9+.-]*:\S*$/i,
};

function collectFormats(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => collectFormats(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'format' && typeof v === 'string') out.add(v);
      else collectFormats(v, out);
    }
  }
}

/**
 * Rewrites nullable (Ajv rejects `nullable` without `type`), local $refs (made absolute to the
 * document id) and, per direction, drops properties the other direction only has from `required`
 * (readOnly in requests, writeOnly in responses).
 */
function convert(node: unknown, docId: string, direction: 'req' | 'res'): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n, docId, direction));
  if (!node || typeof node !== 'object') return node;
  const src = node as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'nullable' || k === 'discriminator' || k === 'example') continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) out[k] = `${docId}${v}`;
    else if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, convert(pv, docId, direction)]));
    } else out[k] = convert(v, docId, direction);
  }
  if (Array.isArray(out['required']) && src['properties'] && typeof src['properties'] === 'object') {
    const props = src['properties'] as Record<string, Json>;
    const skip = direction === 'req' ? 'readOnly' : 'writeOnly';
    out['required'] = (out['required'] as string[]).filter((name) => props[name]?.[skip] !== true);
  }
  if (src['nullable'] === true) {
    if (typeof out['type'] === 'string' && !out['allOf'] && !out['anyOf'] && !out['oneOf']) {
      out['type'] = [out['type'], 'null'];
      if (Array.isArray(out['enum'])) out['enum'] = [...(out['enum'] as unknown[]), null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

// ---- Ajv errors -> DRF messages ----

function drfMessage(e: AjvError, data: unknown): string {
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return 'This field is required.';
    case 'type': {
      const t = String(p['type']).split(',')[0];
      if (t === 'string') return 'Not a valid string.';
      if (t === 'boolean') return 'Must be a valid boolean.';
      if (t === 'integer') return 'A valid integer is required.';
      if (t === 'number') return 'A valid number is required.';
      if (t === 'array') return `Expected a list of items but got type "${pyType(data)}".`;
      if (t === 'object') {
        // `attributes` is a JSONField with authentik's is_dict validator, not a DictField
        if (e.instancePath.endsWith('/attributes')) return IS_DICT_MESSAGE;
        return `Expected a dictionary of items but got type "${pyType(data)}".`;
      }
      return 'This field may not be null.';
    }
    case 'enum':
      return `"${String(data)}" is not a valid choice.`;
    case 'pattern':
      // the only pattern in the request bodies the stand-in serves: SlugField (e.g. Flow.slug)
      return p['pattern'] === SLUG_PATTERN ? SLUG_MESSAGE : 'This value does not match the required pattern.';
    case 'minLength':
      return Number(p['limit']) === 1 ? 'This field may not be blank.' : `Ensure this field has at least ${String(p['limit'])} characters.`;
    case 'maxLength':
      return `Ensure this field has no more than ${String(p['limit'])} characters.`;
    case 'minimum':
      return `Ensure this value is greater than or equal to ${String(p['limit'])}.`;
    case 'maximum':
      return `Ensure this value is less than or equal to ${String(p['limit'])}.`;
    case 'format':
      if (p['format'] === 'uuid') return 'Must be a valid UUID.';
      if (p['format'] === 'email') return 'Enter a valid email address.';
      if (p['format'] === 'uri') return 'Enter a valid URL.';
      if (p['format'] === 'date-time') {
        return 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';
      }
      return 'Invalid value.';
    default:
      return e.message ?? 'Invalid value.';
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur = root;
  for (const seg of pointer.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur && typeof cur === 'object' ? (cur as Json)[key] : undefined;
  }
  return cur;
}

/** Ajv errors -> {"field": ["msg"]} (nested fields nest), first error per field like DRF. */
export function toDrfErrors(errors: AjvError[], body: unknown, fileFields: string[] = []): unknown {
  const useful = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && !(e.keyword === 'type' && e.params['type'] === 'null'));
  const out: Json = {};
  for (const e of useful.length ? useful : errors) {
    const segs = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (e.keyword === 'required') segs.push(String(e.params['missingProperty']));
    if (segs.length === 0) {
      // the body itself is not an object
      out['non_field_errors'] ??= [`Invalid data. Expected a dictionary, but got ${pyType(body)}.`];
      continue;
    }
    let cur = out;
    for (const s of segs.slice(0, -1)) {
      if (!cur[s] || typeof cur[s] !== 'object' || Array.isArray(cur[s])) cur[s] = {};
      cur = cur[s] as Json;
    }
    const last = segs[segs.length - 1] as string;
    // DRF FileField says "No file was submitted." where other fields say "This field is required."
    const msg = e.keyword === 'required' && fileFields.includes(last) ? 'No file was submitted.' : drfMessage(e, valueAt(body, e.instancePath));
    if (!(last in cur)) cur[last] = [msg];
  }
  return out;
}

/** Names of `format: binary` properties of a (possibly $ref'd) object schema. */
function binaryFields(schema: unknown, schemas: Json): string[] {
  let node = schema as Json | undefined;
  const ref = node?.['$ref'];
  if (typeof ref === 'string') node = schemas[ref.split('/').pop() ?? ''] as Json | undefined;
  const props = (node?.['properties'] ?? {}) as Record<string, Json>;
  return Object.entries(props)
    .filter(([, p]) => p['format'] === 'binary')
    .map(([k]) => k);
}

class Checker implements SchemaChecker {
  readonly version: string;
  readonly schemas: Json;
  private readonly paths: Record<string, Json>;
  private readonly ajv: AjvLike;
  private readonly compiled = new Map<string, Validate | null>();

  constructor(doc: Json, AjvCtor: new (opts: Json) => AjvLike) {
    this.version = String((doc['info'] as Json | undefined)?.['version'] ?? '');
    this.paths = (doc['paths'] ?? {}) as Record<string, Json>;
    const schemas = ((doc['components'] as Json | undefined)?.['schemas'] ?? {}) as Json;
    this.schemas = schemas;
    this.ajv = new AjvCtor({ strict: false, allErrors: true, validateSchema: false, addUsedSchema: false });
    const formats = new Set<string>();
    collectFormats(schemas, formats);
    collectFormats(this.paths, formats);
    for (const f of formats) this.ajv.addFormat(f, FORMATS[f] ?? true);
    for (const [f, re] of Object.entries(FORMATS)) if (!formats.has(f)) this.ajv.addFormat(f, re);
    // only components go into Ajv: the paths part is read directly
    this.ajv.addSchema({ $id: 'ak-req', components: { schemas: convert(schemas, 'ak-req', 'req') } }, 'ak-req');
    this.ajv.addSchema({ $id: 'ak-res', components: { schemas: convert(schemas, 'ak-res', 'res') } }, 'ak-res');
  }

  hasPath(template: string): boolean {
    return template in this.paths;
  }

  methods(template: string): string[] {
    return Object.keys(this.paths[template] ?? {})
      .filter((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k))
      .map((k) => k.toUpperCase());
  }

  private op(template: string, method: string): Json | undefined {
    return this.paths[template]?.[method.toLowerCase()] as Json | undefined;
  }

  private validator(key: string, schema: unknown, direction: 'req' | 'res'): Validate | null {
    if (this.compiled.has(key)) return this.compiled.get(key) ?? null;
    let v: Validate | null = null;
    if (schema && typeof schema === 'object') v = this.ajv.compile(convert(schema, `ak-${direction}`, direction));
    this.compiled.set(key, v);
    return v;
  }

  validateRequest(template: string, method: string, mediaType: 'json' | 'multipart', body: unknown): unknown | null {
    const rb = this.op(template, method)?.['requestBody'] as Json | undefined;
    if (!rb) return null;
    const content = (rb['content'] ?? {}) as Record<string, Json>;
    const ct = mediaType === 'multipart' ? 'multipart/form-data' : 'application/json';
    const schema = content[ct]?.['schema'];
    if (!schema) return null;
    const v = this.validator(`req ${method} ${template} ${ct}`, schema, 'req');
    const data = body === undefined ? {} : body;
    if (!v || v(data)) return null;
    return toDrfErrors(v.errors ?? [], data, mediaType === 'multipart' ? binaryFields(schema, this.schemas) : []);
  }

  validateResponse(template: string, method: string, status: number, body: unknown): string[] {
    const op = this.op(template, method);
    if (!op) return [`${method} ${template}: operation not in schema ${this.version}`];
    const responses = (op['responses'] ?? {}) as Record<string, Json>;
    let resp = responses[String(status)];
    if (resp && typeof resp['$ref'] === 'string') {
      // #/components/responses/X: only the generic error shapes are referenced this way
      const name = String(resp['$ref']).split('/').pop();
      resp = { content: { 'application/json': { schema: { $ref: `#/components/schemas/${name === 'ValidationErrorResponse' ? 'ValidationError' : 'GenericError'}` } } } };
    }
    if (!resp) {
      // authentik answers 404/405/500 on any operation without documenting them
      return status >= 200 && status < 300 ? [`${method} ${template}: status ${status} is not documented`] : [];
    }
    const schema = ((resp['content'] as Record<string, Json> | undefined)?.['application/json'] ?? {})['schema'];
    if (!schema) {
      return body === undefined || body === '' ? [] : [`${method} ${template} ${status}: documented without a body, but one was sent`];
    }
    const v = this.validator(`res ${method} ${template} ${status}`, schema, 'res');
    if (!v || v(body)) return [];
    return (v.errors ?? [])
      .slice(0, 5)
      .map((e) => `${method} ${template} ${status}: ${e.instancePath || '(root)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  }
}
