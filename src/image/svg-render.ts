// SVG is rasterised in a renderer child process that is SIGKILLed when the deadline passes.
//
// Why a process: sharp's .timeout() does not interrupt librsvg (a <use> bomb ran 4 s under timeout({seconds: 1})),
// and nothing else in-process can either. Measured (node 20, sharp 0.35.5, a filter-heavy SVG that renders for
// ~16 s): in the main thread, the pending render keeps node alive until it ends (process exit at 18.2 s although
// nothing awaited it after 1 s); in a worker_thread, worker.terminate() itself took 16.1 s, because the render runs
// on a libuv pool thread that terminate() has to wait for. Killing a process always stops the CPU and frees the
// memory at once, and this module never lets the renderer keep the CLI alive.
//
// The fixed cost of a process is paid once per process, not once per SVG:
// - a renderer that finished cleanly stays for the next SVG of the same process for IDLE_MS, unref'd (it never keeps
//   node alive, and exits on its own when the parent goes: IPC 'disconnect'). Reused, an SVG costs one IPC round
//   trip (~0.2 ms plus the output's bytes) on top of the work itself, instead of a node start-up plus loading sharp
//   (measured on 2 idle cores: 24 ms for `node -e ""`, 65 ms with sharp loaded; 80-120 ms under load);
// - a renderer is never reused after a deadline, a crash or an unanswered request: it is killed.
// The child does the whole job in one round trip where it can: the first request carries the SVG and, when the
// caller's target doesn't depend on the image's size (processImage, inspectImage), a speculative render request;
// the child reads the size, computes the density with the same formula as the parent (decode.ts svgDensity), renders
// straight to the final size (crop, cover/fill resize, sRGB) and applies the encoder plan from encode.ts. The parent
// checks the size, the crop and its own density, and only if they differ asks again. So only the encoded output
// (or, for previews, the final RGBA pixels) crosses the pipe, and the parent never needs sharp for an SVG.
// Measured with bench/lib/image-worker.js (warm, one process, svg-256 → 256/512 png/webp): a fresh child per SVG
// cost 3.8-11× the bare sharp call; reusing it and doing the whole job in the child, 1.03-1.3× on quiet cores. What
// remains at 256 px (bare call 8-10 ms) is ~1.5-2 ms: the guard (~0.5 ms), sniffing (~0.1 ms), reading the size
// before the render scale can be chosen (a second librsvg parse, ~0.6-0.8 ms) and the IPC hop (~0.3 ms; under load
// more, as each hop between processes waits for the scheduler). A one-shot process (the CLI) pays the child's
// start-up once; since the parent no longer loads sharp for an SVG, that is about one extra node start-up over a
// process running the bare call.
// Alternatives measured and rejected: rendering in-process "when small" (a 30-element filter SVG renders for
// seconds: test/image hostile slow-filters); a trimmed fresh child (node alone is 24 ms, sharp.node alone 7 ms, but
// only through sharp's internal API; still ~3× a 256 px bare call, per SVG); starting the child before the SVG guard
// (a refused SVG would then cost a process, to save a fraction of a millisecond).
// The child blocks every libvips loader except SVG.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { invalidBackground, type EncodePlan } from './encode.js';
import { damaged, ImageError, oneLine } from './errors.js';
import type { Deadline } from './deadline.js';
import type { CropRegion, OutputFormat } from './types.js';
import { cleanVipsMessage } from './vips-message.js';

/** How long a renderer waits, idle, for the next SVG of the same process. */
export const IDLE_MS = 2_000;

export interface SvgMeta {
  width: number;
  height: number;
}
export interface RawRgba {
  width: number;
  height: number;
  channels: 4;
  data: Buffer;
}
/** The output of the render: w×h, from `crop` (intrinsic units) or the whole drawing. */
export interface SvgWant {
  w: number;
  h: number;
  fit: 'cover' | 'fill';
  position: string;
  crop?: CropRegion;
}
/** Encode in the child instead of returning pixels: `fused` straight from the render, else by transparency. */
export interface SvgEncode {
  background: string;
  fused?: EncodePlan;
  transparent?: EncodePlan;
  opaque?: EncodePlan;
}
/** What to render: at `density` (dpi; 72 = intrinsic size), limited to maxPixels, then `want`, then `encode`. */
export interface SvgRenderRequest extends SvgWant {
  density: number;
  maxPixels: number;
  encode?: SvgEncode;
}
export interface SvgJob {
  /** Called with the intrinsic size: the render request, or null for the size only. May throw (e.g. a bad crop). */
  plan: (meta: SvgMeta) => SvgRenderRequest | null;
  /** When the request doesn't depend on the size: the child computes the density itself and renders at once. */
  speculate?: { want: SvgWant; maxPixels: number; maxRenderPixels: number; maxRenderEdge: number; encode?: SvgEncode };
}
export interface SvgResult {
  meta: SvgMeta;
  raw?: RawRgba;
  encoded?: { data: Buffer; format: OutputFormat };
}

