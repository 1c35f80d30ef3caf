// From untrusted bytes to something the caller can turn into pixels, with every check done before any pixel is
// decoded: size cap, content sniffing, format-specific header checks, pixel/channel limits.
//
// Three kinds of result (View):
// - formats sharp decodes natively: a sharp pipeline straight on the input Buffer, auto-oriented. processImage can
//   finish it with the encoder (one fused libvips pipeline from file bytes to output bytes, see process.ts);
// - BMP and ICO bitmaps, decoded to RGBA by the wasm/JS decoders: a sharp pipeline on those raw pixels;
// - SVG: rendered in the renderer child process straight to the final size (svg-render.ts), so already RGBA pixels.
import { decodeBmp, type Rgba } from './bmp.js';
import type { Deadline } from './deadline.js';
import { damaged, ImageError, tooLarge, formatBytes, tooManyPixels, unsupported } from './errors.js';
import { decodeIcoBmp, pickIcoEntry } from './ico.js';
import { loadSharp } from './lazy.js';
import { MAX_CHANNELS, MAX_PIXELS, SVG_MAX_BYTES, SVG_MAX_RENDER_EDGE, SVG_MAX_RENDER_PIXELS } from './limits.js';
import { sniff, type Sniffed } from './sniff.js';
import { checkSvg } from './svg-guard.js';
import { runSvg, type SvgEncode, type SvgWant } from './svg-render.js';
import { cleanVipsMessage } from './vips-message.js';
import { canFuse, fusedPlan, MIME, planFor, type EncodeSettings } from './encode.js';
import type { CropRegion, ImageInfo, OutputFormat, Sharp } from './types.js';

/** What the caller makes of the image: a w×h result, from `crop` (in ImageInfo coordinates) or the whole image. */
export interface Target {
  w: number;
  h: number;
  /** cover: fill the square, cropping by `position`; fill: stretch (previews keep the aspect ratio themselves) */
  fit: 'cover' | 'fill';
  position: string;
  crop?: CropRegion;
}

export type View =
  /** A sharp pipeline on the oriented image (ImageInfo coordinates). `native`: it reads the input file itself. */
  | { kind: 'pipeline'; img: Sharp; width: number; height: number; native: boolean }
  /** Final pixels: target.w × target.h × 4 bytes of 8-bit sRGB RGBA (SVG). */
  | { kind: 'rgba'; data: Buffer; width: number; height: number }
  /** The encoded result (SVG, when OpenOptions.encode was given). */
  | { kind: 'encoded'; data: Buffer; format: OutputFormat; mime: string };

export interface OpenOptions {
  /** The target `want` returns whenever it doesn't throw, if it doesn't depend on the image (lets SVG go in one trip). */
  fixedTarget?: Target;
  /** Encode where that saves work (SVG: in the renderer child, so the pixels never cross the pipe). */
  encode?: EncodeSettings;
}

/** Options for every sharp instance that reads untrusted data. */
export const INPUT_LIMITS = {
  failOn: 'warning',
  limitInputPixels: MAX_PIXELS,
  limitInputChannels: MAX_CHANNELS,
  sequentialRead: true,
} as const;

const SHARP_FORMAT: Record<string, string> = {
  png: 'png', apng: 'png', jpeg: 'jpeg', webp: 'webp', gif: 'gif', avif: 'heif', heif: 'heif', tiff: 'tiff',
};

const HEIC_REFUSAL = 'HEIC is not supported: export it as JPEG';

/**
 * Validates `input` and, when `want` is given, opens it for processing. `want` is called with the image info before
 * any pixel is decoded, so it can validate options against the image size (e.g. a crop region) and throw.
 */
