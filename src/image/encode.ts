// The encoders. Only their output leaves the pipeline; the source file's bytes never do.
// No keepMetadata()/withMetadata()/keepExif(): sharp then writes no EXIF, XMP or ICC, whether the encoder is fed by
// the decoder directly (fused) or by raw pixels (which carry no metadata at all).
//
// What to do with the pixels is decided here as data (EncodePlan), so the SVG renderer child applies exactly the
// same steps with exactly the same settings (svg-render.ts).
import type { Deadline } from './deadline.js';
import { damaged, ImageError, usageError } from './errors.js';
import { loadSharp } from './lazy.js';
import type { OutputFormat, Sharp, SharpModule } from './types.js';

export const MIME: Record<OutputFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

export interface EncodeSettings {
  format: 'auto' | OutputFormat;
  quality: number;
  background: string;
}

/** The last steps of a pipeline: flatten and/or drop alpha, then the encoder with its options. */
export interface EncodePlan {
  format: OutputFormat;
  options: Record<string, number | boolean | string>;
  /** flatten onto this colour (jpeg); a no-op on an image without alpha */
  flatten?: string;
  /** drop the alpha band (an opaque result doesn't need, or pay for, one); a no-op without alpha */
  removeAlpha?: boolean;
}

/** True when any pixel is not fully opaque. */
export function hasTransparency(rgba: Buffer): boolean {
  for (let i = 3; i < rgba.length; i += 4) if ((rgba[i] as number) < 255) return true;
  return false;
}

export function invalidBackground(background: string): ImageError {
  return usageError(`invalid background colour ${JSON.stringify(background)}`, 'use e.g. #ffffff or white');
}

/** Parsed even when unused, so a bad --background fails the same way for every image. */
function checkBackground(sharp: SharpModule, background: string): void {
  try {
    sharp().flatten({ background });
  } catch {
    throw invalidBackground(background);
  }
}

function encoderOptions(format: OutputFormat, quality: number): EncodePlan['options'] {
  return format === 'png' ? { compressionLevel: 9 } : { quality };
}

/** For pixels whose transparency is known: auto picks png for real transparency, else jpeg. */
export function planFor(s: EncodeSettings, transparent: boolean): EncodePlan {
  const format: OutputFormat = s.format === 'auto' ? (transparent ? 'png' : 'jpeg') : s.format;
  const plan: EncodePlan = { format, options: encoderOptions(format, s.quality) };
  if (format === 'jpeg' && transparent) plan.flatten = s.background;
  else if (!transparent) plan.removeAlpha = true;
  return plan;
}

/**
 * When the encoder can be fed by the decoder directly, in one libvips pipeline: the result's transparency decides
 * nothing. True when the source has no alpha channel (its header says so: then the result is opaque), or when the
 * format is jpeg (flattened either way; flattening opaque pixels changes nothing) or webp (libwebp itself leaves the
 * alpha plane out when every pixel is opaque). Only png/auto of a source with alpha need the pixels first: auto picks
 * png only for real transparency, and a png of an opaque result should not carry an alpha channel.
 */
export function canFuse(sourceHasAlpha: boolean, format: EncodeSettings['format']): boolean {
  return !sourceHasAlpha || format === 'jpeg' || format === 'webp';
}

/** The plan for a fused pipeline (canFuse must hold). */
export function fusedPlan(s: EncodeSettings, sourceHasAlpha: boolean): EncodePlan {
  if (!canFuse(sourceHasAlpha, s.format)) throw new Error(`no fused plan for ${s.format} from a source with alpha`);
  const format: OutputFormat = s.format === 'auto' ? 'jpeg' : s.format;
  const plan: EncodePlan = { format, options: encoderOptions(format, s.quality) };
  if (format === 'jpeg') plan.flatten = s.background;
  else if (!sourceHasAlpha) plan.removeAlpha = true;
  return plan;
}

export function applyPlan(img: Sharp, plan: EncodePlan): Sharp {
  if (plan.flatten !== undefined) img = img.flatten({ background: plan.flatten });
  if (plan.removeAlpha) img = img.removeAlpha();
  return img.toFormat(plan.format, plan.options);
}

/** Finishes a decode → orient → crop/resize → sRGB pipeline with the encoder: one pass from file bytes to output. */
export async function encodeFused(
  img: Sharp,
  sourceHasAlpha: boolean,
  s: EncodeSettings,
  deadline: Deadline,
  fail: (e: unknown) => Error,
): Promise<{ data: Buffer; format: OutputFormat; mime: string }> {
  const plan = fusedPlan(s, sourceHasAlpha);
  checkBackground(await loadSharp(), s.background);
  img = applyPlan(img, plan).timeout({ seconds: deadline.sharpSeconds() });
  try {
    const data = await deadline.race(img.toBuffer());
    return { data, format: plan.format, mime: MIME[plan.format] };
  } catch (e) {
    throw fail(e);
  }
}

export async function encodeRgba(
  rgba: Buffer,
  width: number,
  height: number,
  s: EncodeSettings,
  deadline: Deadline,
): Promise<{ data: Buffer; format: OutputFormat; mime: string }> {
  const sharp = await loadSharp();
  checkBackground(sharp, s.background);
  const plan = planFor(s, hasTransparency(rgba));
  const img = applyPlan(sharp(rgba, { raw: { width, height, channels: 4 } }), plan);
  try {
    const data = await deadline.race(img.timeout({ seconds: deadline.sharpSeconds() }).toBuffer());
    return { data, format: plan.format, mime: MIME[plan.format] };
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw damaged(`encoding failed: ${(e as Error).message}`, e);
  }
}
