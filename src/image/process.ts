// processImage / inspectImage: decode (decode.ts) -> orient, crop, square, 8-bit sRGB RGBA (here) -> encode (encode.ts).
//
// The middle step always ends in raw RGBA pixels of the final size. That keeps the encoder's input free of anything
// from the source file (EXIF, XMP, ICC, appended polyglot payloads: only pixels cross), lets us see whether the
// result really has transparent pixels (format 'auto'), and costs nothing measurable at avatar sizes.
import { createHash } from 'node:crypto';
import { Deadline } from './deadline.js';
import { fromSharpError, openImage, type View, type Want } from './decode.js';
import { encodeRgba } from './encode.js';
import { usageError } from './errors.js';
import {
  DEFAULT_BACKGROUND, DEFAULT_MAX_INPUT_BYTES, DEFAULT_QUALITY, DEFAULT_SIZE, DEFAULT_TIMEOUT_MS, MAX_SIZE, MIN_SIZE,
} from './limits.js';
import type { CropRegion, ImageInfo, OutputFormat, ProcessedImage, ProcessOptions } from './types.js';

export const POSITIONS = [
  'centre', 'center', 'attention', 'entropy',
  'north', 'northeast', 'east', 'southeast', 'south', 'southwest', 'west', 'northwest',
] as const;

interface Settings {
  size: number;
  format: 'auto' | OutputFormat;
  quality: number;
  position: string;
  crop?: CropRegion;
  background: string;
  maxInputBytes: number;
  timeoutMs: number;
}

export function normaliseOptions(opts: Partial<ProcessOptions>): Settings {
  const size = opts.size ?? DEFAULT_SIZE;
  if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) throw usageError(`size must be an integer from ${MIN_SIZE} to ${MAX_SIZE}, got ${size}`);
  const format = opts.format ?? 'auto';
  if (!['auto', 'png', 'jpeg', 'webp'].includes(format)) throw usageError(`format must be auto, png, jpeg or webp, got ${String(format)}`);
  const quality = opts.quality ?? DEFAULT_QUALITY;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw usageError(`quality must be an integer from 1 to 100, got ${quality}`);
  const position = (opts.position ?? 'centre').toLowerCase();
  if (!(POSITIONS as readonly string[]).includes(position)) throw usageError(`unknown position ${opts.position}`, `use one of: ${POSITIONS.join(', ')}`);
  const background = opts.background ?? DEFAULT_BACKGROUND;
  const maxInputBytes = opts.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  if (!Number.isInteger(maxInputBytes) || maxInputBytes <= 0) throw usageError(`maxInputBytes must be a positive integer`);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw usageError(`timeout must be a positive number of milliseconds`);
  const s: Settings = { size, format, quality, position, background, maxInputBytes, timeoutMs };
  if (opts.crop) {
    const { x, y, w, h } = opts.crop;
    if (![x, y, w, h].every(Number.isInteger) || x < 0 || y < 0 || w < 1 || h < 1) {
      throw usageError(`crop region must be whole pixels with x,y >= 0 and w,h >= 1, got ${describeCrop(opts.crop)}`);
    }
    s.crop = { x, y, w, h };
  }
  return s;
}

function describeCrop(c: CropRegion): string {
  return `${c.w}x${c.h}+${c.x}+${c.y}`;
}

function checkCropInside(crop: CropRegion, info: ImageInfo): void {
  if (crop.x + crop.w > info.width || crop.y + crop.h > info.height) {
    throw usageError(
      `crop region ${describeCrop(crop)} lies outside the ${info.width}×${info.height} image`,
      'coordinates are in pixels of the image as displayed (after EXIF rotation); see `show` for its size',
    );
  }
}

/** Orient, crop, square (or any w×h for previews), convert: returns w×h×4 bytes of 8-bit sRGB RGBA. */
export async function toRgba(
  view: View,
  deadline: Deadline,
  mime: string,
  target: { w: number; h: number; fit: 'cover' | 'fill'; position: string; crop?: CropRegion },
): Promise<Buffer> {
  let img = view.img;
  if (target.crop) img = img.extract(scaleRegion(target.crop, view));
  img = img
    .resize(target.w, target.h, { fit: target.fit, position: target.position })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw({ depth: 'uchar' })
    .timeout({ seconds: deadline.sharpSeconds() });
  try {
    const { data, info } = await deadline.race(img.toBuffer({ resolveWithObject: true }));
    if (info.width !== target.w || info.height !== target.h || info.channels !== 4 || data.length !== target.w * target.h * 4) {
      throw new Error(`unexpected decoder output ${info.width}x${info.height}x${info.channels}`);
    }
    return data;
  } catch (e) {
    throw fromSharpError(e, { mime }, deadline);
  }
}

/** A region in ImageInfo coordinates, in the pixels of the view (differs for SVG, which is rendered at a scale). */
function scaleRegion(c: CropRegion, view: View): { left: number; top: number; width: number; height: number } {
  const left = Math.min(view.width - 1, Math.floor(c.x * view.sx));
  const top = Math.min(view.height - 1, Math.floor(c.y * view.sy));
  const right = Math.max(left + 1, Math.min(view.width, Math.ceil((c.x + c.w) * view.sx)));
  const bottom = Math.max(top + 1, Math.min(view.height, Math.ceil((c.y + c.h) * view.sy)));
  return { left, top, width: right - left, height: bottom - top };
}

export async function processImage(input: Buffer, opts: ProcessOptions): Promise<ProcessedImage> {
  const s = normaliseOptions(opts);
  const deadline = new Deadline(s.timeoutMs);
  const want = (info: ImageInfo): Want => {
    if (s.crop) checkCropInside(s.crop, info);
    return s.crop ? { w: s.size, h: s.size, region: s.crop } : { w: s.size, h: s.size };
  };
  const { info, view } = await openImage(input, deadline, s.maxInputBytes, want);
  const rgba = await toRgba(view as View, deadline, info.mime, {
    w: s.size, h: s.size, fit: 'cover', position: s.position, ...(s.crop ? { crop: s.crop } : {}),
  });
  const out = await encodeRgba(rgba, s.size, s.size, s, deadline);
  return {
    data: out.data,
    format: out.format,
    mime: out.mime,
    width: s.size,
    height: s.size,
    bytes: out.data.length,
    sha256: createHash('sha256').update(out.data).digest('hex'),
    source: info,
  };
}

/**
 * Validates like processImage, including a decode of the pixel data (a truncated or corrupt file fails here too),
 * but encodes nothing. Width/height are those of the image as displayed (after EXIF orientation).
 */
export async function inspectImage(input: Buffer, opts: Pick<ProcessOptions, 'maxInputBytes' | 'timeoutMs'> = {}): Promise<ImageInfo> {
  const s = normaliseOptions({ size: MIN_SIZE, ...opts });
  const deadline = new Deadline(s.timeoutMs);
  const { info, view } = await openImage(input, deadline, s.maxInputBytes, () => ({ w: MIN_SIZE, h: MIN_SIZE }));
  await toRgba(view as View, deadline, info.mime, { w: MIN_SIZE, h: MIN_SIZE, fit: 'cover', position: 'centre' });
  return info;
}
