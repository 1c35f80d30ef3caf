// Renders the avatar validation policy (src/policy/avatar_policy.py) into the expression text stored in
// authentik's ExpressionPolicy. The Python stays a real file (tested with python3); only its config block
// and its version marker are replaced here.
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, ExitCode } from '../errors.js';

/** Bump whenever avatar_policy.py changes behaviour: `setup`/`status` compare it with the stored marker. */
export const POLICY_VERSION = '1';

export type PolicyStore = 'inline' | 'dir';

export interface PolicyOptions {
  store: PolicyStore;
  maxBytes: number;
  allowedTypes: string[];
  allowSvg: boolean;
  /** dir store: the directory inside authentik's container. */
  storeDir?: string;
  /** dir store: URL prefix (ending in '/') the reverse proxy serves storeDir under. */
  publicUrl?: string;
}

/** Every type the policy can recognise by its magic bytes. */
export const POLICY_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/svg+xml'] as const;

const KIB = 1024;
const MIB = 1024 * 1024;
/** A data URI travels in every user API response and event, so inline images stay small. */
const MAX_INLINE_BYTES = 2 * MIB;
/** authentik's own upload limit for files; a larger avatar makes no sense. */
const MAX_DIR_BYTES = 25 * MIB;
const MIN_BYTES = KIB;

const CONFIG_START = '# --- ak-avatars config ---';
const CONFIG_END = '# --- end config ---';
const MARKER_LINE = /^# ak-avatars policy v([0-9A-Za-z][0-9A-Za-z.+-]*)(?:[ \t]+store=([A-Za-z0-9_-]+))?[ \t]*\r?$/m;

export function defaultPolicyOptions(store: PolicyStore): PolicyOptions {
  if (store === 'dir') {
    return { store, maxBytes: 5 * MIB, allowedTypes: ['image/png', 'image/jpeg', 'image/webp', 'image/gif'], allowSvg: false };
  }
  return { store: 'inline', maxBytes: 512 * KIB, allowedTypes: ['image/png', 'image/jpeg'], allowSvg: false };
}

/**
 * Absolute path of a file shipped in src/policy/ (avatar_policy.py, evaluate.py).
 * Under jest this module is src/policy/render.ts; built, it is dist/policy/render.js and the .py files
 * stay in src/policy/ (package.json "files" ships them).
 */
export function policyAssetPath(name: 'avatar_policy.py' | 'evaluate.py'): string {
  const candidates = [new URL(`../policy/${name}`, import.meta.url), new URL(`../../src/policy/${name}`, import.meta.url)];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  throw new CliError(`The policy file ${name} is missing from this installation.`, ExitCode.ERROR, {
    hint: 'Reinstall ak-avatars: the package ships src/policy/*.py next to dist/.',
  });
}

/** The expression body to store in the ExpressionPolicy. Throws CliError (exit 2) for unusable options. */
export function renderPolicy(opts: PolicyOptions): string {
  const o = checkOptions(opts);
  const template = readFileSync(policyAssetPath('avatar_policy.py'), 'utf8').replace(/\r\n/g, '\n');
  const lines = template.split('\n');
  const start = lines.indexOf(CONFIG_START);
  const end = lines.indexOf(CONFIG_END);
  const markerAt = lines.findIndex((l) => MARKER_LINE.test(l));
  if (start < 0 || end < start || markerAt < 0 || markerAt > start || lines.lastIndexOf(CONFIG_START) !== start) {
    throw new CliError('The policy template avatar_policy.py is damaged (config block or marker missing).', ExitCode.ERROR);
  }
  const config = [
    `STORE = ${pyString(o.store)}`,
    `MAX_BYTES = ${o.maxBytes}`,
    `ALLOWED_TYPES = [${o.allowedTypes.map(pyString).join(', ')}]`,
    `ALLOW_SVG = ${o.allowSvg ? 'True' : 'False'}`,
    `STORE_DIR = ${pyString(o.storeDir ?? '')}`,
    `PUBLIC_URL = ${pyString(o.publicUrl ?? '')}`,
  ];
  const out = [...lines.slice(0, start + 1), ...config, ...lines.slice(end)];
  out[markerAt] = `# ak-avatars policy v${POLICY_VERSION} store=${o.store}`;
  return out.join('\n');
}

/** Version and store of a policy rendered by renderPolicy; null when the expression is not ours. */
export function readPolicyMarker(expression: string): { version: string; store?: string } | null {
  const m = MARKER_LINE.exec(expression);
  if (!m || m[1] === undefined) return null;
  return m[2] !== undefined ? { version: m[1], store: m[2] } : { version: m[1] };
}

/**
 * A JSON string literal is a valid Python string literal. Non-ASCII is escaped as well, because authentik
 * indents the policy with textwrap.indent, which splits lines at U+2028, U+0085 and friends too.
 */
