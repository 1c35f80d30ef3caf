// readInput (size cap before reading, regular files only, bounded stdin), data URIs, terminal preview.
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, test } from '@jest/globals';
import sharp from 'sharp';
import { ImageError, parseDataUri, readInput, renderPreview, toDataUri } from '../../src/image/index.js';
import { CorpusDir, GOOD_SVGS, quadrantPixels } from './corpus.js';

const corpus = new CorpusDir();
afterAll(() => corpus.cleanup());

async function refusal(p: Promise<unknown>): Promise<ImageError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ImageError);
  return e as ImageError;
}

describe('readInput', () => {
  test('reads a regular file', async () => {
    const path = corpus.write('a.bin', Buffer.from('hello'));
    expect((await readInput(path, process.stdin)).toString()).toBe('hello');
  });

  test('refuses a file over the cap from its size, before reading', async () => {
    const path = corpus.write('big.bin', Buffer.alloc(3000));
    const e = await refusal(readInput(path, process.stdin, 2048));
    expect(e.message).toBe('image too large (2.9 KiB > 2 KiB)');
    expect(e.exitCode).toBe(1);
  });

  test('refuses directories, FIFOs and devices without blocking, and missing files', async () => {
    expect((await refusal(readInput(corpus.dir, process.stdin))).message).toMatch(/not a regular file/);
    const fifo = `${corpus.dir}/pipe`;
    execFileSync('mkfifo', [fifo]);
    const t0 = performance.now();
    expect((await refusal(readInput(fifo, process.stdin))).message).toMatch(/not a regular file/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect((await refusal(readInput('/dev/zero', process.stdin))).message).toMatch(/not a regular file/);
    expect((await refusal(readInput(`${corpus.dir}/nope.png`, process.stdin))).message).toMatch(/cannot read .*nope\.png: no such file/);
  });

  test('stdin: reads everything under the cap', async () => {
    const data = await readInput('-', Readable.from([Buffer.from('ab'), 'cd', Buffer.from('ef')]), 10);
    expect(data.toString()).toBe('abcdef');
  });

  test('stdin: stops reading an endless stream past the cap', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(64 * 1024, 1));
      },
    });
    const e = await refusal(readInput('-', endless, 1024 * 1024));
    expect(e.message).toBe('image too large (more than 1 MiB on stdin > 1 MiB)');
    expect(pulled).toBeLessThan(40); // 1 MiB is 16 chunks; a few more may be buffered, never the whole stream
    expect(endless.destroyed).toBe(true);
  });

  test('stdin: a terminal is refused as a usage error instead of waiting for input', async () => {
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    const e = await refusal(readInput('-', tty));
    expect(e.exitCode).toBe(2);
  });
});

describe('data URIs', () => {
  test('round trip', () => {
    const data = Buffer.from([0, 1, 2, 250, 255]);
    const uri = toDataUri('image/png', data);
    expect(uri).toBe('data:image/png;base64,AAEC+v8=');
    expect(parseDataUri(uri)).toEqual({ mime: 'image/png', data });
  });

  test.each([
    ['data:IMAGE/JPEG;BASE64,/9j/', 'image/jpeg', [0xff, 0xd8, 0xff]],
    ['data:image/svg+xml;charset=utf-8;base64,PHN2Zy8+', 'image/svg+xml', [...Buffer.from('<svg/>')]],
    ['data:image/svg+xml,%3Csvg%2F%3E', 'image/svg+xml', [...Buffer.from('<svg/>')]],
    ['data:;base64,', 'text/plain', []],
  ])('parses %s', (uri, mime, bytes) => {
    expect(parseDataUri(uri)).toEqual({ mime, data: Buffer.from(bytes) });
  });

  test.each([
    'https://example.com/a.png', 'data:image/png;base64', 'data:image/png;base64,AAE', 'data:image/png;base64,AA=C',
    'data:image/png;base64,AA E=', 'data:image/png;base64,AAE-', 'data:image/png;base64,AB==', 'data:image png;base64,AAAA',
    'data:image/png;x;base64,AAAA', 'data:text/plain,%zz', '', 'data:', 'ＤＡＴＡ:image/png;base64,AAAA',
  ])('returns null for %j', (uri) => {
    expect(parseDataUri(uri)).toBeNull();
  });

  test('never throws on non-strings', () => {
    expect(parseDataUri(undefined as unknown as string)).toBeNull();
    expect(parseDataUri({} as unknown as string)).toBeNull();
  });

  test('toDataUri refuses an invalid MIME type', () => {
    expect(() => toDataUri('image/png"><script>', Buffer.alloc(1))).toThrow(TypeError);
  });
});

describe('renderPreview', () => {
  test('half blocks with 24-bit colours: top pixel in the foreground, bottom pixel in the background', async () => {
    const png = await sharp(quadrantPixels(120, 80), { raw: { width: 120, height: 80, channels: 3 } }).png().toBuffer();
    const text = await renderPreview(png, 12);
    const lines = text.split('\n');
    expect(lines).toHaveLength(4); // 12 columns -> 8 pixel rows (120:80) -> 4 lines
    for (const line of lines) {
      expect(line.endsWith('\x1b[0m')).toBe(true);
      expect(line.replace(/\x1b\[[0-9;]*m/g, '')).toBe('▀'.repeat(12));
    }
    // cells: [fg r,g,b, bg r,g,b] (a cell repeating the previous colours sends no codes)
    const cells = (line: string) => [...line.matchAll(/\x1b\[38;2;(\d+);(\d+);(\d+)m\x1b\[48;2;(\d+);(\d+);(\d+)m▀/g)].map((m) => m.slice(1).map(Number));
    const close = (got: number[] | undefined, want: number[]) => got !== undefined && got.every((v, i) => Math.abs(v - (want[i] as number)) <= 8);
    expect(close(cells(lines[0] as string)[0], [255, 0, 0, 255, 0, 0])).toBe(true); // starts red over red
    expect(cells(lines[0] as string).some((c) => close(c, [0, 255, 0, 0, 255, 0]))).toBe(true);
    expect(cells(lines[3] as string).some((c) => close(c, [255, 255, 0, 255, 255, 0]))).toBe(true);
    expect(cells(lines[3] as string).some((c) => close(c, [0, 0, 255, 0, 0, 255]))).toBe(true);
  });

  test('transparent pixels show the terminal background; hostile input is refused like everywhere else', async () => {
    const text = await renderPreview(Buffer.from(GOOD_SVGS['transparent-circle.svg'] as string), 16);
    const first = text.split('\n')[0] as string;
    expect(first.replace(/\x1b\[[0-9;]*m/g, '')).toBe(' '.repeat(16));
    expect(text).toContain('\x1b[38;2;0;0;255m');
    const e = await refusal(renderPreview(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'), 16));
    expect(e.message).toMatch(/^unsafe SVG: <script> element$/);
    expect((await refusal(renderPreview(Buffer.from('x'), 0))).exitCode).toBe(2);
  });
});
