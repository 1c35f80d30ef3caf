// Test images, generated with sharp at test time (no binary blobs in the repo).
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

export async function png(width: number, height: number, opts: { alpha?: boolean; colour?: string } = {}): Promise<Buffer> {
  const background = opts.alpha ? { r: 200, g: 30, b: 30, alpha: 0.5 } : (opts.colour ?? '#3366cc');
  return sharp({ create: { width, height, channels: opts.alpha ? 4 : 3, background } }).png().toBuffer();
}

/** A JPEG with a left half and a right half in different colours (so crops are visible). */
export async function jpeg(width: number, height: number): Promise<Buffer> {
  const half = await sharp({ create: { width: Math.ceil(width / 2), height, channels: 3, background: '#ff0000' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#0000ff' } })
    .composite([{ input: half, left: 0, top: 0 }])
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Copyright: 'secret-exif-marker' } })
    .toBuffer();
}

export const dataUri = (mime: string, data: Buffer) => `data:${mime};base64,${data.toString('base64')}`;

/** HTML that claims to be a PNG by its file name only. */
export const htmlAsPng = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>\n');

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/** A tiny, valid-looking PNG whose header claims 100000×100000 pixels (a lying-header bomb). */
export function lyingHeaderBomb(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100_000, 0);
  ihdr.writeUInt32BE(100_000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1000))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export async function meta(buf: Buffer) {
  return sharp(buf).metadata();
}

/** The colour of one pixel (r,g,b). */
export async function pixel(buf: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(buf).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i] as number, data[i + 1] as number, data[i + 2] as number];
}
