// Hostile files for the refusal benchmark, each paired with a valid image of about the same byte size
// (same family where one exists). Generated at bench time into bench/.out/hostile/, never committed.
// Deliberately small and self-contained; the exhaustive corpus lives with the image tests.
import { mkdirSync, existsSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createDeflate, deflateSync } from 'node:zlib';
import { photoPixels, mulberry32 } from './synth.js';
import { chunk, ihdr, PNG_SIG } from './png.js';

const GEN_VERSION = 2;

/** A real decompression bomb: a w×h grey PNG of zeros, every row present (deflate's ~1000:1 at work). */
async function pngBomb(w, h) {
  const deflate = createDeflate({ level: 9 });
  const parts = [];
  deflate.on('data', (d) => parts.push(d));
  const done = new Promise((res) => deflate.on('end', res));
  const rowsPerChunk = Math.max(1, Math.floor(8_000_000 / (w + 1)));
  const block = Buffer.alloc((w + 1) * rowsPerChunk); // filter byte 0 + zero pixels
  for (let y = 0; y < h; y += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, h - y);
    const ok = deflate.write(n === rowsPerChunk ? block : block.subarray(0, (w + 1) * n));
    if (!ok) await new Promise((res) => deflate.once('drain', res));
  }
  deflate.end();
  await done;
  return Buffer.concat([PNG_SIG, ihdr(w, h), chunk('IDAT', Buffer.concat(parts)), chunk('IEND', Buffer.alloc(0))]);
}

