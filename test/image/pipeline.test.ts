// The two ways through processImage (process.ts): one fused sharp pipeline from the input file to the output, or via
// raw RGBA pixels (alpha sources going to png/auto, BMP/ICO, SVG). Both must keep the same guarantees: no metadata
// in the output, 8-bit sRGB, format 'auto' decided by the RESULT's transparency, jpeg flattened on the background,
// and the wall-clock deadline.
import { describe, expect, test } from '@jest/globals';
import sharp from 'sharp';
import { ImageError, processImage } from '../../src/image/index.js';
import { canFuse, fusedPlan, planFor } from '../../src/image/encode.js';
import { hugePng, quadrantPixels } from './corpus.js';
import { expectCleanSquare, near, sampleAt } from './helpers.js';

const XMP = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>secret-author</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>';
const EXIF = { IFD0: { Copyright: 'secret-copyright', Artist: 'secret-artist' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } };

/** 120×80 quadrant picture with an alpha channel: `alpha(x, y)` per pixel. */
function rgbaPicture(alpha: (x: number, y: number) => number): ReturnType<typeof sharp> {
  const px = quadrantPixels(120, 80, 255);
  for (let y = 0; y < 80; y++) for (let x = 0; x < 120; x++) px[(y * 120 + x) * 4 + 3] = alpha(x, y);
  return sharp(px, { raw: { width: 120, height: 80, channels: 4 } });
}

async function channels(data: Buffer): Promise<{ channels: number | undefined; hasAlpha: boolean | undefined; depth: string | undefined }> {
  const m = await sharp(data).metadata();
  return { channels: m.channels, hasAlpha: m.hasAlpha, depth: m.depth };
}

describe('which way: fused unless the transparency of the result decides something', () => {
  test.each([
    [false, 'auto', true], [false, 'png', true], [false, 'jpeg', true], [false, 'webp', true],
    [true, 'auto', false], [true, 'png', false], [true, 'jpeg', true], [true, 'webp', true],
  ] as const)('source alpha %s, format %s -> fused %s', (alpha, format, fused) => {
    expect(canFuse(alpha, format)).toBe(fused);
  });

  test('the plans agree with the per-pixel decision', () => {
    const s = { quality: 70, background: '#123456' };
    expect(fusedPlan({ ...s, format: 'auto' }, false)).toEqual({ format: 'jpeg', options: { quality: 70 }, flatten: '#123456' });
    expect(fusedPlan({ ...s, format: 'png' }, false)).toEqual({ format: 'png', options: { compressionLevel: 9 }, removeAlpha: true });
    expect(fusedPlan({ ...s, format: 'webp' }, true)).toEqual({ format: 'webp', options: { quality: 70 } });
    expect(planFor({ ...s, format: 'auto' }, true)).toEqual({ format: 'png', options: { compressionLevel: 9 } });
    expect(planFor({ ...s, format: 'auto' }, false)).toEqual({ format: 'jpeg', options: { quality: 70 }, removeAlpha: true });
    expect(planFor({ ...s, format: 'jpeg' }, true)).toEqual({ format: 'jpeg', options: { quality: 70 }, flatten: '#123456' });
    expect(() => fusedPlan({ ...s, format: 'auto' }, true)).toThrow();
  });
});

describe('no metadata reaches the output, whichever way', () => {
  const sources: Array<[string, () => Promise<Buffer>]> = [
    ['jpeg with EXIF, GPS, XMP and a P3 profile', () => rgbaPicture(() => 255).removeAlpha().jpeg().withExif(EXIF).withXmp(XMP).withIccProfile('p3').toBuffer()],
    ['png with EXIF, XMP and a P3 profile', () => rgbaPicture(() => 255).removeAlpha().png().withExif(EXIF).withXmp(XMP).withIccProfile('p3').toBuffer()],
    ['png with alpha, EXIF, XMP and a P3 profile', () => rgbaPicture((x) => (x < 10 ? 0 : 255)).png().withExif(EXIF).withXmp(XMP).withIccProfile('p3').toBuffer()],
    ['webp with EXIF, XMP and a P3 profile', () => rgbaPicture(() => 255).removeAlpha().webp().withExif(EXIF).withXmp(XMP).withIccProfile('p3').toBuffer()],
  ];
  test.each(sources)('%s', async (_name, make) => {
    const input = await make();
    const meta = await sharp(input).metadata();
    expect([meta.exif !== undefined, meta.xmp !== undefined, meta.icc !== undefined]).toEqual([true, true, true]);
    for (const format of ['auto', 'png', 'jpeg', 'webp'] as const) {
      const out = await processImage(input, { size: 48, format });
      await expectCleanSquare(out, 48, out.format);
      for (const secret of ['secret-author', 'secret-copyright', 'secret-artist']) expect(out.data.includes(Buffer.from(secret))).toBe(false);
    }
  });
});

