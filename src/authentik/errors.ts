// THE mapping from HTTP/network failures to one-line, secret-free ApiErrors.
// No runtime axios import here: errors are recognised by shape, so this module (and `instanceof
// ApiError`) is cheap to load. Never read err.config / err.request / err.toJSON(): they carry the
// Authorization header. Every message, hint and detail passes through redact().

import { STATUS_CODES } from 'node:http';
import { CliError, ExitCode, redact, type ExitCodeValue } from '../errors.js';

export interface ApiErrorInit {
  method: string;
  url: string;
  status?: number;
  detail?: string;
  fieldErrors?: Record<string, unknown>;
  /** Node/axios error code for network failures (ECONNREFUSED, ECONNABORTED, CERT_HAS_EXPIRED, ...). */
  code?: string;
  hint?: string;
  exitCode?: ExitCodeValue;
}

export class ApiError extends CliError {
  readonly status?: number;
  readonly method: string;
  readonly url: string;
  readonly detail?: string;
  readonly fieldErrors?: Record<string, unknown>;
  readonly code?: string;

  constructor(message: string, init: ApiErrorInit) {
    const exitCode = init.exitCode ?? exitCodeFor(init.status);
    super(oneLine(redact(message)), exitCode, init.hint !== undefined ? { hint: oneLine(redact(init.hint)) } : {});
    this.name = 'ApiError';
    this.method = init.method;
    this.url = redact(init.url);
    if (init.status !== undefined) this.status = init.status;
    if (init.detail !== undefined) this.detail = redact(init.detail);
    // The raw 400 body: redacted deeply (a server may echo the token in it).
    if (init.fieldErrors !== undefined) this.fieldErrors = redactDeep(init.fieldErrors) as Record<string, unknown>;
    if (init.code !== undefined) this.code = init.code;
  }
}

/** 401/403 → 4 (auth), 404 → 5 (not found), anything else → 1. */
export function exitCodeFor(status: number | undefined): ExitCodeValue {
  if (status === 401 || status === 403) return ExitCode.AUTH;
  if (status === 404) return ExitCode.NOT_FOUND;
  return ExitCode.ERROR;
}

/** What the client knows about the request that failed (no headers, no token). */
export interface RequestContext {
  method: string;
  /** Full URL including the query string. */
  url: string;
  /** Path relative to /api/v3/, e.g. "core/users/" (used to name a denied permission). */
  path: string;
  /** authentik's base URL as configured (for "is authentik running at ...?"). */
  baseUrl: string;
  timeoutMs: number;
}

export const TOKEN_HINT =
  'authentik answers 403 (not 401) for a bad or expired token: check the token (intent "API", not expired, its user active) and that --url points at the right authentik';

// ---------------------------------------------------------------------------------------------
// HTTP status errors

/** Builds the ApiError for an HTTP answer with a non-2xx status. */
export function statusError(
  ctx: RequestContext,
  status: number,
  statusText: string | undefined,
  headers: Record<string, unknown>,
  body: unknown,
): ApiError {
  const text = statusText && statusText.trim() !== '' ? statusText.trim() : (STATUS_CODES[status] ?? '');
  const contentType = headerValue(headers, 'content-type');
  const parsed = parseBody(body, contentType);
  let detail: string | undefined;
  let fieldErrors: Record<string, unknown> | undefined;
  if (parsed.kind === 'json') {
    const v = parsed.value;
    if (isRecord(v) && typeof v['detail'] === 'string') {
      detail = v['detail'];
    } else if (status === 400 || isRecord(v) || Array.isArray(v)) {
      if (isRecord(v)) fieldErrors = v;
      const flat = flattenErrors(v);
      if (flat !== '') detail = flat;
    }
  } else if (parsed.kind === 'other') {
    detail = parsed.summary;
  }
  if (detail !== undefined) detail = shorten(detail);

  const message = `${ctx.method} ${ctx.url} failed: ${status}${text ? ` ${text}` : ''}${detail ? `: ${detail}` : ''}`;
  const hint = statusHint(ctx, status, detail, parsed.kind !== 'json' && parsed.kind !== 'empty', headers);
  const init: ApiErrorInit = { method: ctx.method, url: ctx.url, status };
  if (detail !== undefined) init.detail = detail;
  if (fieldErrors !== undefined) init.fieldErrors = fieldErrors;
  if (hint !== undefined) init.hint = hint;
  return new ApiError(message, init);
}

