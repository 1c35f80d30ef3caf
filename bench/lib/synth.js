// Deterministic "photo-like" pixels: smooth gradients, value noise at several scales (blotches, texture),
// a few hard-edged objects, and fine sensor-like grain. Flat colour would flatter every encoder and make
// JPEG/PNG decoding unrealistically cheap; random noise alone would make PNG files incompressible.
// Seeded, so every machine benches the same bytes.

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A (gw+2)×(gh+2) grid of random values in [-1, 1] for value noise with `cell`-pixel cells. */
function grid(width, height, cell, rand) {
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const g = new Float32Array(gw * gh);
  for (let i = 0; i < g.length; i++) g[i] = rand() * 2 - 1;
  return { g, gw, cell };
}

/** Add one octave of bilinear value noise for row y into `row`. */
function addRow({ g, gw, cell }, y, W, amp, row) {
  const gy = y / cell;
  const iy = Math.floor(gy);
  const fy = gy - iy;
  const r0 = iy * gw;
  const r1 = r0 + gw;
  for (let x = 0; x < W; x++) {
    const gx = x / cell;
    const ix = Math.floor(gx);
    const fx = gx - ix;
    const top = g[r0 + ix] + (g[r0 + ix + 1] - g[r0 + ix]) * fx;
    const bot = g[r1 + ix] + (g[r1 + ix + 1] - g[r1 + ix]) * fx;
    row[x] += (top + (bot - top) * fy) * amp;
  }
}

/**
 * Raw interleaved pixels (Uint8 RGB or RGBA).
 * @param {{width:number, height:number, channels?:3|4, seed?:number, grain?:number, octaves?:Array<[number, number]>, objects?:number}} o
 *   grain: amplitude of per-pixel noise (0 for PNG-friendly content); octaves: [cellPx, amplitude] pairs.
 */
export function photoPixels(o) {
  const { width: W, height: H, channels = 3, seed = 1, grain = 4, objects = 12 } = o;
  const octaves = o.octaves ?? [[384, 70], [96, 35], [24, 18], [6, 9]];
  const rand = mulberry32(seed);
  const lum = octaves.map(([cell, amp]) => ({ ...grid(W, H, cell, rand), amp }));
  const chroma = [0, 1, 2].map(() => grid(W, H, 400, rand));
  // Hard-edged discs: object boundaries are what real photos have and value noise does not.
  const discs = Array.from({ length: objects }, () => ({
    x: rand() * W, y: rand() * H, r: (0.03 + rand() * 0.12) * Math.min(W, H),
    c: [rand() * 255, rand() * 255, rand() * 255],
  }));
  const out = Buffer.alloc(W * H * channels);
  const row = new Float32Array(W);
  const crow = [new Float32Array(W), new Float32Array(W), new Float32Array(W)];
  for (let y = 0; y < H; y++) {
    row.fill(0);
    for (const oct of lum) addRow(oct, y, W, oct.amp, row);
    for (let c = 0; c < 3; c++) {
      crow[c].fill(0);
      addRow(chroma[c], y, W, 45, crow[c]);
    }
    for (let x = 0; x < W; x++) {
      const base = 90 + 80 * (x / W) + 50 * (y / H) + row[x];
      let p = (y * W + x) * channels;
      let r = base + crow[0][x];
      let gch = base * 0.9 + crow[1][x];
      let b = base * 0.8 + 30 + crow[2][x];
      for (const d of discs) {
        const dx = x - d.x;
        const dy = y - d.y;
        if (dx * dx + dy * dy < d.r * d.r) {
          r = d.c[0] + row[x] * 0.5;
          gch = d.c[1] + row[x] * 0.5;
          b = d.c[2] + row[x] * 0.5;
          break;
        }
      }
      if (grain) {
        const n = (rand() - 0.5) * 2 * grain;
        r += n; gch += n; b += n;
      }
      out[p++] = r < 0 ? 0 : r > 255 ? 255 : r;
      out[p++] = gch < 0 ? 0 : gch > 255 ? 255 : gch;
      out[p++] = b < 0 ? 0 : b > 255 ? 255 : b;
      if (channels === 4) out[p++] = 255;
    }
  }
  return out;
}
