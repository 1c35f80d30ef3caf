// The SVG renderer child (svg-render.ts): one round trip per SVG where the target is known up front, reuse of a
// clean renderer, never reuse after a deadline or a crash, never keeping node alive, never outliving its idle time.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import sharp from 'sharp';
import { ImageError, inspectImage, processImage, renderPreview } from '../../src/image/index.js';
import { svgDensity } from '../../src/image/decode.js';
import { IDLE_MS, idleSvgRendererPid, stopIdleSvgRenderer, svgRendererStats } from '../../src/image/svg-render.js';
import { GOOD_SVGS, QUADRANTS, svgQuadrants } from './corpus.js';
import { expectCleanSquare, near, sampleAt } from './helpers.js';

const NS = 'xmlns="http://www.w3.org/2000/svg"';
const quad = Buffer.from(svgQuadrants);

/** A filter-heavy SVG that passes the guard but renders for many seconds. */
const slowSvg = Buffer.from(`<svg ${NS} width="1024" height="1024"><filter id="f" x="0" y="0" width="1" height="1">` +
  `<feTurbulence baseFrequency="0.05" numOctaves="8"/><feGaussianBlur stdDeviation="40"/></filter>` +
  `${'<rect width="1024" height="1024" filter="url(#f)" opacity="0.5"/>'.repeat(30)}</svg>`);

/** Live (not zombie) child processes of this process, ps itself excepted. */
function children(): number[] {
  return execFileSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\d+\s+Z/.test(l) && !/\sps$/.test(l))
    .map((l) => Number(l.split(/\s+/)[0]));
}

function alive(pid: number): boolean {
  return children().includes(pid);
}

const stats = () => ({ ...svgRendererStats });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(() => stopIdleSvgRenderer());
afterAll(() => stopIdleSvgRenderer());

describe('one round trip', () => {
  const shapes: Array<[string, string, { size: number; crop?: { x: number; y: number; w: number; h: number } }]> = [
    ['square', `<svg ${NS} width="256" height="256"><circle cx="128" cy="128" r="100" fill="#f00"/></svg>`, { size: 256 }],
    ['landscape, cover', svgQuadrants, { size: 96 }],
    ['viewBox only, tiny icon to 1024', `<svg ${NS} viewBox="0 0 24 24"><rect width="24" height="12" fill="#0f0"/></svg>`, { size: 1024 }],
    ['crop of a big drawing', `<svg ${NS} width="4000" height="3000"><rect width="4000" height="3000" fill="#00f"/></svg>`, { size: 512, crop: { x: 100, y: 200, w: 50, h: 40 } }],
    ['extreme aspect ratio (render capped)', `<svg ${NS} width="2000" height="10"><rect width="2000" height="10" fill="#ff0"/></svg>`, { size: 1024 }],
    ['fractional units', `<svg ${NS} width="33.3mm" height="7.1in"><rect width="100%" height="100%" fill="#0ff"/></svg>`, { size: 200 }],
  ];

  test.each(shapes)('%s: processImage and inspectImage each need one request, the child agreeing on the density', async (_name, svg, o) => {
    const bytes = Buffer.from(svg);
    for (const format of ['auto', 'png', 'jpeg', 'webp'] as const) {
      const before = stats();
      const out = await processImage(bytes, { size: o.size, format, ...(o.crop ? { crop: o.crop } : {}) });
      await expectCleanSquare(out, o.size, out.format);
      expect(stats().requests - before.requests).toBe(1);
      expect(stats().speculativeHits - before.speculativeHits).toBe(1);
    }
    const before = stats();
    await inspectImage(bytes);
    expect([stats().requests - before.requests, stats().speculativeHits - before.speculativeHits]).toEqual([1, 1]);
  });

  test('the child encodes with the same choices: auto is png only for real transparency', async () => {
    expect((await processImage(quad, { size: 64, format: 'auto' })).format).toBe('jpeg');
    const circle = Buffer.from(GOOD_SVGS['transparent-circle.svg'] as string);
    const auto = await processImage(circle, { size: 64, format: 'auto' });
    expect(auto.format).toBe('png');
    expect((await sharp(auto.data).metadata()).hasAlpha).toBe(true);
    expect((await sharp((await processImage(quad, { size: 64, format: 'png' })).data).metadata()).channels).toBe(3);
    const jpeg = await processImage(circle, { size: 64, format: 'jpeg', background: '#ff00ff', quality: 95 });
    expect(near(await sampleAt(jpeg.data, 0.02, 0.02), [255, 0, 255], 12)).toBe(true);
  });

  test('a preview (target known only from the size) takes a second request', async () => {
    const before = stats();
    await renderPreview(quad, 12);
    expect([stats().requests - before.requests, stats().speculativeHits - before.speculativeHits]).toEqual([2, 0]);
  });

  test('svgDensity in the parent is what the child computes (spot check against the formula)', () => {
    expect(svgDensity(256, 256, { w: 512, h: 512 })).toBe(144);
    expect(svgDensity(120, 80, { w: 96, h: 96 })).toBeCloseTo(86.4, 10);
    expect(svgDensity(4000, 3000, { w: 512, h: 512, crop: { x: 0, y: 0, w: 50, h: 40 } })).toBeCloseTo(72 * Math.sqrt(16_000_000 / 12_000_000), 10);
  });
});