function statusHint(
  ctx: RequestContext,
  status: number,
  detail: string | undefined,
  notJson: boolean,
  headers: Record<string, unknown>,
): string | undefined {
  if (status >= 300 && status < 400) {
    const location = headerValue(headers, 'location');
    return `the server redirects${location ? ` to ${shorten(location, 200)}` : ''}; point --url at the address authentik answers on (redirects are not followed, so the token only goes where you sent it)`;
  }
  switch (status) {
    case 401:
      return notJson
        ? 'something in front of authentik (a reverse proxy or SSO gateway) asks for its own login; --url must reach authentik itself'
        : TOKEN_HINT;
    case 403:
      return isTokenProblem(detail) || notJson ? TOKEN_HINT : permissionHint(ctx);
    case 404:
      return notJson
        ? 'this is not an answer from authentik\'s API: check --url (include the sub-path authentik is served under, e.g. https://host/auth/)'
        : undefined;
    case 405:
      return `this authentik version does not allow ${ctx.method} on ${ctx.path}`;
    case 413:
      return 'the request is larger than authentik or its reverse proxy accepts (e.g. nginx client_max_body_size)';
    case 429:
      return 'authentik is rate-limiting this client; wait a moment and re-run';
    case 500:
      return "authentik hit an internal error; its server log has the traceback";
    case 502:
    case 503:
    case 504:
      return 'authentik is not answering behind its reverse proxy (starting, restarting or overloaded?); try again shortly';
    default:
      return undefined;
  }
}

const TOKEN_PROBLEMS = [
  'token invalid',
  'invalid/expired',
  'expired',
  'authentication credentials were not provided',
  'unsupported authentication type',
  'malformed header',
];

function isTokenProblem(detail: string | undefined): boolean {
  if (detail === undefined) return false;
  const d = detail.toLowerCase();
  return TOKEN_PROBLEMS.some((p) => d.includes(p));
}

