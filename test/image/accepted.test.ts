// Every accepted input format, EXIF orientations 1-8, colour variants: outputs are square, of the requested size and
// format, 8-bit sRGB, metadata-free and correctly oriented (checked by sampling the quadrant colours).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CliError } from '../../src/errors.js';
import { ImageError, inspectImage, processImage, readInput, type ProcessedImage } from '../../src/image/index.js';
import { CorpusDir, GOOD_SVGS, goodImages, orientedJpeg, QUADRANTS, UPRIGHT_H, UPRIGHT_W, type Good } from './corpus.js';
import { expectCleanSquare, near, quadrantColours, sampleAt } from './helpers.js';

const corpus = new CorpusDir();
let good: Record<string, Good> = {};
const noStdin = process.stdin;

beforeAll(async () => {
  good = await goodImages();
  for (const [name, g] of Object.entries(good)) corpus.write(name, g.bytes);
  for (const [name, svg] of Object.entries(GOOD_SVGS)) corpus.write(name, svg);
});
afterAll(() => corpus.cleanup());

async function load(name: string): Promise<Buffer> {
  return readInput(`${corpus.dir}/${name}`, noStdin);
}

const EXPECTED_QUADRANTS = [QUADRANTS.topLeft, QUADRANTS.topRight, QUADRANTS.bottomLeft, QUADRANTS.bottomRight];

async function expectUpright(out: ProcessedImage, expected: readonly (readonly number[])[] = EXPECTED_QUADRANTS, tolerance = 60): Promise<void> {
  const got = await quadrantColours(out.data);
  expect(got.map((c, i) => near(c, expected[i] as readonly number[], tolerance))).toEqual([true, true, true, true]);
}

describe('every accepted format', () => {
  const names = [
    'quad.png', 'quad.apng', 'quad.jpg', 'quad.webp', 'anim.webp', 'quad.gif', 'anim.gif', 'quad.avif', 'quad.tiff',
    'quad.svg', 'quad.bmp', 'quad.ico', 'bmp-entry.ico', 'cmyk.jpg', '16bit.png', 'palette.png', 'grey-alpha.png', 'tiny16.png',
  ];
  test.each(names)('%s -> 128 px square, clean, upright', async (name) => {
    const g = good[name] as Good;
    const out = await processImage(await load(name), { size: 128, format: 'auto' });
    expect(out.source.type).toBe(g.type);
    expect(out.source.animated).toBe(g.animated === true);
    expect(out.source.bytes).toBe(g.bytes.length);
    // auto: jpeg unless the result has transparent pixels (grey-alpha has some; the SVG background is transparent
    // outside the drawing, but the quadrant drawing covers it all).
    await expectCleanSquare(out, 128, name === 'grey-alpha.png' ? 'png' : 'jpeg');
    if (name === 'cmyk.jpg') {
      // sRGB -> CMYK -> sRGB without a profile is not the identity (green comes back olive): compare with the
      // colours sharp itself decodes from the file, which tells orientation and channel order apart all the same.
      const sharp = (await import('sharp')).default;
      const reference = await quadrantColours(await sharp(g.bytes).toColourspace('srgb').png().toBuffer());
      await expectUpright(out, reference, 30);
    } else if (g.quadrants) await expectUpright(out);
  });

  test('source info names the detected type and mime, whatever the extension', async () => {
    const jpegAsPng = corpus.write('really-a-jpeg.png', good['quad.jpg']?.bytes as Buffer);
    const info = await inspectImage(await readInput(jpegAsPng, noStdin));
    expect(info).toEqual({ type: 'jpeg', mime: 'image/jpeg', width: UPRIGHT_W, height: UPRIGHT_H, animated: false, hasAlpha: false, bytes: good['quad.jpg']?.bytes.length });
    expect((await inspectImage(good['quad.svg']?.bytes as Buffer)).mime).toBe('image/svg+xml');
    expect((await inspectImage(good['quad.ico']?.bytes as Buffer)).mime).toBe('image/x-icon');
    expect((await inspectImage(good['quad.apng']?.bytes as Buffer)).type).toBe('apng');
  });
});

describe('EXIF orientation', () => {
  test.each([1, 2, 3, 4, 5, 6, 7, 8])('orientation %i is applied and removed', async (o) => {
    const out = await processImage(await orientedJpeg(o), { size: 64, format: 'png' });
    expect([out.source.width, out.source.height]).toEqual([UPRIGHT_W, UPRIGHT_H]);
    await expectCleanSquare(out, 64, 'png');
    await expectUpright(out);
  });

  test.each([[6], [8], [5]])('a manual --crop refers to the image as displayed (orientation %i)', async (o) => {
    const input = await orientedJpeg(o);
    const yellow = await processImage(input, { size: 32, format: 'png', crop: { x: 60, y: 40, w: 60, h: 40 } });
    expect(near(await sampleAt(yellow.data, 0.5, 0.5), QUADRANTS.bottomRight)).toBe(true);
    expect(near(await sampleAt(yellow.data, 0.1, 0.1), QUADRANTS.bottomRight)).toBe(true);
    const green = await processImage(input, { size: 32, format: 'png', crop: { x: 70, y: 5, w: 30, h: 30 } });
    expect(near(await sampleAt(green.data, 0.5, 0.5), QUADRANTS.topRight)).toBe(true);
  });
});