export async function openImage(
  input: Buffer,
  deadline: Deadline,
  maxInputBytes: number,
  want: ((info: ImageInfo) => Target) | null,
  opts: OpenOptions = {},
): Promise<{ info: ImageInfo; view?: View }> {
  if (!Buffer.isBuffer(input)) throw new TypeError('image input must be a Buffer');
  if (input.length === 0) throw damaged('empty file');
  if (input.length > maxInputBytes) throw tooLarge(formatBytes(input.length), maxInputBytes);
  const sniffed = await sniff(input);
  deadline.check();
  switch (sniffed.type) {
    case 'svg':
      return openSvg(input, sniffed, deadline, Math.min(maxInputBytes, SVG_MAX_BYTES), want, opts);
    case 'bmp':
      return openRgba(await decodeBmp(input), sniffed, input.length, want);
    case 'ico': {
      const entry = pickIcoEntry(input);
      if (entry.kind === 'bmp') return openRgba(await decodeIcoBmp(entry), sniffed, input.length, want);
      // A PNG inside the icon: decoded by sharp with the usual limits, reported as the icon.
      const inner = await openWithSharp(entry.data, { type: 'png', mime: 'image/png' }, deadline, want);
      return { ...inner, info: { ...inner.info, type: 'ico', mime: sniffed.mime, bytes: input.length } };
    }
    default:
      return openWithSharp(input, sniffed, deadline, want);
  }
}

