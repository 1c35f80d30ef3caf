#!/usr/bin/env node
// Where the pipeline's time goes on one raster input, step by step, next to the bare sharp call:
//   node bench/lib/pipeline-probe.js FILE SIZE png|webp [ROUNDS]   -> one JSON line of medians (ms)
// The steps mirror src/image and are re-implemented here with the same sharp options, so a step the pipeline drops
// or adds must be reflected here. processImage itself is timed alongside as the check that the steps add up.
// The pipeline goes one of two ways (src/image/process.ts), reported as `path`:
//   fused  sniff, header read, ONE pipeline decode+orient+resize+encode (`fused`), hash: sources without alpha, and
//          jpeg/webp output from any source
//   split  sniff, header read, decode+resize to RGBA (`toRgba`), transparency scan (`scan`), encode from RGBA
//          (`encodeRgba`), hash: sources with alpha going to png (or auto)
// Both ways are timed on every input, so the cost of the split stays visible where the fused path is taken.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { SHARP_ENCODE, SHARP_INPUT } from './image-worker-config.js';

const [file, sizeArg, fmt, roundsArg] = process.argv.slice(2);
const N = Number(sizeArg);
const rounds = Number(roundsArg ?? 25);
const sharp = (await import('sharp')).default;
const { fileTypeFromBuffer } = await import('file-type');
const { processImage } = await import(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'image', 'index.js'));
sharp.cache(false);
const buf = readFileSync(file);
const hasAlpha = (await sharp(buf).metadata()).hasAlpha === true;
// src/image/encode.ts canFuse: the result's transparency only matters for png (and auto) from a source with alpha.
const path = !hasAlpha || fmt === 'jpeg' || fmt === 'webp' ? 'fused' : 'split';
const enc = (img) => img.toFormat(fmt, SHARP_ENCODE[fmt]);
const input = () => sharp(buf, { ...SHARP_INPUT, autoOrient: true }).resize(N, N, { fit: 'cover' }).toColourspace('srgb');
// fusedPlan: jpeg is flattened, an alpha-less source has any alpha band dropped (both no-ops without alpha).
const fused = () => enc(fmt === 'jpeg' ? input().flatten({ background: '#ffffff' }) : hasAlpha ? input() : input().removeAlpha()).toBuffer();
const toRgba = () => input().ensureAlpha().raw().toBuffer();
const raw = await toRgba();
const out = await fused();
const steps = {
  bare: () => enc(sharp(buf, SHARP_INPUT).autoOrient().resize(N, N, { fit: 'cover' }).toColourspace('srgb')).toBuffer(),
  processImage: () => processImage(buf, { size: N, format: fmt }),
  sniff: () => fileTypeFromBuffer(buf),
  header: () => sharp(buf, { ...SHARP_INPUT, limitInputPixels: false }).metadata(),
  fused,
  toRgba,
  scan: async () => { for (let i = 3; i < raw.length; i += 4) if (raw[i] < 255) return true; return false; },
  encodeRgba: () => enc(sharp(raw, { raw: { width: N, height: N, channels: 4 } }).removeAlpha()).toBuffer(),
  hash: async () => createHash('sha256').update(out).digest('hex'),
};
const samples = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
for (let r = -2; r < rounds; r++) {
  for (const [k, f] of Object.entries(steps)) {
    const t = process.hrtime.bigint();
    await f();
    if (r >= 0) samples[k].push(Number(process.hrtime.bigint() - t) / 1e6);
  }
}
const med = (xs) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const medians = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, med(xs)]));
process.stdout.write(JSON.stringify({ path, ...medians }) + '\n');
