// The bytes of a user's current avatar, wherever it lives: a data URI in the attribute, one of our
// files in --store-dir (read locally, no network), or any other http(s) URL (fetched with limits).

import { CliError, ExitCode } from '../errors.js';
import { parseDataUri } from '../image/index.js';
import type { FileOwnership } from '../storage/types.js';
import { DEFAULT_FETCH_LIMITS, fetchAvatar, type FetchLimits } from './fetch.js';
import { resolveAvatarUrl, valueKind } from './value.js';

export interface CurrentImage {
  kind: 'data-uri' | 'url';
  data: Buffer;
  url?: string;
  file?: string;
}

export interface SourceOptions {
  apiBase: string;
  files?: FileOwnership | undefined;
  limits?: FetchLimits;
}

/** null when the user has no avatar of their own. */
export async function loadAvatarImage(value: unknown, opts: SourceOptions): Promise<CurrentImage | null> {
  const kind = valueKind(value);
  if (kind === 'none') return null;
  if (kind === 'other' || typeof value !== 'string') {
    throw new CliError('attributes.avatar holds neither a data URI nor a URL', ExitCode.ERROR);
  }
  const limits = opts.limits ?? DEFAULT_FETCH_LIMITS;
  if (kind === 'data-uri') {
    const parsed = parseDataUri(value);
    if (!parsed) throw new CliError('attributes.avatar is not a valid base64 data URI');
    return { kind, data: parsed.data };
  }
  const url = resolveAvatarUrl(value, opts.apiBase);
  const file = opts.files?.ours(value);
  if (file) return { kind, url, file, data: await opts.files!.read(file, limits.maxBytes) };
  return { kind, url, data: await fetchAvatar(url, limits) };
}