/** Counters for tests and the benchmark's notes. */
export const svgRendererStats = { spawned: 0, reused: 0, requests: 0, speculativeHits: 0 };

/**
 * Runs in the child (CommonJS via `node -e`). argv[1] is the absolute path of sharp's entry point.
 * `density` repeats decode.ts svgDensity: the parent compares the result with its own, so a difference would cost a
 * second request, never a wrong image (test/image checks that they agree).
 */
const CHILD_SOURCE = String.raw`
'use strict';
const sharp = require(process.argv[1]);
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({ operation: ['VipsForeignLoadSvg'] });
sharp.cache(false);
sharp.concurrency(1);
let svg = null;
let meta = null;
process.on('disconnect', () => process.exit(0));

function density(width, height, want, maxRenderPixels, maxRenderEdge) {
  const rw = want.crop ? want.crop.w : width;
  const rh = want.crop ? want.crop.h : height;
  let scale = Math.max(want.w / rw, want.h / rh);
  scale = Math.min(scale, Math.sqrt(maxRenderPixels / (width * height)), maxRenderEdge / Math.max(width, height));
  const d = Math.min(100000, Math.max(1, 72 * scale));
  return { d, w: Math.round((width * d) / 72), h: Math.round((height * d) / 72) };
}

function apply(img, p) {
  if (p.flatten !== undefined) img = img.flatten({ background: p.flatten });
  if (p.removeAlpha) img = img.removeAlpha();
  return img.toFormat(p.format, p.options);
}

async function render(r) {
  if (r.encode) {
    try { sharp().flatten({ background: r.encode.background }); } catch (e) { return { badBackground: true }; }
  }
  const input = { failOn: 'warning', limitInputPixels: r.maxPixels, density: r.density };
  // pipelineColourspace keeps sharp from re-rendering the SVG at the output's scale (its shrink-on-load for SVG),
  // which would ignore the density chosen above and with it the render limits. librsvg renders sRGB: same pixels.
  let img = sharp(svg, input).pipelineColourspace('srgb');
  if (r.crop) {
    // The crop is in intrinsic units; librsvg's size at this density decides the pixels.
    const d = await sharp(svg, input).metadata();
    const sx = d.width / meta.width, sy = d.height / meta.height, c = r.crop;
    const left = Math.min(d.width - 1, Math.floor(c.x * sx));
    const top = Math.min(d.height - 1, Math.floor(c.y * sy));
    const right = Math.max(left + 1, Math.min(d.width, Math.ceil((c.x + c.w) * sx)));
    const bottom = Math.max(top + 1, Math.min(d.height, Math.ceil((c.y + c.h) * sy)));
    img = img.extract({ left, top, width: right - left, height: bottom - top });
  }
  img = img.resize(r.w, r.h, { fit: r.fit, position: r.position }).toColourspace('srgb');
  const e = r.encode;
  if (e && e.fused) return { format: e.fused.format, data: await apply(img, e.fused).toBuffer() };
  const out = await img.ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const raw = { width: out.info.width, height: out.info.height, channels: out.info.channels, data: out.data };
  if (!e) return raw;
  let transparent = false;
  for (let i = 3; i < raw.data.length; i += 4) if (raw.data[i] < 255) { transparent = true; break; }
  const p = transparent ? e.transparent : e.opaque;
  return { format: p.format, data: await apply(sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 4 } }), p).toBuffer() };
}

async function speculate(s) {
  const c = s.want.crop;
  if (c && (c.x + c.w > meta.width || c.y + c.h > meta.height)) return undefined;
  const d = density(meta.width, meta.height, s.want, s.maxRenderPixels, s.maxRenderEdge);
  if (d.w * d.h > s.maxPixels) return undefined;
  const r = Object.assign({}, s.want, { density: d.d, maxPixels: s.maxPixels, encode: s.encode });
  try {
    return { density: d.d, result: await render(r) };
  } catch (e) {
    return { density: d.d, error: String(e && e.message || e) };
  }
}

process.on('message', async (m) => {
  const reply = (r) => process.send(Object.assign({ id: m.id }, r));
  try {
    if (m.op === 'open') {
      svg = Buffer.from(m.svg.buffer, m.svg.byteOffset, m.svg.byteLength);
      // Header only: the pixel limit is applied to the render, at the density the parent (or speculate) picks.
      meta = await sharp(svg, { failOn: 'warning', limitInputPixels: false }).metadata();
      const head = { ok: true, format: meta.format, width: meta.width, height: meta.height };
      const ready = meta.format === 'svg' && meta.width > 0 && meta.height > 0;
      reply(Object.assign(head, m.speculate && ready ? await speculate(m.speculate) : {}));
    } else if (m.op === 'render') {
      reply({ ok: true, result: await render(m) });
    }
  } catch (e) {
    reply({ ok: false, error: String(e && e.message || e) });
  }
});
`;