describe('options', () => {
  test('crop outside the oriented image is a usage error (exit 2)', async () => {
    // Stored 80×120 (orientation 6), displayed 120×80: y+h = 100 fits the stored but not the displayed image.
    const e = await processImage(await orientedJpeg(6), { size: 32, format: 'png', crop: { x: 0, y: 0, w: 50, h: 100 } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ImageError);
    expect(e).toBeInstanceOf(CliError);
    expect((e as ImageError).exitCode).toBe(2);
    expect((e as Error).message).toMatch(/crop region 50x100\+0\+0 lies outside the 120×80 image/);
  });

  test('SVG crops are rendered at the needed scale', async () => {
    const red = await processImage(Buffer.from(GOOD_SVGS['plain.svg'] as string), { size: 256, format: 'png', crop: { x: 0, y: 0, w: 60, h: 40 } });
    await expectCleanSquare(red, 256, 'png');
    for (const [fx, fy] of [[0.05, 0.05], [0.5, 0.5], [0.95, 0.95]] as const) expect(near(await sampleAt(red.data, fx, fy), QUADRANTS.topLeft, 5)).toBe(true);
  });

  test('transparency: auto picks png, jpeg flattens on the background, webp keeps alpha', async () => {
    const svg = Buffer.from(GOOD_SVGS['transparent-circle.svg'] as string);
    const auto = await processImage(svg, { size: 64, format: 'auto' });
    await expectCleanSquare(auto, 64, 'png');
    const sharp = (await import('sharp')).default;
    expect((await sharp(auto.data).metadata()).hasAlpha).toBe(true);
    const jpeg = await processImage(svg, { size: 64, format: 'jpeg', background: '#00ff00' });
    await expectCleanSquare(jpeg, 64, 'jpeg');
    expect(near(await sampleAt(jpeg.data, 0.02, 0.02), [0, 255, 0], 10)).toBe(true);
    expect(near(await sampleAt(jpeg.data, 0.5, 0.5), [0, 0, 255], 50)).toBe(true); // 4:2:0 chroma bleeds
    const webp = await processImage(svg, { size: 64, format: 'webp', quality: 90 });
    await expectCleanSquare(webp, 64, 'webp');
    expect((await sharp(webp.data).metadata()).hasAlpha).toBe(true);
    // An opaque result never carries an alpha channel.
    const opaque = await processImage(good['quad.png']?.bytes as Buffer, { size: 64, format: 'png' });
    expect((await sharp(opaque.data).metadata()).channels).toBe(3);
  });

  test.each(['attention', 'entropy', 'north', 'southwest', 'center'])('position %s gives a square', async (position) => {
    const out = await processImage(good['quad.jpg']?.bytes as Buffer, { size: 48, format: 'webp', position });
    await expectCleanSquare(out, 48, 'webp');
  });

  test('compass positions choose the kept side', async () => {
    // 120×80 -> square keeps 80 columns: west keeps x 0..80 (red/blue on the left half), east keeps 40..120.
    const west = await processImage(good['quad.png']?.bytes as Buffer, { size: 80, format: 'png', position: 'west' });
    expect(near(await sampleAt(west.data, 0.1, 0.25), QUADRANTS.topLeft, 5)).toBe(true);
    expect(near(await sampleAt(west.data, 0.9, 0.25), QUADRANTS.topRight, 5)).toBe(true);
    const east = await processImage(good['quad.png']?.bytes as Buffer, { size: 80, format: 'png', position: 'east' });
    expect(near(await sampleAt(east.data, 0.1, 0.25), QUADRANTS.topLeft, 5)).toBe(true);
    expect(near(await sampleAt(east.data, 0.4, 0.25), QUADRANTS.topRight, 5)).toBe(true);
  });

  test.each([
    [{ size: 8 }, /size must be an integer from 16 to 1024/],
    [{ size: 2048 }, /size must be/],
    [{ quality: 0 }, /quality must be/],
    [{ position: 'middle' }, /unknown position middle/],
    [{ background: 'not-a-colour', format: 'jpeg' }, /invalid background colour/],
    [{ crop: { x: -1, y: 0, w: 10, h: 10 } }, /crop region must be whole pixels/],
  ])('invalid option %j is refused with exit 2', async (opts, msg) => {
    const e = await processImage(good['quad.png']?.bytes as Buffer, { size: 64, format: 'auto', ...opts } as never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ImageError);
    expect((e as ImageError).exitCode).toBe(2);
    expect((e as Error).message).toMatch(msg);
  });

  test.each(Object.keys(GOOD_SVGS))('legitimate SVG %s is accepted', async (name) => {
    const out = await processImage(await load(name), { size: 64, format: 'auto' });
    expect(out.source.type).toBe('svg');
    expect(out.width).toBe(64);
  });
});
