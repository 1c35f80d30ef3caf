// Reads the options back out of an installed policy we rendered: the config block between
// "# --- ak-avatars config ---" and "# --- end config ---" holds Python literals (strings, ints,
// lists of strings, True/False). Used so a plain `setup` re-run (or `--check` in CI) keeps the
// store an admin chose earlier instead of silently switching it back to the defaults, and so
// `status` knows the public URL to probe.
import type { PolicyOptions } from '../policy/render.js';

const BLOCK = /# --- ak-avatars config ---\n([\s\S]*?)# --- end config ---/;

type Literal = string | number | boolean | string[];

function parseLiteral(src: string): Literal | undefined {
  const s = src.trim();
  if (s === 'True') return true;
  if (s === 'False') return false;
  if (/^-?\d+$/.test(s)) return Number(s);
  if (s.startsWith('"') || s.startsWith('[')) {
    try {
      // the renderer writes strings and lists JSON-compatibly (double quotes)
      const v = JSON.parse(s) as unknown;
      if (typeof v === 'string') return v;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The options an installed policy was rendered with, or null when it has no readable config block. */
export function readPolicyConfig(expression: string): PolicyOptions | null {
  const m = BLOCK.exec(expression.replace(/\r\n/g, '\n'));
  if (!m?.[1]) return null;
  const vals: Record<string, Literal> = {};
  for (const line of m[1].split('\n')) {
    const kv = /^([A-Z_]+)\s*=\s*(.+)$/.exec(line.trim());
    if (!kv?.[1] || kv[2] === undefined) continue;
    const v = parseLiteral(kv[2]);
    if (v !== undefined) vals[kv[1]] = v;
  }
  const store = vals.STORE;
  if (store !== 'inline' && store !== 'dir') return null;
  if (typeof vals.MAX_BYTES !== 'number' || !Array.isArray(vals.ALLOWED_TYPES) || typeof vals.ALLOW_SVG !== 'boolean') return null;
  const opts: PolicyOptions = { store, maxBytes: vals.MAX_BYTES, allowedTypes: vals.ALLOWED_TYPES, allowSvg: vals.ALLOW_SVG };
  if (typeof vals.STORE_DIR === 'string' && vals.STORE_DIR !== '') opts.storeDir = vals.STORE_DIR;
  if (typeof vals.PUBLIC_URL === 'string' && vals.PUBLIC_URL !== '') opts.publicUrl = vals.PUBLIC_URL;
  return opts;
}
