// Assertions shared by the image tests: every output is checked from its own bytes, with sharp.
import { createHash } from 'node:crypto';
import { expect } from '@jest/globals';
import sharp from 'sharp';
import type { ProcessedImage } from '../../src/image/index.js';

/** Markers of metadata that must never reach an uploaded avatar. */
const METADATA_MARKERS = ['Exif', 'http://ns.adobe.com/xap', 'iCCP', 'eXIf', 'ICC_PROFILE', 'tEXt', 'zTXt', 'iTXt', 'XMP ', 'ICCP', 'EXIF'];

export async function expectCleanSquare(out: ProcessedImage, size: number, format: 'png' | 'jpeg' | 'webp'): Promise<void> {
  const meta = await sharp(out.data).metadata();
  expect({ w: meta.width, h: meta.height, format: meta.format }).toEqual({ w: size, h: size, format });
  expect(out.format).toBe(format);
  expect(out.mime).toBe(`image/${format}`);
  expect([out.width, out.height, out.bytes]).toEqual([size, size, out.data.length]);
  expect(out.sha256).toBe(createHash('sha256').update(out.data).digest('hex'));
  // 8-bit sRGB, no embedded profile/EXIF/XMP as seen by the decoder ...
  expect(meta.space).toBe('srgb');
  expect(meta.depth).toBe('uchar');
  expect(meta.icc).toBeUndefined();
  expect(meta.exif).toBeUndefined();
  expect(meta.xmp).toBeUndefined();
  expect(meta.orientation).toBeUndefined();
  // ... and in the bytes themselves.
  const latin1 = out.data.toString('latin1');
  for (const marker of METADATA_MARKERS) expect({ marker, found: latin1.includes(marker) }).toEqual({ marker, found: false });
}

export type Rgb = [number, number, number];

/** Colour at a relative position (0..1) of an encoded image. */
export async function sampleAt(data: Buffer, fx: number, fy: number): Promise<Rgb> {
  const { data: px, info } = await sharp(data).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const x = Math.min(info.width - 1, Math.floor(fx * info.width));
  const y = Math.min(info.height - 1, Math.floor(fy * info.height));
  const i = (y * info.width + x) * info.channels;
  return [px[i] as number, px[i + 1] as number, px[i + 2] as number];
}

export function near(actual: Rgb, expected: readonly number[], tolerance = 60): boolean {
  return actual.every((v, i) => Math.abs(v - (expected[i] as number)) <= tolerance);
}

export async function quadrantColours(data: Buffer): Promise<Rgb[]> {
  return Promise.all([sampleAt(data, 0.25, 0.25), sampleAt(data, 0.75, 0.25), sampleAt(data, 0.25, 0.75), sampleAt(data, 0.75, 0.75)]);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}