let sharpEntry: string | undefined;
function sharpPath(): string {
  sharpEntry ??= createRequire(import.meta.url).resolve('sharp');
  return sharpEntry;
}

/** Only what libvips/fontconfig may need; never the parent's tokens or NODE_OPTIONS. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'XDG_CACHE_HOME', 'FONTCONFIG_FILE', 'FONTCONFIG_PATH']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}

type Reply = { id: number; ok: true; [k: string]: unknown } | { id: number; ok: false; error: string };

/** One renderer child and what it has said so far. */
interface Renderer {
  child: ChildProcess;
  replies: Reply[];
  wake?: () => void;
  /** Set once the renderer is unusable (exited, failed to start, killed at a deadline): the reason. */
  ended?: Error;
  stderr: string;
  seq: number;
}

let idle: { r: Renderer; timer: NodeJS.Timeout } | undefined;

function spawnRenderer(): Renderer {
  svgRendererStats.spawned++;
  const child = spawn(process.execPath, ['-e', CHILD_SOURCE, sharpPath()], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
    env: childEnv(),
  });
  const r: Renderer = { child, replies: [], stderr: '', seq: 0 };
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (r.stderr.length < 4096) r.stderr += chunk;
  });
  child.on('message', (m) => {
    r.replies.push(m as Reply);
    r.wake?.();
  });
  child.on('error', (e) => end(r, damaged(`cannot start the SVG renderer: ${e.message}`, e)));
  child.on('exit', (code, signal) => {
    const why = signal ? `signal ${signal}` : `exit code ${code}`;
    end(r, damaged(`SVG renderer stopped (${why})${r.stderr ? `: ${oneLine(r.stderr, 120)}` : ''}`));
  });
  return r;
}

function end(r: Renderer, err: Error): void {
  r.ended ??= err;
  if (idle?.r === r) {
    clearTimeout(idle.timer);
    idle = undefined;
  }
  r.wake?.();
}

function kill(r: Renderer): void {
  if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
}

/** While a request is outstanding the renderer keeps node alive (the caller awaits it); idle, it must not. */
function hold(r: Renderer, on: boolean): void {
  const stderr = r.child.stderr as Socket | null;
  if (on) {
    r.child.ref();
    r.child.channel?.ref();
    stderr?.ref();
  } else {
    r.child.unref();
    r.child.channel?.unref();
    stderr?.unref();
  }
}

function acquire(): { r: Renderer; reused: boolean } {
  const it = idle;
  idle = undefined;
  if (it) {
    clearTimeout(it.timer);
    if (!it.r.ended && it.r.child.connected) {
      svgRendererStats.reused++;
      it.r.replies.length = 0;
      it.r.stderr = '';
      hold(it.r, true);
      return { r: it.r, reused: true };
    }
    kill(it.r);
  }
  return { r: spawnRenderer(), reused: false };
}

/** Keeps a clean renderer for the next SVG (at most one, for IDLE_MS); kills any other. */
function release(r: Renderer, clean: boolean): void {
  if (!clean || r.ended || !r.child.connected || idle) {
    kill(r);
    return;
  }
  hold(r, false);
  const timer = setTimeout(() => {
    if (idle?.r === r) idle = undefined;
    kill(r);
  }, IDLE_MS);
  timer.unref();
  idle = { r, timer };
}

/** Pid of the renderer waiting for the next SVG, if any (tests). */
export function idleSvgRendererPid(): number | undefined {
  return idle?.r.child.pid;
}

/** Kills the idle renderer now instead of after IDLE_MS (tests, long-lived callers that are done with SVG). */
export function stopIdleSvgRenderer(): void {
  const it = idle;
  idle = undefined;
  if (it) {
    clearTimeout(it.timer);
    kill(it.r);
  }
}

/** A renderer failure that is not the SVG's fault and may be retried once on a fresh renderer. */
class RendererGone extends Error {}