/** Header says w×h, the data holds a few rows: the classic lying header. */
function pngLyingHeader(w, h) {
  const idat = deflateSync(Buffer.alloc(4 * 1024));
  return Buffer.concat([PNG_SIG, ihdr(w, h), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** Patch a valid JPEG's SOF0 frame size. */
function jpegWithSize(jpeg, w, h) {
  const out = Buffer.from(jpeg);
  for (let i = 2; i < out.length - 9; i++) {
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      out.writeUInt16BE(h, i + 5);
      out.writeUInt16BE(w, i + 7);
      return out;
    }
  }
  throw new Error('no SOF marker');
}

/** GIF whose screen and frame claim w×h, with one clear+end code of image data. */
function gifLyingHeader(w, h) {
  const le = (n) => Buffer.from([n & 0xff, (n >> 8) & 0xff]);
  return Buffer.concat([
    Buffer.from('GIF89a'), le(w), le(h), Buffer.from([0xf0, 0, 0]), // global colour table, 2 entries
    Buffer.from([0, 0, 0, 255, 255, 255]),
    Buffer.from([0x2c]), le(0), le(0), le(w), le(h), Buffer.from([0]),
    Buffer.from([2, 2, 0x4c, 0x01, 0]), // LZW min code 2, one sub-block: clear, end
    Buffer.from([0x3b]),
  ]);
}

/** WebP with a VP8X canvas of w×h and a tiny lossless bitstream that does not match it. */
function webpLyingHeader(w, h) {
  const vp8x = Buffer.alloc(10);
  vp8x.writeUIntLE(w - 1, 4, 3);
  vp8x.writeUIntLE(h - 1, 7, 3);
  const riffChunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(data.length);
    return Buffer.concat([Buffer.from(type), len, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  };
  const body = Buffer.concat([Buffer.from('WEBP'), riffChunk('VP8X', vp8x), riffChunk('VP8L', Buffer.from([0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0]))]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF'), size, body]);
}

const svg = (body, head = '') => Buffer.from(`${head}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="256" height="256" viewBox="0 0 256 256">\n${body}\n</svg>\n`);

function svgUseFanout(levels = 9, fan = 10) {
  const defs = [`<g id="l0"><circle cx="8" cy="8" r="6" fill="#c33"/></g>`];
  for (let i = 1; i <= levels; i++) {
    defs.push(`<g id="l${i}">${Array.from({ length: fan }, (_, k) => `<use href="#l${i - 1}" x="${k}" y="${k % 3}"/>`).join('')}</g>`);
  }
  return svg(`<defs>${defs.join('\n')}</defs><use href="#l${levels}"/>`);
}

function svgBillionLaughs() {
  const ents = ['<!ENTITY lol "lol">'];
  for (let i = 1; i <= 9; i++) ents.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
  return svg('<text x="0" y="20">&lol9;</text>', `<?xml version="1.0"?>\n<!DOCTYPE svg [\n${ents.join('\n')}\n]>\n`);
}

/** id -> {label, family (of the same-size valid reference), make()} */
export const HOSTILE = {
  'png-bomb-20000x20000': { label: 'PNG decompression bomb, 20000×20000 (400 MP) of zeros, real data', family: 'png', make: () => pngBomb(20000, 20000) },
  'png-header-60000x60000': { label: 'PNG with a lying header: 60000×60000, 4 KiB of data', family: 'png', make: () => pngLyingHeader(60000, 60000) },
  'jpeg-header-65000x65000': { label: 'JPEG with a lying SOF: 65000×65000', family: 'jpeg', make: async (s, photo) => jpegWithSize(await s(photo(64, 48)).jpeg().toBuffer(), 65000, 65000) },
  'jpeg-truncated': { label: '4000×3000 JPEG cut at half its bytes', family: 'jpeg', make: async (s, photo, inputs) => { const b = readFileSync(inputs.camera); return b.subarray(0, Math.floor(b.length / 2)); } },
  'jpeg-corrupt': {
    label: '4000×3000 JPEG with 4 KiB of garbage in its scan data', family: 'jpeg',
    make: async (s, photo, inputs) => {
      const b = Buffer.from(readFileSync(inputs.camera));
      const rand = mulberry32(99);
      const at = Math.floor(b.length * 0.4);
      for (let i = 0; i < 4096; i++) b[at + i] = Math.floor(rand() * 256);
      return b;
    },
  },
  'gif-header-65535x65535': { label: 'GIF claiming 65535×65535 (4.3 GP)', family: 'gif', make: () => gifLyingHeader(65535, 65535) },
  'webp-header-16383x16383': { label: 'WebP with a VP8X canvas of 16383×16383 (268 MP)', family: 'webp', make: () => webpLyingHeader(16383, 16383) },
  'html-as-png': { label: 'HTML page saved as .png', family: 'png', make: () => Buffer.from(`<!doctype html><html><head><title>x</title></head><body>${'<p>not an image</p>'.repeat(100)}<script>alert(1)</script></body></html>`) },
  'svg-script': { label: 'SVG with <script>', family: 'svg', make: () => svg('<script>alert(document.cookie)</script><rect width="256" height="256" fill="#09c"/>') },
  'svg-external-href': { label: 'SVG with <image href="file:///etc/passwd">', family: 'svg', make: () => svg('<image href="file:///etc/passwd" width="256" height="256"/><image xlink:href="http://169.254.169.254/latest/meta-data/" width="10" height="10"/>') },
  'svg-xxe': { label: 'SVG with an external entity (XXE)', family: 'svg', make: () => svg('<text x="0" y="20">&xxe;</text>', '<?xml version="1.0"?>\n<!DOCTYPE svg [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n') },
  'svg-billion-laughs': { label: 'SVG billion laughs (10^9 expansions)', family: 'svg', make: () => svgBillionLaughs() },
  'svg-use-fanout': { label: 'SVG <use> fan-out, 10^9 rendered circles', family: 'svg', make: () => svgUseFanout() },
  'svg-data-uri-bomb': {
    label: 'SVG embedding the PNG bomb as a data: URI', family: 'svg',
    make: async () => svg(`<image width="256" height="256" href="data:image/png;base64,${(await pngBomb(20000, 20000)).toString('base64')}"/>`),
  },
  'oversize-25MiB': {
    label: '25 MiB file with a PNG signature (over the 20 MiB cap)', family: 'oversize',
    make: () => { const b = Buffer.alloc(25 * 1024 * 1024); PNG_SIG.copy(b); return b; },
  },
};

// ---- same-size valid references --------------------------------------------------------------------

async function rasterOfSize(sharp, family, target) {
  const encode = (px, w, h) => {
    const img = sharp(px, { raw: { width: w, height: h, channels: 3 } });
    if (family === 'png') return img.png({ compressionLevel: 6 }).toBuffer();
    if (family === 'gif') return img.gif().toBuffer();
    if (family === 'webp') return img.webp({ quality: 85 }).toBuffer();
    return img.jpeg({ quality: 90 }).toBuffer();
  };
  const opts = family === 'png' ? { grain: 0, octaves: [[384, 70], [96, 35], [24, 8]] } : { grain: 6 };
  let w = 256;
  let h = 192;
  let best;
  for (let i = 0; i < 4; i++) {
    const out = await encode(photoPixels({ width: w, height: h, seed: 31, ...opts }), w, h);
    if (!best || Math.abs(out.length - target) < Math.abs(best.length - target)) best = out;
    if (Math.abs(out.length - target) / target < 0.1) break;
    const scale = Math.sqrt(target / out.length);
    w = Math.max(16, Math.min(8000, Math.round(w * scale)));
    h = Math.max(12, Math.min(6000, Math.round(h * scale)));
  }
  return best;
}

function svgOfSize(target) {
  const rand = mulberry32(41);
  const parts = ['<rect width="256" height="256" fill="#1f6feb"/>'];
  let len = 200;
  while (len < target) {
    const c = `<circle cx="${(rand() * 256).toFixed(1)}" cy="${(rand() * 256).toFixed(1)}" r="${(2 + rand() * 20).toFixed(1)}" fill="hsl(${Math.floor(rand() * 360)},70%,55%)"/>`;
    parts.push(c);
    len += c.length + 1;
  }
  return svg(parts.join('\n'));
}

/** Generate (or reuse) the hostile files and their references: id -> {path, bytes, label, ref: {path, bytes}}. */
export async function ensureHostile(outDir, inputs, log = () => {}) {
  const dir = join(outDir, 'hostile');
  mkdirSync(dir, { recursive: true });
  const stamp = join(dir, 'VERSION');
  const fresh = existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === String(GEN_VERSION);
  const sharp = (await import('sharp')).default;
  const photo = (w, h) => sharp(photoPixels({ width: w, height: h, seed: 3 }), { raw: { width: w, height: h, channels: 3 } });
  const s = (img) => img; // make() receives already-built sharp pipelines through photo()
  const out = {};
  for (const [id, spec] of Object.entries(HOSTILE)) {
    const path = join(dir, `${id}.bin`);
    const refPath = join(dir, `${id}.valid`);
    if (!fresh || !existsSync(path) || !existsSync(refPath)) {
      log(`  generating ${id} and a valid file of its size ...`);
      const bytes = await spec.make(s, photo, { camera: inputs['jpeg-4000x3000-o6'].path });
      writeFileSync(path, bytes);
      if (spec.family === 'oversize') writeFileSync(refPath, readFileSync(inputs['png-6000x4000'].path));
      else if (spec.family === 'svg') writeFileSync(refPath, svgOfSize(bytes.length));
      else writeFileSync(refPath, await rasterOfSize(sharp, spec.family, bytes.length));
    }
    out[id] = { id, label: spec.label, family: spec.family, path, bytes: statSync(path).size, ref: { path: refPath, bytes: statSync(refPath).size } };
  }
  writeFileSync(stamp, String(GEN_VERSION));
  return out;
}