async function openWithSharp(
  input: Buffer,
  sniffed: Sniffed,
  deadline: Deadline,
  want: ((info: ImageInfo) => Target) | null,
): Promise<{ info: ImageInfo; view?: View }> {
  const sharp = await loadSharp();
  let meta;
  try {
    // Header only: the pixel count is checked below to name the dimensions in the message.
    meta = await deadline.race(sharp(input, { ...INPUT_LIMITS, limitInputPixels: false, limitInputChannels: false }).metadata());
  } catch (e) {
    if (sniffed.type === 'heif') throw new ImageError(HEIC_REFUSAL);
    throw fromSharpError(e, sniffed, deadline);
  }
  let type = sniffed.type as string;
  let mime = sniffed.mime;
  if (sniffed.type === 'heif' || sniffed.type === 'avif') {
    // HEIF is a container: AV1 inside is AVIF (decodable); HEVC (iPhone HEIC) isn't in sharp's prebuilt libvips.
    if (meta.compression !== 'av1') throw new ImageError(HEIC_REFUSAL, { hint: 'on an iPhone: Settings > Camera > Formats > Most Compatible' });
    type = 'avif';
    mime = 'image/avif';
  }
  if (meta.format !== SHARP_FORMAT[sniffed.type]) {
    throw damaged(`content looks like ${sniffed.mime} but decodes as ${String(meta.format)}`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0) throw damaged('missing image dimensions');
  if (width * height > MAX_PIXELS) throw tooManyPixels(width, height, MAX_PIXELS);
  if ((meta.channels ?? 0) > MAX_CHANNELS) throw new ImageError(`image has too many channels (${meta.channels} > ${MAX_CHANNELS})`);
  const oriented = meta.autoOrient ?? { width, height };
  const info: ImageInfo = {
    type,
    mime,
    width: oriented.width,
    height: oriented.height,
    animated: sniffed.type === 'apng' || (meta.pages ?? 1) > 1,
    hasAlpha: meta.hasAlpha === true,
    bytes: input.length,
  };
  if (!want) return { info };
  want(info);
  const img = sharp(input, { ...INPUT_LIMITS, autoOrient: true }).timeout({ seconds: deadline.sharpSeconds() });
  return { info, view: { kind: 'pipeline', img, width: info.width, height: info.height, native: true } };
}

async function openRgba(
  rgba: Rgba,
  sniffed: Sniffed,
  bytes: number,
  want: ((info: ImageInfo) => Target) | null,
): Promise<{ info: ImageInfo; view?: View }> {
  const info: ImageInfo = {
    type: sniffed.type,
    mime: sniffed.mime,
    width: rgba.width,
    height: rgba.height,
    animated: false,
    hasAlpha: rgba.hasAlpha,
    bytes,
  };
  if (!want) return { info };
  want(info);
  const sharp = await loadSharp();
  const img = sharp(rgba.data, { raw: { width: rgba.width, height: rgba.height, channels: 4 }, limitInputPixels: MAX_PIXELS });
  return { info, view: { kind: 'pipeline', img, width: rgba.width, height: rgba.height, native: false } };
}

async function openSvg(
  input: Buffer,
  sniffed: Sniffed,
  deadline: Deadline,
  maxBytes: number,
  want: ((info: ImageInfo) => Target) | null,
  opts: OpenOptions,
): Promise<{ info: ImageInfo; view?: View }> {
  if (input.length > maxBytes) throw tooLarge(`${formatBytes(input.length)} of SVG`, maxBytes);
  checkSvg(input);
  let info: ImageInfo | undefined;
  let target: Target | undefined;
  // One object, so the renderer can tell its speculative request from the planned one (svg-render.ts sameRequest).
  const encode = opts.encode && want ? svgEncode(opts.encode) : undefined;
  const result = await runSvg(input, deadline, {
    plan: (meta) => {
      info = { type: 'svg', mime: sniffed.mime, width: meta.width, height: meta.height, animated: false, hasAlpha: true, bytes: input.length };
      if (!want) return null;
      target = want(info);
      return { ...svgWant(target), density: svgDensity(meta.width, meta.height, target), maxPixels: MAX_PIXELS, ...(encode ? { encode } : {}) };
    },
    ...(opts.fixedTarget && want
      ? { speculate: { want: svgWant(opts.fixedTarget), maxPixels: MAX_PIXELS, maxRenderPixels: SVG_MAX_RENDER_PIXELS, maxRenderEdge: SVG_MAX_RENDER_EDGE, ...(encode ? { encode } : {}) } }
      : {}),
  });
  if (!info) throw damaged('SVG without dimensions');
  if (!target) return { info };
  if (result.encoded) {
    const { data, format } = result.encoded;
    return { info, view: { kind: 'encoded', data, format, mime: MIME[format] } };
  }
  if (!result.raw) throw damaged('SVG renderer returned nothing');
  const raw = result.raw;
  if (raw.width !== target.w || raw.height !== target.h) throw damaged(`SVG renderer returned ${raw.width}×${raw.height}, not ${target.w}×${target.h}`);
  return { info, view: { kind: 'rgba', data: raw.data, width: raw.width, height: raw.height } };
}

function svgWant(t: Target): SvgWant {
  return { w: t.w, h: t.h, fit: t.fit, position: t.position, ...(t.crop ? { crop: t.crop } : {}) };
}

/** SVG renders always have an alpha band: fused for jpeg/webp, else decided by the rendered pixels' transparency. */
function svgEncode(s: EncodeSettings): SvgEncode {
  return canFuse(true, s.format)
    ? { background: s.background, fused: fusedPlan(s, true) }
    : { background: s.background, transparent: planFor(s, true), opaque: planFor(s, false) };
}

/**
 * SVG is re-rendered at the scale the result needs (a 24-unit icon comes out sharp at 1024 px; a small --crop of a big
 * drawing is rendered in detail), but the whole render never exceeds SVG_MAX_RENDER_PIXELS nor SVG_MAX_RENDER_EDGE.
 * The renderer child repeats this formula (svg-render.ts CHILD_SOURCE `density`): keep the two in step.
 */
export function svgDensity(width: number, height: number, want: Pick<Target, 'w' | 'h' | 'crop'>): number {
  const rw = want.crop?.w ?? width;
  const rh = want.crop?.h ?? height;
  let scale = Math.max(want.w / rw, want.h / rh);
  scale = Math.min(scale, Math.sqrt(SVG_MAX_RENDER_PIXELS / (width * height)), SVG_MAX_RENDER_EDGE / Math.max(width, height));
  const density = Math.min(100_000, Math.max(1, 72 * scale));
  const w = Math.round((width * density) / 72);
  const h = Math.round((height * density) / 72);
  if (w * h > MAX_PIXELS) throw tooManyPixels(w, h, MAX_PIXELS);
  return density;
}

/** Turns a sharp/libvips failure into the one-line refusal the CLI prints. */
export function fromSharpError(e: unknown, sniffed: Sniffed | { mime: string }, deadline: Deadline): ImageError {
  if (e instanceof ImageError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (/pixel limit/i.test(message)) return new ImageError(`image has too many pixels (> ${MAX_PIXELS / 1_000_000} MP)`);
  if (/channel limit/i.test(message)) return new ImageError(`image has too many channels (> ${MAX_CHANNELS})`);
  if (/unsupported image format/i.test(message)) return unsupported(sniffed.mime);
  if (/timeout/i.test(message) && deadline.remaining() <= 50) return deadline.error();
  return damaged(cleanVipsMessage(message), e);
}