/**
 * Reads the SVG's intrinsic size, then (if `job.plan` returns a render request) renders it, to pixels or encoded.
 */
export async function runSvg(svg: Buffer, deadline: Deadline, job: SvgJob): Promise<SvgResult> {
  deadline.check();
  const { r, reused } = acquire();
  try {
    return await converse(r, svg, deadline, job);
  } catch (e) {
    // A reused renderer that died before answering its first request (killed from outside while idle, say) is not
    // the SVG's fault: once more, on a fresh one.
    if (!(e instanceof RendererGone)) throw e;
    if (!reused) throw e.cause;
    try {
      return await converse(spawnRenderer(), svg, deadline, job);
    } catch (e2) {
      throw e2 instanceof RendererGone ? e2.cause : e2;
    }
  }
}

async function converse(r: Renderer, svg: Buffer, deadline: Deadline, job: SvgJob): Promise<SvgResult> {
  let outstanding = false;
  let answered = 0;
  const stopTimer = deadline.onExpire(() => {
    kill(r);
    end(r, deadline.error());
  });
  const request = async (msg: Record<string, unknown>): Promise<Reply & { ok: true }> => {
    const id = ++r.seq;
    svgRendererStats.requests++;
    outstanding = true;
    if (!r.ended) r.child.send({ ...msg, id });
    for (;;) {
      const reply = r.replies.shift();
      if (reply) {
        if (reply.id !== id) continue; // cannot happen with one request at a time; never trust it anyway
        outstanding = false;
        answered++;
        if (!reply.ok) throw svgError(reply.error);
        return reply;
      }
      if (r.ended) {
        const timedOut = r.ended instanceof ImageError && deadline.remaining() <= 0;
        if (answered === 0 && !timedOut) throw new RendererGone('SVG renderer gone', { cause: r.ended });
        throw r.ended;
      }
      await new Promise<void>((resolve) => (r.wake = resolve));
      r.wake = undefined;
    }
  };

  try {
    const head = await request({ op: 'open', svg, ...(job.speculate ? { speculate: job.speculate } : {}) });
    if (head['format'] !== 'svg') throw damaged(`SVG decoder reported ${String(head['format'])}`);
    const meta: SvgMeta = { width: Number(head['width']), height: Number(head['height']) };
    if (!(meta.width > 0 && meta.height > 0)) throw damaged('SVG without a usable width/height or viewBox');
    const req = job.plan(meta);
    if (!req) return { meta };
    let result: unknown;
    if (job.speculate && head['density'] === req.density && sameRequest(req, job.speculate)) {
      svgRendererStats.speculativeHits++;
      if (typeof head['error'] === 'string') throw svgError(head['error']);
      result = head['result'];
    } else {
      result = (await request({ op: 'render', ...req }))['result'];
    }
    return { meta, ...readResult(result, req) };
  } finally {
    stopTimer();
    // Reusable only when nothing is pending: a refusal the child reported, or a plan that threw, leave it clean.
    release(r, !outstanding);
  }
}

function sameRequest(req: SvgRenderRequest, s: NonNullable<SvgJob['speculate']>): boolean {
  const a = req.crop;
  const b = s.want.crop;
  const sameCrop = a === b || (!!a && !!b && a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h);
  return req.w === s.want.w && req.h === s.want.h && req.fit === s.want.fit && req.position === s.want.position &&
    sameCrop && req.maxPixels === s.maxPixels && req.encode === s.encode;
}

function readResult(result: unknown, req: SvgRenderRequest): Omit<SvgResult, 'meta'> {
  const r = (result ?? {}) as { badBackground?: boolean; format?: OutputFormat; data?: Uint8Array; width?: number; height?: number; channels?: number };
  if (r.badBackground && req.encode) throw invalidBackground(req.encode.background);
  if (!(r.data instanceof Uint8Array)) throw damaged('SVG renderer returned nothing');
  const data = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
  if (req.encode) {
    const wanted = [req.encode.fused, req.encode.transparent, req.encode.opaque].map((p) => p?.format);
    if (!r.format || !wanted.includes(r.format)) throw damaged('SVG renderer returned an unexpected format');
    return { encoded: { data, format: r.format } };
  }
  if (r.channels !== 4 || r.width !== req.w || r.height !== req.h || data.length !== req.w * req.h * 4) throw damaged('SVG renderer returned bad pixels');
  return { raw: { width: req.w, height: req.h, channels: 4, data } };
}

function svgError(message: string): ImageError {
  if (/pixel limit/i.test(message)) return damaged('SVG renders to too many pixels');
  return damaged(cleanVipsMessage(message));
}
