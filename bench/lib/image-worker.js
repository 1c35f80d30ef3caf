#!/usr/bin/env node
// Child process that runs one image variant, so each variant has its own heap, its own libvips state and
// its own peak RSS.
//   node image-worker.js serve <variant>                      IPC: {id, input, size, format} -> {id, ms, ...}
//   node image-worker.js once <variant> <input> <size> <format> [out]   one image, prints one JSON line
//   node image-worker.js once-warm ...                        the same after one tiny image went through first,
//                                                             so lazily imported modules (sharp, file-type) are loaded
// Variants:
//   pipeline  processImage() from dist/image (the project's pipeline: sniffing, limits, guard, crop, encode)
//   sharp     the bare sharp call doing the same work: auto-orient, cover crop to N×N, sRGB, encode with the
//             pipeline's encoder settings. What the pipeline adds on top of it is the overhead under test.
import { readFileSync, writeFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { chunk, ihdr, PNG_SIG } from './png.js';
import { SHARP_ENCODE, SHARP_INPUT } from './image-worker-config.js';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const DIST_IMAGE = join(here, '..', '..', 'dist', 'image', 'index.js');


/** A valid 16×16 opaque grey PNG, built without sharp so the warm-up is the pipeline's own first call. */
function tinyPng() {
  const rows = Buffer.alloc(16 * 17, 0x80);
  for (let y = 0; y < 16; y++) rows[y * 17] = 0; // filter byte "none"
  return Buffer.concat([PNG_SIG, ihdr(16, 16), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

async function makeRunner(variant) {
  if (variant === 'pipeline') {
    const { processImage } = await import(DIST_IMAGE);
    return async (buf, size, format) => {
      const r = await processImage(buf, { size, format });
      return { data: r.data, width: r.width, height: r.height, format: r.format };
    };
  }
  if (variant === 'sharp') {
    const sharp = (await import('sharp')).default;
    // The CLI processes one image per process, so a cache hit would never happen there; the pipeline turns
    // the cache off too.
    sharp.cache(false);
    return async (buf, size, format) => {
      const { data, info } = await sharp(buf, SHARP_INPUT)
        .autoOrient()
        .resize(size, size, { fit: 'cover', position: 'centre' })
        .toColourspace('srgb')
        .toFormat(format, SHARP_ENCODE[format])
        .toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, format: info.format };
    };
  }
  throw new Error(`unknown variant ${variant}`);
}

const [mode, variant, ...rest] = process.argv.slice(2);

if (mode === 'once' || mode === 'once-warm') {
  const [input, size, format, out] = rest;
  const t0 = process.hrtime.bigint();
  const run = await makeRunner(variant);
  if (mode === 'once-warm') {
    await run(tinyPng(), 16, 'png');
  }
  const buf = readFileSync(input);
  const t1 = process.hrtime.bigint();
  let result;
  try {
    const r = await run(buf, Number(size), format);
    if (out) writeFileSync(out, r.data);
    result = { ok: true, bytes: r.data.length, width: r.width, height: r.height, format: r.format };
  } catch (e) {
    result = { ok: false, error: String(e?.message ?? e).split('\n')[0], exitCode: e?.exitCode };
  }
  const t2 = process.hrtime.bigint();
  const ms = Number(t2 - t1) / 1e6;
  const loadMs = Number(t1 - t0) / 1e6;
  process.stdout.write(JSON.stringify({ ...result, ms, loadMs, selfMaxRssKb: process.resourceUsage().maxRSS }) + '\n');
} else if (mode === 'serve') {
  const run = await makeRunner(variant);
  const cache = new Map();
  process.on('message', async (msg) => {
    if (msg.type === 'exit') process.exit(0);
    const { id, input, size, format } = msg;
    try {
      if (!cache.has(input)) cache.set(input, readFileSync(input));
      const buf = cache.get(input);
      const t0 = process.hrtime.bigint();
      const r = await run(buf, size, format);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      process.send({ id, ok: true, ms, bytes: r.data.length, width: r.width, height: r.height, format: r.format });
    } catch (e) {
      process.send({ id, ok: false, error: String(e?.message ?? e).split('\n')[0] });
    }
  });
  process.send({ type: 'ready' });
} else {
  process.stderr.write('usage: image-worker.js serve|once <pipeline|sharp> ...\n');
  process.exit(2);
}
