// BMP: sharp's prebuilt libvips has no BMP loader, so @cwasm/nsbmp decodes it. nsbmp trusts the header (it allocated
// 927 MB for a 70-byte file claiming 15000x15000), so the header is checked here first: size, depth, compression,
// and that the file really contains the pixel rows it announces.
import { damaged, tooManyPixels, unsupported } from './errors.js';
import { loadNsbmp } from './lazy.js';
import { MAX_PIXELS } from './limits.js';

export interface BmpHeader {
  width: number;
  height: number; // absolute value; a negative height in the file means top-down rows
  bitsPerPixel: number;
}

const DIB_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

export function checkBmpHeader(buf: Buffer): BmpHeader {
  if (buf.length < 26 || buf.toString('latin1', 0, 2) !== 'BM') throw damaged('truncated BMP header');
  const dataOffset = buf.readUInt32LE(10);
  const dibSize = buf.readUInt32LE(14);
  if (!DIB_SIZES.has(dibSize)) throw damaged(`BMP with an unknown header size ${dibSize}`);
  if (buf.length < 14 + dibSize) throw damaged('truncated BMP header');

  let width: number;
  let height: number;
  let bitsPerPixel: number;
  let compression = 0;
  if (dibSize === 12) {
    width = buf.readUInt16LE(18);
    height = buf.readUInt16LE(20);
    bitsPerPixel = buf.readUInt16LE(24);
  } else {
    width = buf.readInt32LE(18);
    height = Math.abs(buf.readInt32LE(22));
    bitsPerPixel = buf.readUInt16LE(28);
    compression = buf.readUInt32LE(30);
  }
  if (width <= 0 || height <= 0) throw damaged(`BMP with an invalid size ${width}×${height}`);
  if (width * height > MAX_PIXELS) throw tooManyPixels(width, height, MAX_PIXELS);
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) throw damaged(`BMP with ${bitsPerPixel} bits per pixel`);
  // 0 = BI_RGB, 3 = BI_BITFIELDS, 6 = BI_ALPHABITFIELDS. RLE (1, 2) is not decoded correctly by nsbmp; 4/5 embed
  // JPEG/PNG inside the BMP container.
  if (compression === 1 || compression === 2) throw unsupported('image/bmp (RLE-compressed)', 'save it as PNG instead');
  if (![0, 3, 6].includes(compression)) throw unsupported(`image/bmp (compression ${compression})`, 'save it as PNG instead');

  const stride = Math.ceil((width * bitsPerPixel) / 32) * 4;
  const needed = stride * height;
  if (dataOffset < 14 + dibSize || dataOffset + needed > buf.length) {
    throw damaged(`truncated BMP: ${width}×${height} needs ${needed} bytes of pixels, the file has ${Math.max(0, buf.length - dataOffset)}`);
  }
  return { width, height, bitsPerPixel };
}

export interface Rgba {
  width: number;
  height: number;
  data: Buffer;
  hasAlpha: boolean;
}

export async function decodeBmp(buf: Buffer): Promise<Rgba> {
  const header = checkBmpHeader(buf);
  const decode = await loadNsbmp();
  let img;
  try {
    img = decode(buf);
  } catch (e) {
    throw damaged(`BMP could not be decoded (${(e as Error).message})`, e);
  }
  if (img.width !== header.width || img.height !== header.height || img.data.length !== img.width * img.height * 4) {
    throw damaged('BMP decoder returned an unexpected size');
  }
  const data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return { width: img.width, height: img.height, data, hasAlpha: fixAlpha(data, header.bitsPerPixel === 32) };
}

/**
 * Many 32-bit BMPs leave the fourth byte at 0 although the image is opaque. Returns whether any pixel is transparent;
 * an all-zero alpha channel (or no alpha in the format) is made opaque.
 */
export function fixAlpha(rgba: Buffer, mayHaveAlpha: boolean): boolean {
  let min = 255;
  let max = 0;
  for (let i = 3; i < rgba.length; i += 4) {
    const a = rgba[i] as number;
    if (a < min) min = a;
    if (a > max) max = a;
  }
  if (!mayHaveAlpha || max === 0) {
    for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
    return false;
  }
  return min < 255;
}
