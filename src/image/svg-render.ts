// SVG is rasterised in a short-lived child process that is SIGKILLed when the deadline passes.
//
// Why a process: sharp's .timeout() does not interrupt librsvg (a <use> bomb ran 4 s under timeout({seconds: 1})),
// and a worker thread can't help either: the render runs on a libuv thread in native code, which
// worker.terminate() does not stop. Killing a process always stops the CPU and frees the memory. The cost is one
// node start-up plus loading sharp (~60-100 ms) per SVG, which only SVG pays; raster formats stay in-process, where
// the header checks (pixel and channel limits before decoding) bound their cost and sharp's own timeout applies.
//
// The child only turns SVG bytes into RGBA pixels at a scale chosen by the parent; cropping, resizing and encoding
// happen in the parent like for every other format. The child blocks every libvips loader except SVG.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { damaged, ImageError, oneLine } from './errors.js';
import type { Deadline } from './deadline.js';
import { cleanVipsMessage } from './vips-message.js';

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

/** Runs in the child (CommonJS via `node -e`). argv[1] is the absolute path of sharp's entry point. */
const CHILD_SOURCE = String.raw`
'use strict';
const sharp = require(process.argv[1]);
sharp.block({ operation: ['VipsForeignLoad'] });
sharp.unblock({ operation: ['VipsForeignLoadSvg'] });
sharp.cache(false);
sharp.concurrency(1);
let svg = null;
const reply = (m) => process.send(m);
process.on('disconnect', () => process.exit(0));
process.on('message', async (m) => {
  try {
    if (m.op === 'meta') {
      svg = Buffer.from(m.svg.buffer, m.svg.byteOffset, m.svg.byteLength);
      // Header only: the pixel limit is applied to the render below, at the density the parent picks.
      const meta = await sharp(svg, { failOn: 'warning', limitInputPixels: false }).metadata();
      reply({ ok: true, format: meta.format, width: meta.width, height: meta.height });
    } else if (m.op === 'render') {
      const out = await sharp(svg, { failOn: 'warning', limitInputPixels: m.maxPixels, density: m.density })
        .ensureAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      reply({ ok: true, width: out.info.width, height: out.info.height, channels: out.info.channels, data: out.data });
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

type Reply = { ok: true; [k: string]: unknown } | { ok: false; error: string };

/**
 * Reads the SVG's intrinsic size, then (if `plan` returns a render request) rasterises it.
 * `plan` may throw (e.g. a crop outside the image) and the child is killed.
 */
export async function runSvg(
  svg: Buffer,
  deadline: Deadline,
  plan: (meta: SvgMeta) => { density: number; maxPixels: number } | null,
): Promise<{ meta: SvgMeta; raw?: RawRgba }> {
  deadline.check();
  const child = spawn(process.execPath, ['-e', CHILD_SOURCE, sharpPath()], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
    env: childEnv(),
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });

  const replies: Reply[] = [];
  let wake: (() => void) | undefined;
  let ended: Error | undefined;
  child.on('message', (m) => {
    replies.push(m as Reply);
    wake?.();
  });
  const finish = (err: Error) => {
    ended ??= err;
    wake?.();
  };
  child.on('error', (e) => finish(damaged(`cannot start the SVG renderer: ${e.message}`, e)));
  child.on('exit', (code, signal) => {
    const why = signal ? `signal ${signal}` : `exit code ${code}`;
    finish(damaged(`SVG renderer stopped (${why})${stderr ? `: ${oneLine(stderr, 120)}` : ''}`));
  });
  const stopTimer = deadline.onExpire(() => {
    child.kill('SIGKILL');
    finish(deadline.error());
  });

  const next = async (): Promise<Reply & { ok: true }> => {
    while (replies.length === 0) {
      if (ended) throw ended;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    const r = replies.shift() as Reply;
    if (!r.ok) throw svgError(r.error);
    return r;
  };

  try {
    child.send({ op: 'meta', svg });
    const m = await next();
    if (m['format'] !== 'svg') throw damaged(`SVG decoder reported ${String(m['format'])}`);
    const meta: SvgMeta = { width: Number(m['width']), height: Number(m['height']) };
    if (!(meta.width > 0 && meta.height > 0)) throw damaged('SVG without a usable width/height or viewBox');
    const request = plan(meta);
    if (!request) return { meta };
    child.send({ op: 'render', ...request });
    const r = await next();
    const data = r['data'] as Uint8Array;
    const raw: RawRgba = {
      width: Number(r['width']),
      height: Number(r['height']),
      channels: 4,
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    };
    if (r['channels'] !== 4 || raw.data.length !== raw.width * raw.height * 4) throw damaged('SVG renderer returned bad pixels');
    return { meta, raw };
  } finally {
    stopTimer();
    child.removeAllListeners('message');
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function svgError(message: string): ImageError {
  if (/pixel limit/i.test(message)) return damaged('SVG renders to too many pixels');
  return damaged(cleanVipsMessage(message));
}
