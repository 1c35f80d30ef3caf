#!/usr/bin/env node
// Where the pipeline's time goes on one input, step by step, next to the bare sharp call:
//   node bench/lib/pipeline-probe.js FILE SIZE png|webp [ROUNDS]   -> one JSON line of medians (ms)
// The steps mirror src/image (sniff, header read, decode+resize to RGBA, transparency scan, encode from RGBA,
// hash); they are re-implemented here with the same sharp options, so a step the pipeline drops or adds must be
// reflected here. processImage itself is timed alongside as the check that the steps add up.
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
const enc = (img) => img.toFormat(fmt, SHARP_ENCODE[fmt]);
const toRgba = () => sharp(buf, { ...SHARP_INPUT, autoOrient: true }).resize(N, N, { fit: 'cover' }).toColourspace('srgb').ensureAlpha().raw().toBuffer();
const raw = await toRgba();
const out = await enc(sharp(raw, { raw: { width: N, height: N, channels: 4 } }).removeAlpha()).toBuffer();
const steps = {
  bare: () => enc(sharp(buf, SHARP_INPUT).autoOrient().resize(N, N, { fit: 'cover' }).toColourspace('srgb')).toBuffer(),
  processImage: () => processImage(buf, { size: N, format: fmt }),
  sniff: () => fileTypeFromBuffer(buf),
  header: () => sharp(buf, { ...SHARP_INPUT, limitInputPixels: false }).metadata(),
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
process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, med(xs)]))) + '\n');
