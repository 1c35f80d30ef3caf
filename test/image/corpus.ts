// Builds the image test corpus at test time (sharp + hand-built bytes) so no binary blob is committed.
// Every file is written to a temp dir and read back through readInput(), like the CLI does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';

// ---------- the asymmetric test picture ----------
// Upright it shows four solid quadrants: red top-left, green top-right, blue bottom-left, yellow bottom-right.
export const QUADRANTS = {
  topLeft: [255, 0, 0],
  topRight: [0, 255, 0],
  bottomLeft: [0, 0, 255],
  bottomRight: [255, 255, 0],
} as const;
export const UPRIGHT_W = 120;
export const UPRIGHT_H = 80;

/** w×h RGB (or RGBA with alpha) pixels of the quadrant picture. */
export function quadrantPixels(w: number, h: number, alpha?: number): Buffer {
  const ch = alpha === undefined ? 3 : 4;
  const buf = Buffer.alloc(w * h * ch);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const q = y < h / 2 ? (x < w / 2 ? QUADRANTS.topLeft : QUADRANTS.topRight) : x < w / 2 ? QUADRANTS.bottomLeft : QUADRANTS.bottomRight;
      const i = (y * w + x) * ch;
      buf[i] = q[0];
      buf[i + 1] = q[1];
      buf[i + 2] = q[2];
      if (ch === 4) buf[i + 3] = alpha as number;
    }
  }
  return buf;
}

function upright(): Sharp {
  return sharp(quadrantPixels(UPRIGHT_W, UPRIGHT_H), { raw: { width: UPRIGHT_W, height: UPRIGHT_H, channels: 3 } });
}

async function rgbStep(input: Buffer, op: (s: Sharp) => Sharp): Promise<Buffer> {
  return op(sharp(input)).png().toBuffer();
}

/**
 * A JPEG whose stored pixels are the upright picture transformed by the INVERSE of EXIF orientation `o`, tagged `o`:
 * a viewer that honours the tag shows the upright picture. (sharp's withMetadata is used here only, never in src/.)
 */
export async function orientedJpeg(o: number): Promise<Buffer> {
  let img: Buffer = await upright().png().toBuffer();
  // Each step separately: sharp applies rotate before flip/flop inside one pipeline whatever the call order.
  const steps: Record<number, Array<(s: Sharp) => Sharp>> = {
    1: [],
    2: [(s) => s.flop()],
    3: [(s) => s.rotate(180)],
    4: [(s) => s.flip()],
    5: [(s) => s.rotate(90), (s) => s.flop()], // transpose, its own inverse
    6: [(s) => s.rotate(270)], // tag 6 means "rotate 90° clockwise to display"
    7: [(s) => s.rotate(90), (s) => s.flip()], // transverse, its own inverse
    8: [(s) => s.rotate(90)],
  };
  for (const step of steps[o] ?? []) img = await rgbStep(img, step);
  return sharp(img).jpeg({ quality: 95 }).withMetadata({ orientation: o }).toBuffer();
}

// ---------- hand-built containers ----------
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
export function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(w: number, h: number, depth: number, colourType: number): Buffer {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(w, 0);
  d.writeUInt32BE(h, 4);
  d[8] = depth;
  d[9] = colourType;
  return pngChunk('IHDR', d);
}

/** Filter byte 0 before each row of RGBA pixels, deflated. */
function pngRows(rgba: Buffer, w: number, h: number): Buffer {
  const rows = Buffer.alloc(h * (w * 4 + 1));
  for (let y = 0; y < h; y++) rgba.copy(rows, y * (w * 4 + 1) + 1, y * w * 4, (y + 1) * w * 4);
  return deflateSync(rows);
}