describe('renderer reuse', () => {
  test('consecutive SVGs share one renderer, and the output is right each time', async () => {
    const before = stats();
    const first = await processImage(quad, { size: 64, format: 'png' });
    const pid = idleSvgRendererPid();
    expect(pid).toBeDefined();
    for (let i = 0; i < 3; i++) {
      const out = await processImage(quad, { size: 64, format: 'png', crop: { x: 60, y: 40, w: 60, h: 40 } });
      expect(near(await sampleAt(out.data, 0.5, 0.5), QUADRANTS.bottomRight, 5)).toBe(true);
      expect(idleSvgRendererPid()).toBe(pid);
    }
    expect(near(await sampleAt(first.data, 0.1, 0.1), QUADRANTS.topLeft, 5)).toBe(true);
    expect(stats().spawned - before.spawned).toBe(1);
    expect(stats().reused - before.reused).toBe(3);
  });

  test('an idle renderer does not keep node alive', async () => {
    const handles = () => process.getActiveResourcesInfo().filter((h) => h === 'ProcessWrap' || h === 'PipeWrap').length;
    const baseline = handles();
    await processImage(quad, { size: 32, format: 'png' });
    expect(idleSvgRendererPid()).toBeDefined();
    expect(handles()).toBe(baseline);
  });

  test(`an idle renderer exits by itself after ${IDLE_MS} ms`, async () => {
    await processImage(quad, { size: 32, format: 'png' });
    const pid = idleSvgRendererPid() as number;
    expect(alive(pid)).toBe(true);
    await sleep(IDLE_MS + 400);
    expect(idleSvgRendererPid()).toBeUndefined();
    expect(alive(pid)).toBe(false);
  });

  test('a refusal the child reports (broken XML, crop outside) keeps the renderer', async () => {
    await processImage(quad, { size: 32, format: 'png' });
    const pid = idleSvgRendererPid();
    const broken = await processImage(Buffer.from(`<svg ${NS} width="10" height="10"><rect width="5"></svg>`), { size: 32, format: 'png' }).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(ImageError);
    expect((broken as Error).message).toMatch(/^damaged image: /);
    const outside = await processImage(quad, { size: 32, format: 'png', crop: { x: 100, y: 0, w: 40, h: 10 } }).catch((e: unknown) => e);
    expect((outside as ImageError).exitCode).toBe(2);
    expect(idleSvgRendererPid()).toBe(pid);
  });

  test('a renderer killed from outside while idle: the next SVG still succeeds, on a fresh one', async () => {
    await processImage(quad, { size: 32, format: 'png' });
    const pid = idleSvgRendererPid() as number;
    process.kill(pid, 'SIGKILL'); // before node has noticed: the next SVG still finds it "idle"
    const before = stats();
    const out = await processImage(quad, { size: 48, format: 'png' });
    await expectCleanSquare(out, 48, 'png');
    expect(stats().spawned - before.spawned).toBe(1);
    expect(idleSvgRendererPid()).not.toBe(pid);
  });

  test('a renderer killed at the deadline is never reused, and is gone', async () => {
    await processImage(quad, { size: 32, format: 'png' });
    const pid = idleSvgRendererPid() as number;
    const t0 = performance.now();
    const e = await processImage(slowSvg, { size: 1024, format: 'png', timeoutMs: 700 }).catch((x: unknown) => x);
    expect((e as Error).message).toBe('image processing took too long (> 700 ms)');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(idleSvgRendererPid()).toBeUndefined();
    await sleep(100);
    expect(alive(pid)).toBe(false);
    expect(children()).toEqual([]);
  });

  test('SVGs in parallel each get a renderer; at most one stays', async () => {
    const outs = await Promise.all([32, 48, 64, 80].map((size) => processImage(quad, { size, format: 'webp' })));
    for (const [i, out] of outs.entries()) await expectCleanSquare(out, [32, 48, 64, 80][i] as number, 'webp');
    await sleep(100);
    const pid = idleSvgRendererPid();
    expect(pid).toBeDefined();
    expect(children()).toEqual([pid]);
    stopIdleSvgRenderer();
    await sleep(100);
    expect(children()).toEqual([]);
  });
});
