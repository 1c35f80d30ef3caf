// Encoding of the final RGBA pixels. Only this output leaves the pipeline; the source file's bytes never do.
// No keepMetadata()/withMetadata()/keepExif(): sharp then writes no EXIF, XMP or ICC (and raw input has none anyway).
import type { Deadline } from './deadline.js';
import { damaged, ImageError, usageError } from './errors.js';
import { loadSharp } from './lazy.js';
import type { OutputFormat } from './types.js';

export const MIME: Record<OutputFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** True when any pixel is not fully opaque. */
export function hasTransparency(rgba: Buffer): boolean {
  for (let i = 3; i < rgba.length; i += 4) if ((rgba[i] as number) < 255) return true;
  return false;
}

export async function encodeRgba(
  rgba: Buffer,
  width: number,
  height: number,
  s: { format: 'auto' | OutputFormat; quality: number; background: string },
  deadline: Deadline,
): Promise<{ data: Buffer; format: OutputFormat; mime: string }> {
  const sharp = await loadSharp();
  const transparent = hasTransparency(rgba);
  const format: OutputFormat = s.format === 'auto' ? (transparent ? 'png' : 'jpeg') : s.format;
  let img = sharp(rgba, { raw: { width, height, channels: 4 } });
  try {
    // Parsed even when unused, so a bad --background fails the same way for every image.
    sharp().flatten({ background: s.background });
  } catch {
    throw usageError(`invalid background colour ${JSON.stringify(s.background)}`, 'use e.g. #ffffff or white');
  }
  if (format === 'jpeg' && transparent) {
    img = img.flatten({ background: s.background });
  } else if (!transparent) {
    img = img.removeAlpha(); // an opaque result doesn't need (or pay for) an alpha channel
  }
  if (format === 'jpeg') img = img.jpeg({ quality: s.quality });
  else if (format === 'png') img = img.png({ compressionLevel: 9 });
  else img = img.webp({ quality: s.quality });
  try {
    const data = await deadline.race(img.timeout({ seconds: deadline.sharpSeconds() }).toBuffer());
    return { data, format, mime: MIME[format] };
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw damaged(`encoding failed: ${(e as Error).message}`, e);
  }
}
