// Decide what a buffer is from its bytes alone (never the file name or a declared MIME type).
import { unsupported } from './errors.js';
import { loadFileType } from './lazy.js';

export type SniffedType =
  | 'png' | 'apng' | 'jpeg' | 'webp' | 'gif' | 'avif' | 'tiff' | 'svg' | 'bmp' | 'ico' | 'heif';

export interface Sniffed {
  type: SniffedType;
  mime: string;
}

const BY_MIME: Record<string, Sniffed> = {
  'image/png': { type: 'png', mime: 'image/png' },
  'image/apng': { type: 'apng', mime: 'image/apng' },
  'image/jpeg': { type: 'jpeg', mime: 'image/jpeg' },
  'image/webp': { type: 'webp', mime: 'image/webp' },
  'image/gif': { type: 'gif', mime: 'image/gif' },
  'image/avif': { type: 'avif', mime: 'image/avif' },
  'image/tiff': { type: 'tiff', mime: 'image/tiff' },
  'image/bmp': { type: 'bmp', mime: 'image/bmp' },
  'image/x-icon': { type: 'ico', mime: 'image/x-icon' },
  'image/vnd.microsoft.icon': { type: 'ico', mime: 'image/x-icon' },
  // HEIF containers may hold AV1 (fine, that is AVIF) or HEVC (refused): decided from the header later.
  'image/heic': { type: 'heif', mime: 'image/heic' },
  'image/heic-sequence': { type: 'heif', mime: 'image/heic' },
  'image/heif': { type: 'heif', mime: 'image/heif' },
  'image/heif-sequence': { type: 'heif', mime: 'image/heif' },
};

export const SVG_MIME = 'image/svg+xml';
const SVG_NUL_WINDOW = 4 * 1024;
const SVG_PREFIX = 64 * 1024;

/** Throws ImageError "unsupported image type X" for anything we don't decode. */
export async function sniff(buf: Buffer): Promise<Sniffed> {
  const fileTypeFromBuffer = await loadFileType();
  const ft = await fileTypeFromBuffer(buf);
  if (ft) {
    const known = BY_MIME[ft.mime];
    if (known) return known;
    // file-type reports an SVG that starts with <?xml ...?> as application/xml (and never as image/svg+xml today).
    if (ft.mime !== 'application/xml' && ft.mime !== SVG_MIME) throw unsupported(ft.mime);
  }
  if (looksLikeSvg(buf)) return { type: 'svg', mime: SVG_MIME };
  throw unsupported(ft?.mime ?? guessTextType(buf));
}

/**
 * SVG has no magic number: accept it when, after an optional BOM, XML declaration, comments, processing instructions
 * and DOCTYPE, the first element is <svg> (with or without a namespace prefix). Only a 64 KB prefix is examined and
 * binary data (a NUL in the first 4 KB) is never treated as text, so this stays cheap on 20 MB of random bytes.
 */
export function looksLikeSvg(buf: Buffer): boolean {
  if (buf.subarray(0, SVG_NUL_WINDOW).includes(0)) return false;
  let s = buf.subarray(0, SVG_PREFIX).toString('latin1');
  if (s.startsWith('\xEF\xBB\xBF')) s = s.slice(3);
  let i = 0;
  for (;;) {
    while (i < s.length && /\s/.test(s[i] as string)) i++;
    if (s.startsWith('<?', i)) {
      const end = s.indexOf('?>', i + 2);
      if (end < 0) return false;
      i = end + 2;
    } else if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i + 4);
      if (end < 0) return false;
      i = end + 3;
    } else if (s.startsWith('<!DOCTYPE', i) || s.startsWith('<!doctype', i)) {
      const end = skipDoctype(s, i);
      if (end < 0) return false;
      i = end;
    } else {
      return /^<(?:[A-Za-z_][\w.-]*:)?svg[\s/>]/.test(s.slice(i, i + 64));
    }
  }
}

/** Returns the index after the DOCTYPE declaration (internal subset in [...] included), or -1. */
function skipDoctype(s: string, start: number): number {
  let depth = 0;
  let quote = '';
  for (let i = start + 2; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '>' && depth <= 0) return i + 1;
  }
  return -1;
}

/** For the refusal message only: name what an unrecognised file most likely is. */
function guessTextType(buf: Buffer): string {
  const head = buf.subarray(0, 4096);
  if (head.length === 0) return 'application/octet-stream (empty)';
  if (head.includes(0)) return 'application/octet-stream';
  const text = head.toString('latin1').replace(/^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
  if (/^(<!--[\s\S]*?-->\s*)*<(!doctype html|html|head|body|script|meta|div|p|a|iframe|title)[\s>]/.test(text)) {
    return 'text/html';
  }
  if (text.startsWith('<?xml') || text.startsWith('<')) return 'application/xml';
  return 'text/plain';
}
