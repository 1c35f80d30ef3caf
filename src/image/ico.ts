// ICO/CUR: sharp can't read them. We parse the directory ourselves, keep only the largest entry and check its header:
// a PNG entry goes through the normal sharp path (same limits), a BMP entry is decoded by decode-ico on its own (so a
// directory of 65535 entries pointing at the same bitmap can't make it decode everything).
import { damaged } from './errors.js';
import { loadDecodeIco } from './lazy.js';
import { ICO_MAX_EDGE, ICO_MAX_ENTRIES } from './limits.js';
import { fixAlpha, type Rgba } from './bmp.js';

export type IcoEntry = { kind: 'png'; width: number; height: number; data: Buffer } | { kind: 'bmp'; width: number; height: number; data: Buffer; bitsPerPixel: number };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pickIcoEntry(buf: Buffer): IcoEntry {
  if (buf.length < 6 || buf.readUInt16LE(0) !== 0) throw damaged('truncated ICO header');
  const type = buf.readUInt16LE(2);
  const count = buf.readUInt16LE(4);
  if (type !== 1 && type !== 2) throw damaged('ICO with an unknown type');
  if (count === 0) throw damaged('ICO without images');
  if (count > ICO_MAX_ENTRIES) throw damaged(`ICO with ${count} images (at most ${ICO_MAX_ENTRIES})`);
  if (buf.length < 6 + 16 * count) throw damaged('truncated ICO directory');

  let best: IcoEntry | undefined;
  for (let i = 0; i < count; i++) {
    const at = 6 + 16 * i;
    const size = buf.readUInt32LE(at + 8);
    const offset = buf.readUInt32LE(at + 12);
    if (size < 16 || offset < 6 + 16 * count || offset + size > buf.length) throw damaged(`ICO entry ${i + 1} lies outside the file`);
    const data = buf.subarray(offset, offset + size);
    const entry = readEntry(data, i);
    if (!best || entry.width * entry.height > best.width * best.height) best = entry;
  }
  return best as IcoEntry;
}

function readEntry(data: Buffer, i: number): IcoEntry {
  let width: number;
  let height: number;
  if (data.subarray(0, 8).equals(PNG_SIGNATURE)) {
    if (data.length < 24) throw damaged(`ICO entry ${i + 1}: truncated PNG`);
    width = data.readUInt32BE(16);
    height = data.readUInt32BE(20);
    checkEdges(width, height, i);
    return { kind: 'png', width, height, data };
  }
  // BITMAPINFOHEADER without the file header; the height counts the colour rows and the AND-mask rows.
  if (data.length < 40 || data.readUInt32LE(0) < 40) throw damaged(`ICO entry ${i + 1}: unknown bitmap header`);
  width = data.readInt32LE(4);
  height = Math.trunc(data.readInt32LE(8) / 2);
  const bitsPerPixel = data.readUInt16LE(14);
  const compression = data.readUInt32LE(16);
  checkEdges(width, height, i);
  if (compression !== 0) throw damaged(`ICO entry ${i + 1}: compressed bitmap`);
  if (![1, 4, 8, 24, 32].includes(bitsPerPixel)) throw damaged(`ICO entry ${i + 1}: ${bitsPerPixel} bits per pixel`);
  return { kind: 'bmp', width, height, data, bitsPerPixel };
}

function checkEdges(width: number, height: number, i: number): void {
  if (width <= 0 || height <= 0 || width > ICO_MAX_EDGE || height > ICO_MAX_EDGE) {
    throw damaged(`ICO entry ${i + 1} has an invalid size ${width}×${height}`);
  }
}

/** Decodes a BMP entry by handing decode-ico a one-entry icon. */
export async function decodeIcoBmp(entry: Extract<IcoEntry, { kind: 'bmp' }>): Promise<Rgba> {
  const header = Buffer.alloc(22);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(1, 4);
  header.writeUInt8(entry.width & 0xff, 6);
  header.writeUInt8(entry.height & 0xff, 7);
  header.writeUInt32LE(entry.data.length, 14);
  header.writeUInt32LE(22, 18);
  const decodeIco = await loadDecodeIco();
  let decoded;
  try {
    decoded = decodeIco(Buffer.concat([header, entry.data]))[0];
  } catch (e) {
    throw damaged(`ICO bitmap could not be decoded (${(e as Error).message})`, e);
  }
  if (!decoded || decoded.type !== 'bmp' || decoded.width !== entry.width || decoded.height !== entry.height) {
    throw damaged('ICO decoder returned an unexpected image');
  }
  const data = Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  if (data.length !== entry.width * entry.height * 4) throw damaged('ICO decoder returned bad pixels');
  return { width: entry.width, height: entry.height, data, hasAlpha: fixAlpha(data, true) };
}
