// processImage / inspectImage: decode (decode.ts) -> orient, crop, square, 8-bit sRGB (here) -> encode (encode.ts).
//
// Two ways through, same checks before either (size cap, sniffing, header with pixel/channel limits, crop inside):
// - fused: for the formats sharp decodes itself, ONE libvips pipeline from the input Buffer to the encoded output
//   (autoOrient -> extract/resize cover -> sRGB -> flatten for jpeg -> encoder). libvips then runs the encoder on
//   its own thread alongside the decoder; split in two pipelines, the 1920×1280 photo -> 512 png cost 1.37× the bare
//   sharp call on 2 cores. Used whenever the result's transparency decides nothing (encode.ts canFuse).
// - via RGBA: raw 8-bit RGBA pixels of the final size, then a second pipeline to encode them. For sources with an
//   alpha channel going to png/auto (the transparency check needs the pixels: a shrunk copy can't answer it exactly,
//   and checking the pixels first costs a decode either way), BMP/ICO bitmaps (decoded to RGBA by wasm) and SVG
//   (rendered to RGBA in the renderer child).
// Either way nothing but pixels reaches the encoder's output: sharp writes no metadata by default, and the fused
// pipeline never calls keepMetadata/withMetadata (test/image checks EXIF, XMP, ICC, text chunks and appended data).
import { createHash } from 'node:crypto';
import { Deadline } from './deadline.js';
import { fromSharpError, openImage, type Target, type View } from './decode.js';
import { canFuse, encodeFused, encodeRgba } from './encode.js';
import { usageError } from './errors.js';
import {
  DEFAULT_BACKGROUND, DEFAULT_MAX_INPUT_BYTES, DEFAULT_QUALITY, DEFAULT_SIZE, DEFAULT_TIMEOUT_MS, MAX_SIZE, MIN_SIZE,
} from './limits.js';
import type { CropRegion, ImageInfo, OutputFormat, ProcessedImage, ProcessOptions, Sharp } from './types.js';

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

/** Crop and resize an oriented pipeline to the target, in 8-bit sRGB (alpha kept if there is one). */
function shape(img: Sharp, target: Target): Sharp {
  if (target.crop) {
    const c = target.crop; // checked to lie inside the oriented image (checkCropInside)
    img = img.extract({ left: c.x, top: c.y, width: c.w, height: c.h });
  }
  return img.resize(target.w, target.h, { fit: target.fit, position: target.position }).toColourspace('srgb');
}

/** Orient, crop, square (or any w×h for previews), convert: returns w×h×4 bytes of 8-bit sRGB RGBA. */
export async function toRgba(view: View, deadline: Deadline, mime: string, target: Target): Promise<Buffer> {
  if (view.kind === 'rgba') {
    // Already the final pixels (SVG: the renderer applied the crop and the resize).
    if (view.width !== target.w || view.height !== target.h || view.data.length !== target.w * target.h * 4) {
      throw new Error(`unexpected renderer output ${view.width}x${view.height}`);
    }
    return view.data;
  }
  if (view.kind === 'encoded') throw new Error('toRgba: the image was opened for encoding');
  const img = shape(view.img, target).ensureAlpha().raw({ depth: 'uchar' }).timeout({ seconds: deadline.sharpSeconds() });
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

export async function processImage(input: Buffer, opts: ProcessOptions): Promise<ProcessedImage> {
  const s = normaliseOptions(opts);
  const deadline = new Deadline(s.timeoutMs);
  const fixedTarget: Target = { w: s.size, h: s.size, fit: 'cover', position: s.position, ...(s.crop ? { crop: s.crop } : {}) };
  const want = (info: ImageInfo): Target => {
    if (s.crop) checkCropInside(s.crop, info);
    return fixedTarget;
  };
  const { info, view } = await openImage(input, deadline, s.maxInputBytes, want, { fixedTarget, encode: s });
  if (!view) throw new Error('openImage returned no view');
  let out;
  if (view.kind === 'encoded') {
    out = view; // SVG: encoded by the renderer with the same plans (encode.ts)
  } else if (view.kind === 'pipeline' && view.native && canFuse(info.hasAlpha, s.format)) {
    out = await encodeFused(shape(view.img, fixedTarget), info.hasAlpha, s, deadline, (e) => fromSharpError(e, info, deadline));
  } else {
    const rgba = await toRgba(view, deadline, info.mime, fixedTarget);
    out = await encodeRgba(rgba, s.size, s.size, s, deadline);
  }
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
  const target: Target = { w: MIN_SIZE, h: MIN_SIZE, fit: 'cover', position: 'centre' };
  const { info, view } = await openImage(input, deadline, s.maxInputBytes, () => target, { fixedTarget: target });
  await toRgba(view as View, deadline, info.mime, target);
  return info;
}
