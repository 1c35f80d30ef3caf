// What kind of value attributes.avatar holds, and a short, size-bounded summary of it for output
// (never the whole data URI: it can be hundreds of kilobytes).

import { createHash } from 'node:crypto';
import { parseDataUri } from '../image/index.js';
import type { FileOwnership } from '../storage/types.js';

export type ValueKind = 'none' | 'data-uri' | 'url' | 'other';

export interface ValueSummary {
  kind: ValueKind;
  /** data-uri: the declared MIME type (not trusted; `show` detects the real type). */
  mime?: string;
  /** url: the URL (resolved when authentik stores a path such as /media/...). */
  url?: string;
  /** url: the file in --store-dir when the URL is one of ours. */
  file?: string;
  /** Image bytes (decoded data URI, or our file's size) when known. */
  bytes?: number;
  /** sha256 (hex) of those bytes when known. */
  sha256?: string;
  /** Why a value could not be read (e.g. a malformed data URI). */
  problem?: string;
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** authentik falls through on any falsy value (missing key, "", null): those are all "none". */
export function valueKind(value: unknown): ValueKind {
  if (value === undefined || value === null || value === '' || value === false) return 'none';
  if (typeof value !== 'string') return 'other';
  if (/^data:/i.test(value)) return 'data-uri';
  if (/^https?:\/\//i.test(value) || value.startsWith('/')) return 'url';
  return 'other';
}

/** Resolves an avatar URL; a path (e.g. "/media/...") is relative to authentik's own origin. */
export function resolveAvatarUrl(value: string, authentikApiBase: string): string {
  return new URL(value, authentikApiBase).toString();
}

export async function summarizeValue(value: unknown, opts: { apiBase: string; files?: FileOwnership | undefined }): Promise<ValueSummary> {
  const kind = valueKind(value);
  if (kind === 'none' || typeof value !== 'string') return { kind };
  if (kind === 'data-uri') {
    const parsed = parseDataUri(value);
    if (!parsed) return { kind, problem: 'not a valid base64 data URI' };
    return { kind, mime: parsed.mime, bytes: parsed.data.length, sha256: sha256Hex(parsed.data) };
  }
  if (kind === 'other') return { kind };
  const out: ValueSummary = { kind, url: resolveAvatarUrl(value, opts.apiBase) };
  const file = opts.files?.ours(value);
  if (file) {
    out.file = file;
    try {
      const data = await opts.files!.read(file, 64 * 1024 * 1024);
      out.bytes = data.length;
      out.sha256 = sha256Hex(data);
    } catch (e) {
      out.problem = `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
  }
  return out;
}
