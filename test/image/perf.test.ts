// Speed: a 4000×3000 JPEG to a 256 px avatar must stay well under 100 ms of processing on a 2-core machine (JPEG
// shrink-on-load); a 24 MP PNG stays within a few seconds. Timings are logged for the report.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { processImage } from '../../src/image/index.js';
import { hugePng, photoJpeg } from './corpus.js';
import { expectCleanSquare, median } from './helpers.js';

let photo: Buffer;
let huge: Buffer;
beforeAll(async () => {
  [photo, huge] = await Promise.all([photoJpeg(), hugePng()]);
});

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

describe('performance', () => {
  test('4000×3000 JPEG (EXIF orientation 6) -> 256 px: median well under 100 ms', async () => {
    const run = () => processImage(photo, { size: 256, format: 'auto' });
    await run(); // first call loads sharp and file-type
    await run();
    const ms: number[] = [];
    for (let i = 0; i < 9; i++) ms.push(await time(run));
    const webp512: number[] = [];
    for (let i = 0; i < 5; i++) webp512.push(await time(() => processImage(photo, { size: 512, format: 'webp' })));
    console.log(
      `4000x3000 JPEG (${(photo.length / 1e6).toFixed(2)} MB) -> 256 jpeg: median ${median(ms).toFixed(1)} ms, min ${Math.min(...ms).toFixed(1)} ms; ` +
        `-> 512 webp: median ${median(webp512).toFixed(1)} ms`,
    );
    const out = await run();
    await expectCleanSquare(out, 256, 'jpeg');
    expect([out.source.width, out.source.height]).toEqual([3000, 4000]);
    expect(median(ms)).toBeLessThan(100);
  });

  test('6000×4000 PNG (legal, 24 MP) -> 256 px within 3 s', async () => {
    const ms = await time(() => processImage(huge, { size: 256, format: 'png' }));
    console.log(`6000x4000 PNG (${(huge.length / 1e6).toFixed(2)} MB) -> 256 png: ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(3000);
  });
});