describe("format 'auto' and alpha follow the result's pixels", () => {
  test('an RGBA source that is fully opaque: auto gives jpeg, png and webp carry no alpha', async () => {
    const input = await rgbaPicture(() => 255).png().toBuffer();
    expect((await sharp(input).metadata()).hasAlpha).toBe(true);
    const auto = await processImage(input, { size: 64, format: 'auto' });
    expect(auto.format).toBe('jpeg');
    expect(await channels((await processImage(input, { size: 64, format: 'png' })).data)).toEqual({ channels: 3, hasAlpha: false, depth: 'uchar' });
    expect((await channels((await processImage(input, { size: 64, format: 'webp' })).data)).hasAlpha).toBe(false);
  });

  test('transparency inside the result: auto gives png with alpha; webp keeps alpha; jpeg is flattened on the background', async () => {
    const input = await rgbaPicture((x) => (x < 30 ? 0 : 255)).png().toBuffer();
    const auto = await processImage(input, { size: 64, format: 'auto' });
    await expectCleanSquare(auto, 64, 'png');
    expect((await channels(auto.data)).hasAlpha).toBe(true);
    expect((await channels((await processImage(input, { size: 64, format: 'webp' })).data)).hasAlpha).toBe(true);
    const jpeg = await processImage(input, { size: 64, format: 'jpeg', background: '#00ffff', position: 'west' });
    await expectCleanSquare(jpeg, 64, 'jpeg');
    expect(near(await sampleAt(jpeg.data, 0.05, 0.5), [0, 255, 255], 12)).toBe(true);
  });

  test('transparency cropped away: auto gives jpeg (what counts is the result)', async () => {
    const input = await rgbaPicture((x) => (x < 10 ? 0 : 255)).png().toBuffer();
    expect((await processImage(input, { size: 64, format: 'auto', crop: { x: 40, y: 0, w: 80, h: 80 } })).format).toBe('jpeg');
    expect((await processImage(input, { size: 64, format: 'auto', position: 'east' })).format).toBe('jpeg');
    expect((await processImage(input, { size: 64, format: 'auto', position: 'west' })).format).toBe('png');
  });

  test('a palette png with a transparent index (tRNS) and a gif with transparency give png with alpha', async () => {
    const base = rgbaPicture((x, y) => (x < 20 && y < 20 ? 0 : 255));
    const palette = await base.clone().png({ palette: true, colours: 8 }).toBuffer();
    const gif = await base.clone().gif().toBuffer();
    for (const input of [palette, gif]) {
      const out = await processImage(input, { size: 64, format: 'auto', position: 'west' });
      await expectCleanSquare(out, 64, 'png');
      expect((await channels(out.data)).hasAlpha).toBe(true);
    }
  });

  test('16-bit sources come out 8-bit, with and without alpha', async () => {
    const rgb16 = await rgbaPicture(() => 255).removeAlpha().toColourspace('rgb16').png().toBuffer();
    const rgba16 = await rgbaPicture((x) => (x < 30 ? 0 : 255)).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(rgb16).metadata()).depth).toBe('ushort');
    expect((await sharp(rgba16).metadata()).depth).toBe('ushort');
    for (const input of [rgb16, rgba16]) {
      for (const format of ['png', 'webp'] as const) {
        const out = await processImage(input, { size: 64, format });
        await expectCleanSquare(out, 64, format);
      }
    }
  });
});

describe('option mistakes and the deadline, whichever way', () => {
  test('an invalid background is a usage error for an opaque source, an alpha source and an SVG', async () => {
    const inputs = [
      await rgbaPicture(() => 255).removeAlpha().png().toBuffer(),
      await rgbaPicture((x) => (x < 30 ? 0 : 255)).png().toBuffer(),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>'),
    ];
    for (const input of inputs) {
      for (const format of ['auto', 'png', 'jpeg'] as const) {
        const e = await processImage(input, { size: 32, format, background: 'no-such-colour' }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(ImageError);
        expect((e as ImageError).exitCode).toBe(2);
        expect((e as Error).message).toBe('invalid background colour "no-such-colour"');
      }
    }
  });

  test('the fused pipeline answers at the deadline', async () => {
    const huge = await hugePng(); // ~150 ms to process
    const t0 = performance.now();
    const e = await processImage(huge, { size: 256, format: 'png', timeoutMs: 25 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ImageError);
    expect((e as Error).message).toBe('image processing took too long (> 25 ms)');
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