function pyString(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function usage(message: string, hint?: string): CliError {
  return new CliError(message, ExitCode.USAGE, hint !== undefined ? { hint } : {});
}

function checkOptions(opts: PolicyOptions): PolicyOptions {
  if (opts.store !== 'inline' && opts.store !== 'dir') {
    throw usage(`Unknown avatar store "${String(opts.store)}".`, 'Use "inline" (data URI in the user) or "dir" (files served by a reverse proxy).');
  }
  const cap = opts.store === 'inline' ? MAX_INLINE_BYTES : MAX_DIR_BYTES;
  if (!Number.isSafeInteger(opts.maxBytes) || opts.maxBytes < MIN_BYTES || opts.maxBytes > cap) {
    throw usage(
      `Maximum avatar size ${String(opts.maxBytes)} is out of range for the ${opts.store} store.`,
      `Give a whole number of bytes between ${MIN_BYTES} and ${cap}.`,
    );
  }
  if (typeof opts.allowSvg !== 'boolean') throw usage('allowSvg must be true or false.');
  const known: readonly string[] = POLICY_IMAGE_TYPES;
  const types: string[] = [];
  for (const raw of Array.isArray(opts.allowedTypes) ? opts.allowedTypes : []) {
    const t = String(raw).trim().toLowerCase();
    if (!known.includes(t)) {
      throw usage(`The policy cannot check image type "${String(raw)}".`, `Allowed types: ${known.join(', ')}.`);
    }
    if (!types.includes(t)) types.push(t);
  }
  if (types.includes('image/svg+xml') && !opts.allowSvg) {
    throw usage('image/svg+xml is listed but SVG uploads are not enabled.', 'Enable SVG explicitly (allowSvg) or drop it from the list.');
  }
  if (opts.allowSvg && !types.includes('image/svg+xml')) types.push('image/svg+xml');
  if (types.length === 0) throw usage('The list of accepted image types is empty.');

  const checked: PolicyOptions = { store: opts.store, maxBytes: opts.maxBytes, allowedTypes: types, allowSvg: opts.allowSvg };
  const hasDir = opts.storeDir !== undefined && opts.storeDir !== '';
  const hasUrl = opts.publicUrl !== undefined && opts.publicUrl !== '';
  if (opts.store === 'dir' && (!hasDir || !hasUrl)) {
    throw usage('The dir store needs both a directory and a public URL.', 'Pass --store-dir (inside authentik\'s container) and --public-url.');
  }
  // Inline may keep the dir settings of an earlier setup, so the policy still removes those old files.
  if (hasDir !== hasUrl) throw usage('Give both the avatar directory and its public URL, or neither.');
  if (hasDir && hasUrl) {
    checked.storeDir = checkStoreDir(opts.storeDir as string);
    checked.publicUrl = checkPublicUrl(opts.publicUrl as string);
  }
  return checked;
}

function checkStoreDir(dir: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(dir)) throw usage('The avatar directory contains control characters.');
  if (!dir.startsWith('/')) {
    throw usage(`The avatar directory "${dir}" is not an absolute path.`, "Give the path inside authentik's container, e.g. /data/avatars.");
  }
  if (dir.split('/').some((part) => part === '..' || part === '.')) {
    throw usage(`The avatar directory "${dir}" contains "." or ".." segments.`);
  }
  const normal = posix.normalize(dir).replace(/\/+$/, '');
  if (normal === '') throw usage('The avatar directory cannot be the root directory.');
  return normal;
}

function checkPublicUrl(url: string): string {
  const hint = 'Example: https://auth.example.com/avatars/ (the URL your reverse proxy serves the directory under).';
  if (!/^https?:\/\/[^/]/i.test(url)) throw usage(`The public URL "${url}" must start with https:// or http://.`, hint);
  if (!url.endsWith('/')) throw usage(`The public URL "${url}" must end with "/".`, hint);
  if (!/^[\x21-\x7e]+$/.test(url) || /["'\\<>`]/.test(url)) {
    throw usage(`The public URL "${url}" contains spaces, quotes or non-ASCII characters.`, hint);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usage(`The public URL "${url}" is not a valid URL.`, hint);
  }
  if (parsed.username !== '' || parsed.password !== '') throw usage('The public URL must not contain credentials.', hint);
  if (parsed.search !== '' || parsed.hash !== '' || url.includes('?') || url.includes('#')) {
    throw usage(`The public URL "${url}" must not contain a query or fragment.`, hint);
  }
  // new URL() resolves dot segments away, so look at the text as given.
  if (/\/\.{1,2}(?:\/|$)/.test(url.slice(url.indexOf('//') + 2)) || /%2e|%2f|%5c/i.test(url)) {
    throw usage(`The public URL "${url}" contains "." or ".." segments or encoded dots/slashes.`, hint);
  }
  return url;
}