// Which permission an endpoint needs (from authentik's source; see reference/authentik.md). THE table:
// the client's 403 hint below and setup's "permission denied: ... needs ..." (src/setup/permissions.ts)
// both read it through permissionFor().
interface PermRule {
  re: RegExp;
  /** undefined: the endpoint checks no model permission (a 403 there has another cause). */
  perm: (method: string) => string | undefined;
}
const crud = (app: string, model: string) => (method: string) => `${app}.${verbFor(method)}_${model}`;
const PERM_RULES: PermRule[] = [
  { re: /^stages\/prompt\/prompts\//, perm: crud('authentik_stages_prompt', 'prompt') },
  { re: /^stages\/prompt\/stages\//, perm: crud('authentik_stages_prompt', 'promptstage') },
  { re: /^policies\/expression\//, perm: crud('authentik_policies_expression', 'expressionpolicy') },
  { re: /^policies\/all\/[^/]+\/test\//, perm: () => 'authentik_policies.view_policy and authentik_core.view_user' },
  { re: /^policies\/all\//, perm: crud('authentik_policies', 'policy') },
  { re: /^flows\/instances\//, perm: crud('authentik_flows', 'flow') },
  { re: /^flows\/bindings\//, perm: crud('authentik_flows', 'flowstagebinding') },
  { re: /^core\/users\//, perm: crud('authentik_core', 'user') },
  // BrandViewSet.current is permission_classes=[AllowAny]
  { re: /^core\/brands\/current\//, perm: () => undefined },
  { re: /^core\/brands\//, perm: crud('authentik_brands', 'brand') },
  {
    re: /^admin\/settings\//,
    perm: (m) => (isRead(m) ? 'authentik_rbac.view_system_settings' : 'authentik_rbac.edit_system_settings'),
  },
  {
    re: /^admin\/file\//,
    perm: (m) => (isRead(m) ? 'authentik_rbac.view_media_files' : 'authentik_rbac.manage_media_files'),
  },
];

function verbFor(method: string): string {
  switch (method.toUpperCase()) {
    case 'POST':
      return 'add';
    case 'PUT':
    case 'PATCH':
      return 'change';
    case 'DELETE':
      return 'delete';
    default:
      return 'view';
  }
}

function isRead(method: string): boolean {
  return ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** A path as the rules see it: relative to /api/v3/, without the query string. */
function apiPath(path: string): string {
  return path.replace(/^\/+/, '').replace(/^api\/v3\//, '').split('?')[0] ?? '';
}

/** The permission authentik checks for `method path` (e.g. authentik_stages_prompt.add_prompt), if any. */
export function permissionFor(method: string, path: string): string | undefined {
  const p = apiPath(path);
  return PERM_RULES.find((r) => r.re.test(p))?.perm(method);
}

/** "the token is valid, but its user may not PATCH admin/settings/ (needs authentik_rbac.edit_system_settings) ..." */
export function permissionHint(ctx: Pick<RequestContext, 'method' | 'path'>): string {
  const path = ctx.path.replace(/^\/+/, '').split('?')[0] ?? '';
  const perm = permissionFor(ctx.method, path);
  const needs = perm ? ` (needs ${perm})` : '';
  return `the token is valid, but its user may not ${ctx.method.toUpperCase()} ${path}${needs}; grant the permission through a role, or use a superuser's token`;
}

// ---------------------------------------------------------------------------------------------
// 400 field errors

/**
 * Flattens DRF validation errors into one line:
 *   {"name": ["prompt with this name already exists."], "non_field_errors": ["x"], "attributes": {"a": ["bad"]}}
 *   -> "name: prompt with this name already exists.; x; attributes.a: bad"
 * List serializer errors ([{}, {"name": [...]}]) become "[1].name: ...".
 */
export function flattenErrors(body: unknown): string {
  const parts: string[] = [];
  walk(body, '', parts);
  return parts.join('; ');
}

function walk(v: unknown, prefix: string, out: string[]): void {
  if (v === null || v === undefined) return;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    const s = String(v).trim();
    if (s !== '') out.push(prefix ? `${prefix}: ${s}` : s);
    return;
  }
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string' || typeof x === 'number')) {
      const s = v.map((x) => String(x).trim()).filter((x) => x !== '').join(' ');
      if (s !== '') out.push(prefix ? `${prefix}: ${s}` : s);
      return;
    }
    v.forEach((item, i) => walk(item, `${prefix}[${i}]`, out));
    return;
  }
  if (isRecord(v)) {
    const keys = Object.keys(v);
    for (const k of keys) {
      // A top-level "code" next to real messages is a machine code, not a message.
      if (k === 'code' && prefix === '' && keys.length > 1 && typeof v[k] === 'string') continue;
      const nested = k === 'non_field_errors' || k === '__all__' ? prefix : prefix ? `${prefix}.${k}` : k;
      walk(v[k], nested, out);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Network-level failures (no HTTP answer)

const TLS_CERT_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);

/** Converts anything thrown while talking to authentik into an ApiError (CliErrors pass through). */
export function toApiError(e: unknown, ctx: RequestContext): CliError {
  if (e instanceof CliError) return e;
  if (isHttpError(e) && e.response) {
    const r = e.response;
    return statusError(ctx, r.status, r.statusText, r.headers ?? {}, r.data);
  }
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const raw = typeof err?.message === 'string' ? err.message : String(e);
  const base = { method: ctx.method, url: ctx.url, ...(code !== undefined ? { code } : {}) };
  const fail = (what: string, hint?: string) =>
    new ApiError(`${ctx.method} ${ctx.url} failed: ${what}`, hint !== undefined ? { ...base, hint } : base);
  const host = hostOf(ctx.url);
  const mayHaveApplied = !['GET', 'HEAD', 'OPTIONS'].includes(ctx.method.toUpperCase());

  if ((code === 'ECONNABORTED' || code === 'ETIMEDOUT') && /timeout of \d+ ?ms|timeout exceeded/i.test(raw)) {
    return fail(`timed out after ${ctx.timeoutMs} ms; raise --timeout if authentik is just slow`);
  }
  if (code === 'ETIMEDOUT') {
    return fail(`connection timed out (${raw})`, `check that ${host} is reachable (firewall, VPN, proxy)`);
  }
  if (code === 'ECONNREFUSED') {
    return fail(
      `connection refused (${raw})`,
      `is authentik running at ${ctx.baseUrl}? check --url and the port (with HTTPS_PROXY/HTTP_PROXY set, the proxy may be the one refusing)`,
    );
  }
  if (code !== undefined && DNS_CODES.has(code)) {
    return fail(`cannot resolve host "${host}" (${code})`, 'check the host name in --url and your DNS');
  }
  if (code !== undefined && TLS_CERT_CODES.has(code)) {
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
      return fail(
        `TLS certificate does not match "${host}" (${raw})`,
        'use the host name the certificate was issued for in --url',
      );
    }
    if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
      return fail(`TLS certificate of ${host} is not valid now (${code})`, "renew authentik's certificate or check the clock");
    }
    return fail(
      `TLS certificate of ${host} is not trusted (${code}: ${raw})`,
      'pass the CA that signed it with --ca-file /path/ca.pem (or NODE_EXTRA_CA_CERTS=/path/ca.pem); --insecure skips verification (testing only)',
    );
  }
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(raw)) {
    return fail(`TLS handshake failed (${raw})`, 'does the server speak plain HTTP? try http:// in --url');
  }
  if (code === 'ECONNRESET' || /socket hang up/i.test(raw)) {
    return fail(
      `connection reset by the server or a proxy (${raw})`,
      mayHaveApplied
        ? `the ${ctx.method} was not repeated because it may already have been applied; check the current state before re-running`
        : 'authentik or a reverse proxy closed the connection; re-run, or check the proxy logs',
    );
  }
  if (code === 'ERR_CANCELED') return fail('request cancelled');
  return fail(code && !raw.includes(code) ? `${code} ${raw}` : raw);
}

/** The shape of an axios error we rely on (duck-typed: no axios import). */
interface HttpErrorShape {
  isAxiosError: true;
  code?: string;
  message: string;
  response?: { status: number; statusText?: string; headers?: Record<string, unknown>; data?: unknown };
}

function isHttpError(e: unknown): e is HttpErrorShape {
  return typeof e === 'object' && e !== null && (e as { isAxiosError?: unknown }).isAxiosError === true;
}

// ---------------------------------------------------------------------------------------------
// Body helpers (shared with client.ts for 2xx answers)

export type ParsedBody =
  | { kind: 'empty' }
  | { kind: 'json'; value: unknown }
  /** Not JSON: `summary` is a short description ("HTML page \"502 Bad Gateway\"", or the text). */
  | { kind: 'other'; summary: string; malformedJson: boolean };

/** Parses a text body; `kind: 'other'` for HTML, plain text or JSON that does not parse. */
export function parseBody(body: unknown, contentType: string | undefined): ParsedBody {
  if (body === undefined || body === null) return { kind: 'empty' };
  if (typeof body !== 'string') {
    if (Buffer.isBuffer(body)) return parseBody(body.toString('utf8'), contentType);
    return { kind: 'json', value: body };
  }
  if (body.trim() === '') return { kind: 'empty' };
  const ct = (contentType ?? '').toLowerCase();
  const looksJson = ct.includes('json') || (ct === '' && /^\s*[[{"]/.test(body));
  if (looksJson) {
    try {
      return { kind: 'json', value: JSON.parse(body) as unknown };
    } catch {
      return { kind: 'other', summary: `malformed JSON (${snippet(body)})`, malformedJson: true };
    }
  }
  if (ct.includes('html') || /^\s*<(!doctype|html|head|body)/i.test(body)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
    return { kind: 'other', summary: title ? `HTML page "${shorten(title, 80)}"` : 'HTML page', malformedJson: false };
  }
  return { kind: 'other', summary: `${ct ? `${ct.split(';')[0]}: ` : ''}${snippet(body)}`, malformedJson: false };
}

/** A 2xx answer that is not the JSON we expected (e.g. a reverse proxy's login page). */
export function malformedAnswer(ctx: RequestContext, status: number, what: string): ApiError {
  return new ApiError(`${ctx.method} ${ctx.url} failed: ${status} answer is ${what}, not authentik's JSON`, {
    method: ctx.method,
    url: ctx.url,
    status,
    exitCode: ExitCode.ERROR,
    detail: what,
    hint: "something other than authentik's API answered (a reverse proxy, an SSO gateway or a wrong --url?); --url must be authentik's base URL, including any sub-path",
  });
}

export function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const get = (headers as { get?: (n: string) => unknown }).get;
  let v: unknown = typeof get === 'function' ? get.call(headers, name) : undefined;
  if (v === undefined || v === null) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    v = key !== undefined ? headers[key] : undefined;
  }
  if (Array.isArray(v)) v = v[0];
  return v === undefined || v === null ? undefined : String(v);
}

function snippet(text: string): string {
  return shorten(text.replace(/\s+/g, ' ').trim(), 120);
}

/** Collapses data URIs (avatars travel as data URIs) and caps the length: messages stay one short line. */
export function shorten(text: string, max = 300): string {
  const s = text.replace(/data:([\w.+-]+\/[\w.+-]+)?(;[\w=-]+)*,[A-Za-z0-9+/=%_-]{40,}/g, (m, mime: string | undefined) =>
    `data:${mime ?? ''}…(${m.length} chars)`,
  );
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function redactDeep(v: unknown): unknown {
  if (typeof v === 'string') return redact(v);
  if (Array.isArray(v)) return v.map(redactDeep);
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [redact(k), redactDeep(x)]));
  return v;
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
