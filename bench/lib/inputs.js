// The valid inputs of the image and upload sections, generated at bench time into bench/.out/inputs/
// (gitignored) and reused while the generator version and the files are unchanged.
import { mkdirSync, existsSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { photoPixels, mulberry32 } from './synth.js';

const GEN_VERSION = 4; // bump when any generator below changes

/** id -> description and generator. `make(sharp)` returns the file's bytes. */
export const INPUTS = {
  'jpeg-4000x3000-o6': {
    label: '4000×3000 JPEG, EXIF orientation 6',
    file: 'camera-4000x3000-orient6.jpg',
    async make(sharp) {
      const px = photoPixels({ width: 4000, height: 3000, seed: 11, grain: 5 });
      // Stored landscape, shown portrait: the EXIF tag asks for a 90° clockwise turn, as phones write it.
      return sharp(px, { raw: { width: 4000, height: 3000, channels: 3 } })
        .jpeg({ quality: 88, mozjpeg: false })
        .withMetadata({ orientation: 6 })
        .toBuffer();
    },
  },
  'png-6000x4000': {
    label: '6000×4000 PNG',
    file: 'scan-6000x4000.png',
    async make(sharp) {
      // No per-pixel grain and no finest octave: keeps the file (~15 MB) under the pipeline's 20 MiB cap.
      const px = photoPixels({ width: 6000, height: 4000, seed: 5, grain: 0, octaves: [[384, 70], [96, 35], [24, 8]] });
      return sharp(px, { raw: { width: 6000, height: 4000, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
    },
  },
  'photo-1920x1280': {
    label: '1920×1280 photo (JPEG)',
    file: 'photo-1920x1280.jpg',
    async make(sharp) {
      const px = photoPixels({ width: 1920, height: 1280, seed: 7, grain: 6, octaves: [[256, 70], [64, 35], [16, 20], [4, 12]] });
      return sharp(px, { raw: { width: 1920, height: 1280, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    },
  },
  'gif-400x400x30': {
    label: 'animated GIF, 400×400, 30 frames',
    file: 'anim-400x400x30.gif',
    async make(sharp) {
      const W = 400, H = 400, N = 30;
      const frame = photoPixels({ width: W, height: H, channels: 4, seed: 9, grain: 3, objects: 0 });
      const all = Buffer.alloc(W * H * 4 * N);
      const rand = mulberry32(13);
      const balls = Array.from({ length: 5 }, () => ({ x: rand() * W, y: rand() * H, vx: rand() * 12 - 6, vy: rand() * 12 - 6, c: [rand() * 255, rand() * 255, rand() * 255] }));
      for (let f = 0; f < N; f++) {
        const off = f * W * H * 4;
        frame.copy(all, off);
        for (const b of balls) {
          const cx = (b.x + b.vx * f + W) % W;
          const cy = (b.y + b.vy * f + H) % H;
          for (let y = Math.max(0, Math.floor(cy - 30)); y < Math.min(H, cy + 30); y++) {
            for (let x = Math.max(0, Math.floor(cx - 30)); x < Math.min(W, cx + 30); x++) {
              if ((x - cx) ** 2 + (y - cy) ** 2 < 900) all.set([b.c[0], b.c[1], b.c[2], 255], off + (y * W + x) * 4);
            }
          }
        }
      }
      return sharp(all, { raw: { width: W, height: H * N, channels: 4, pageHeight: H } }).gif({ delay: 50, loop: 0 }).toBuffer();
    },
  },
  'svg-256': {
    label: 'SVG 256×256 (gradients, paths)',
    file: 'logo-256.svg',
    async make() {
      const rand = mulberry32(21);
      const shapes = Array.from({ length: 40 }, (_, i) => {
        const x = (rand() * 256).toFixed(1), y = (rand() * 256).toFixed(1), r = (4 + rand() * 30).toFixed(1);
        const fill = i % 3 === 0 ? 'url(#g1)' : i % 3 === 1 ? 'url(#g2)' : `hsl(${Math.floor(rand() * 360)},70%,55%)`;
        return `<circle cx="${x}" cy="${y}" r="${r}" fill="${fill}" fill-opacity="0.8"/>`;
      }).join('\n  ');
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <defs>
    <linearGradient id="g1" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1f6feb"/><stop offset="1" stop-color="#f78166"/></linearGradient>
    <radialGradient id="g2" cx="0.5" cy="0.5" r="0.6"><stop offset="0" stop-color="#ffd33d"/><stop offset="1" stop-color="#6f42c1"/></radialGradient>
  </defs>
  <rect width="256" height="256" fill="url(#g1)"/>
  <path d="M20 200 C 60 120, 120 260, 236 60" stroke="#0d1117" stroke-width="9" fill="none"/>
  ${shapes}
</svg>
`;
      return Buffer.from(svg);
    },
  },
};

/** Generate missing inputs; returns id -> {path, bytes, label}. */
export async function ensureInputs(outDir, ids = Object.keys(INPUTS), log = () => {}) {
  const dir = join(outDir, 'inputs');
  mkdirSync(dir, { recursive: true });
  const stampFile = join(dir, 'VERSION');
  const fresh = existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === String(GEN_VERSION);
  const sharp = (await import('sharp')).default;
  const result = {};
  for (const id of ids) {
    const spec = INPUTS[id];
    const path = join(dir, spec.file);
    if (!fresh || !existsSync(path)) {
      log(`  generating ${spec.file} ...`);
      writeFileSync(path, await spec.make(sharp));
    }
    result[id] = { id, path, label: spec.label, bytes: statSync(path).size };
  }
  if (!fresh) {
    // Everything not regenerated above is stale too: drop the stamp's promise only after all are rebuilt.
    for (const [id, spec] of Object.entries(INPUTS)) {
      if (!ids.includes(id)) writeFileSync(join(dir, spec.file), await spec.make(sharp));
    }
    writeFileSync(stampFile, String(GEN_VERSION));
  }
  return result;
}