/** A two-frame APNG (sharp can't write APNG): frame 1 is the quadrant picture, frame 2 solid magenta. */
export function apng(): Buffer {
  const w = 60;
  const h = 40;
  const f1 = quadrantPixels(w, h, 255);
  const f2 = Buffer.alloc(w * h * 4);
  for (let i = 0; i < f2.length; i += 4) f2.set([255, 0, 255, 255], i);
  const fctl = (seq: number) => {
    const d = Buffer.alloc(26);
    d.writeUInt32BE(seq, 0);
    d.writeUInt32BE(w, 4);
    d.writeUInt32BE(h, 8);
    d.writeUInt16BE(1, 20); // delay 1/10 s
    d.writeUInt16BE(10, 22);
    return pngChunk('fcTL', d);
  };
  const actl = Buffer.alloc(8);
  actl.writeUInt32BE(2, 0);
  const fdat = Buffer.concat([Buffer.from([0, 0, 0, 2]), pngRows(f2, w, h)]);
  return Buffer.concat([
    PNG_SIG, ihdr(w, h, 8, 6), pngChunk('acTL', actl), fctl(0), pngChunk('IDAT', pngRows(f1, w, h)),
    fctl(1), pngChunk('fdAT', fdat), pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** 24-bit bottom-up BMP of the quadrant picture. */
export function bmp24(w = 40, h = 30): Buffer {
  const stride = Math.ceil((w * 3) / 4) * 4;
  const px = quadrantPixels(w, h);
  const out = Buffer.alloc(54 + stride * h);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(w, 18);
  out.writeInt32LE(h, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(stride * h, 34);
  for (let y = 0; y < h; y++) {
    const row = 54 + (h - 1 - y) * stride; // bottom-up
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      out[row + x * 3] = px[i + 2] as number; // BGR
      out[row + x * 3 + 1] = px[i + 1] as number;
      out[row + x * 3 + 2] = px[i] as number;
    }
  }
  return out;
}

/** 70 bytes claiming 15000×15000 (nsbmp alone allocated 927 MB on this). */
export function bmpLiar(): Buffer {
  const b = Buffer.alloc(70);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(70, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(15000, 18);
  b.writeInt32LE(15000, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  return b;
}

/** An icon whose single entry is a PNG. */
export function icoWithPng(png: Buffer, w: number, h: number): Buffer {
  return icoContainer(png, w, h);
}

/** ICONDIR + one ICONDIRENTRY (32 bpp, w×h) pointing at `entry` right after the 22-byte header. */
function icoContainer(entry: Buffer, w: number, h: number): Buffer {
  const head = Buffer.alloc(22);
  head.writeUInt16LE(1, 2);
  head.writeUInt16LE(1, 4);
  head[6] = w & 0xff;
  head[7] = h & 0xff;
  head.writeUInt16LE(1, 10);
  head.writeUInt16LE(32, 12);
  head.writeUInt32LE(entry.length, 14);
  head.writeUInt32LE(22, 18);
  return Buffer.concat([head, entry]);
}

/** An icon whose single entry is a 32-bit BMP (BITMAPINFOHEADER, bottom-up BGRA rows, then the AND mask). */
export function icoWithBmp(w = 32, h = 32): Buffer {
  const px = quadrantPixels(w, h, 255);
  const dib = Buffer.alloc(40);
  dib.writeUInt32LE(40, 0);
  dib.writeInt32LE(w, 4);
  dib.writeInt32LE(h * 2, 8); // colour rows + mask rows
  dib.writeUInt16LE(1, 12);
  dib.writeUInt16LE(32, 14);
  dib.writeUInt32LE(w * h * 4, 20);
  const colour = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 4;
      const d = ((h - 1 - y) * w + x) * 4;
      colour.set([px[s + 2] as number, px[s + 1] as number, px[s] as number, 255], d);
    }
  }
  const mask = Buffer.alloc(Math.ceil(w / 32) * 4 * h);
  return icoContainer(Buffer.concat([dib, colour, mask]), w, h);
}

/** A PNG whose IHDR claims w×h (CRC fixed, so only the size lies). */
export async function pngLiar(w: number, h: number): Promise<Buffer> {
  const small = Buffer.from(await sharp({ create: { width: 10, height: 10, channels: 3, background: '#f00' } }).png().toBuffer());
  small.writeUInt32BE(w, 16);
  small.writeUInt32BE(h, 20);
  small.writeUInt32BE(crc32(small.subarray(12, 29)), 29);
  return small;
}

/** A genuine 1-bit greyscale PNG of w×h zeros: decompresses to w×h pixels from a few KB. */
export function pngBomb(w: number, h: number): Buffer {
  const rowBytes = Math.ceil(w / 8) + 1;
  const rows = Buffer.alloc(rowBytes * h); // filter 0, all black
  return Buffer.concat([PNG_SIG, ihdr(w, h, 1, 0), pngChunk('IDAT', deflateSync(rows, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

export function heicHeader(): Buffer {
  const ftyp = Buffer.from('000000186674797068656963000000006d69663168656963', 'hex');
  const meta = Buffer.alloc(200);
  meta.writeUInt32BE(200, 0);
  meta.write('meta', 4, 'latin1');
  return Buffer.concat([ftyp, meta]);
}

export function pdf(): Buffer {
  return Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
}

// ---------- SVG ----------
const SVG_NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"';
export const svgQuadrants = `<svg ${SVG_NS} width="120" height="80" viewBox="0 0 120 80">
  <rect x="0" y="0" width="60" height="40" fill="#ff0000"/><rect x="60" y="0" width="60" height="40" fill="#00ff00"/>
  <rect x="0" y="40" width="60" height="40" fill="#0000ff"/><rect x="60" y="40" width="60" height="40" fill="#ffff00"/>
</svg>`;

/** Legitimate SVGs: must be accepted. */
export const GOOD_SVGS: Record<string, string> = {
  'plain.svg': svgQuadrants,
  'prolog.svg': `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!-- made by hand -->\n${svgQuadrants}`,
  'public-doctype.svg': `<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n${svgQuadrants}`,
  'gradient-use.svg': `<svg ${SVG_NS} viewBox="0 0 24 24"><defs><linearGradient id="g"><stop offset="0" stop-color="#f80"/><stop offset="1" stop-color="#08f"/></linearGradient>
    <circle id="dot" r="2" fill="url(#g)"/></defs><rect width="24" height="24" style="fill: url('#g')"/>
    <use href="#dot" x="6" y="6"/><use xlink:href="#dot" x="18" y="18"/><style>circle { stroke: black }</style></svg>`,
  'transparent-circle.svg': `<svg ${SVG_NS} width="64" height="64"><circle cx="32" cy="32" r="20" fill="#00f"/></svg>`,
};

function useBomb(levels: number, fanout: number): string {
  let defs = '<g id="l0"><rect width="1" height="1"/></g>';
  for (let l = 1; l <= levels; l++) defs += `<g id="l${l}">${`<use href="#l${l - 1}"/>`.repeat(fanout)}</g>`;
  return `<svg ${SVG_NS} width="100" height="100"><defs>${defs}</defs><use href="#l${levels}"/></svg>`;
}

function billionLaughs(): string {
  let ents = '<!ENTITY lol "lol">';
  for (let i = 1; i <= 9; i++) ents += `<!ENTITY lol${i} "${`&lol${i - 1 === 0 ? '' : i - 1};`.repeat(10)}">`;
  return `<?xml version="1.0"?>\n<!DOCTYPE svg [${ents}]>\n<svg ${SVG_NS}><text>&lol9;</text></svg>`;
}

/** Hostile SVGs and the reason each must be refused with. */
export async function badSvgs(): Promise<Record<string, { svg: string; reason: RegExp }>> {
  const rasterBomb = pngBomb(20000, 20000).toString('base64'); // ~50 KB of base64, 400 MP once decoded
  return {
    'script.svg': { svg: `<svg ${SVG_NS}><script>alert(1)</script><rect width="5" height="5"/></svg>`, reason: /unsafe SVG: <script> element/ },
    'prefixed-script.svg': { svg: `<svg:svg xmlns:svg="http://www.w3.org/2000/svg"><svg:script>alert(1)</svg:script></svg:svg>`, reason: /unsafe SVG: <script>/ },
    'external-href.svg': { svg: `<svg ${SVG_NS}><use href="http://evil.example/x.svg#a"/></svg>`, reason: /unsafe SVG: href pointing outside/ },
    'xlink-charref.svg': {
      svg: `<svg ${SVG_NS}><use xlink:href="&#x68;&#116;tp://evil.example/x.svg#a"/></svg>`,
      reason: /unsafe SVG: xlink:href pointing outside the document \(http:\/\/evil/,
    },
    'local-file.svg': { svg: `<svg ${SVG_NS}><use href="file:///etc/passwd#x"/></svg>`, reason: /unsafe SVG: href pointing outside/ },
    'xxe.svg': {
      svg: `<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<svg ${SVG_NS}><text>&xxe;</text></svg>`,
      reason: /unsafe SVG: entity declaration/,
    },
    'billion-laughs.svg': { svg: billionLaughs(), reason: /unsafe SVG: entity declaration/ },
    'use-bomb.svg': { svg: useBomb(8, 10), reason: /unsafe SVG: .*expand to more than/ },
    'use-cycle.svg': { svg: `<svg ${SVG_NS}><g id="a"><rect width="1" height="1"/><use href="#a"/></g></svg>`, reason: /unsafe SVG: circular/ },
    'data-uri-raster-bomb.svg': {
      svg: `<svg ${SVG_NS} width="100" height="100"><image width="100" height="100" href="data:image/png;base64,${rasterBomb}"/></svg>`,
      reason: /unsafe SVG: <image> element/,
    },
    'fill-data-uri.svg': {
      svg: `<svg ${SVG_NS}><pattern id="p"><use href="data:image/svg+xml;base64,PHN2Zy8+"/></pattern></svg>`,
      reason: /unsafe SVG: href pointing outside/,
    },
    'css-url.svg': { svg: `<svg ${SVG_NS}><rect width="9" height="9" style="fill:url(http://evil.example/p.svg#g)"/></svg>`, reason: /unsafe SVG: CSS url\(\)/ },
    'css-url-escaped.svg': { svg: `<svg ${SVG_NS}><style>rect { fill: \\75 rl(http://evil.example/x) }</style><rect width="9" height="9"/></svg>`, reason: /unsafe SVG: CSS url\(\)/ },
    'css-import.svg': { svg: `<svg ${SVG_NS}><style>@import "http://evil.example/a.css";</style></svg>`, reason: /unsafe SVG: CSS @import/ },
    'xml-stylesheet.svg': { svg: `<?xml version="1.0"?>\n<?xml-stylesheet href="http://evil.example/a.css"?>\n<svg ${SVG_NS}/>`, reason: /unsafe SVG: external stylesheet/ },
    'foreign-object.svg': { svg: `<svg ${SVG_NS}><foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="http://x"/></foreignObject></svg>`, reason: /unsafe SVG: <(foreignObject|iframe)>/ },
    'feimage.svg': { svg: `<svg ${SVG_NS}><filter id="f"><feImage href="#x"/></filter></svg>`, reason: /unsafe SVG: <feImage>/ },
    'xinclude.svg': { svg: `<svg ${SVG_NS} xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd" parse="text"/></svg>`, reason: /unsafe SVG: <include>/ },
    'utf7.svg': { svg: `<?xml version="1.0" encoding="UTF-7"?>\n<svg ${SVG_NS}>+ADw-script+AD4-</svg>`, reason: /unsafe SVG: unsupported character encoding/ },
  };
}

// ---------- writing ----------
export class CorpusDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'ak-avatars-image-'));
  write(name: string, data: Buffer | string): string {
    const path = join(this.dir, name);
    writeFileSync(path, data);
    return path;
  }
  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Accepted inputs: name -> bytes, plus what the source info must say. */
export interface Good {
  bytes: Buffer;
  type: string;
  animated?: boolean;
  /** the picture is the quadrant picture (upright), so the output's quadrants can be checked */
  quadrants?: boolean;
}

export async function goodImages(): Promise<Record<string, Good>> {
  const up = upright();
  const quadPng = await up.clone().png().toBuffer();
  const frames = Buffer.concat([quadrantPixels(60, 40), Buffer.alloc(60 * 40 * 3, 0x80)]);
  const animated = () => sharp(frames, { raw: { width: 60, height: 80, channels: 3, pageHeight: 40 } });
  const greyAlpha = Buffer.alloc(50 * 50 * 2);
  for (let i = 0; i < greyAlpha.length; i += 2) greyAlpha.set([128, i % 200 === 0 ? 0 : 255], i);
  const icoPng = await sharp(quadrantPixels(48, 48, 255), { raw: { width: 48, height: 48, channels: 4 } }).png().toBuffer();
  return {
    'quad.png': { bytes: quadPng, type: 'png', quadrants: true },
    'quad.apng': { bytes: apng(), type: 'apng', animated: true, quadrants: true },
    'quad.jpg': { bytes: await up.clone().jpeg({ quality: 95 }).toBuffer(), type: 'jpeg', quadrants: true },
    'quad.webp': { bytes: await up.clone().webp({ quality: 95 }).toBuffer(), type: 'webp', quadrants: true },
    'anim.webp': { bytes: await animated().webp({ quality: 95, loop: 0 }).toBuffer(), type: 'webp', animated: true, quadrants: true },
    'quad.gif': { bytes: await up.clone().gif().toBuffer(), type: 'gif', quadrants: true },
    'anim.gif': { bytes: await animated().gif({ loop: 0 }).toBuffer(), type: 'gif', animated: true, quadrants: true },
    'quad.avif': { bytes: await up.clone().avif({ quality: 80, effort: 0 }).toBuffer(), type: 'avif', quadrants: true },
    'quad.tiff': { bytes: await up.clone().tiff().toBuffer(), type: 'tiff', quadrants: true },
    'quad.svg': { bytes: Buffer.from(svgQuadrants), type: 'svg', quadrants: true },
    'quad.bmp': { bytes: bmp24(), type: 'bmp', quadrants: true },
    'quad.ico': { bytes: icoWithPng(icoPng, 48, 48), type: 'ico', quadrants: true },
    'bmp-entry.ico': { bytes: icoWithBmp(), type: 'ico', quadrants: true },
    'cmyk.jpg': { bytes: await up.clone().toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer(), type: 'jpeg', quadrants: true },
    '16bit.png': { bytes: await up.clone().toColourspace('rgb16').png().toBuffer(), type: 'png', quadrants: true },
    'palette.png': { bytes: await up.clone().png({ palette: true }).toBuffer(), type: 'png', quadrants: true },
    'grey-alpha.png': { bytes: await sharp(greyAlpha, { raw: { width: 50, height: 50, channels: 2 } }).png().toBuffer(), type: 'png' },
    'tiny16.png': {
      bytes: await sharp(quadrantPixels(16, 16), { raw: { width: 16, height: 16, channels: 3 } }).png().toBuffer(),
      type: 'png',
      quadrants: true,
    },
  };
}

/** A 4000×3000 JPEG with photo-like detail (smooth noise), ~1-2 MB. */
export async function photoJpeg(): Promise<Buffer> {
  const noise = await sharp({ create: { width: 500, height: 375, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .png()
    .toBuffer();
  return sharp(noise).resize(4000, 3000, { kernel: 'cubic' }).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
}

/** 6000×4000 PNG, legal (24 MP) and quick to build because it compresses well. */
export async function hugePng(): Promise<Buffer> {
  const block = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#c33' } }).png().toBuffer();
  return sharp({ create: { width: 6000, height: 4000, channels: 3, background: '#36c' } })
    .composite([{ input: block, left: 0, top: 0 }])
    .png({ compressionLevel: 1 })
    .toBuffer();
}
