// Heavy modules are loaded on first use only, so `--help` and API-only commands never pay for them
// (import sharp ≈ 70-120 ms, file-type ≈ 20 ms). Each promise is created once and cached.
import type { SharpModule } from './types.js';

/** Loaders sharp may use in THIS process: everything else (vips, matrix, fits, pdf, svg, raw files, ...) is blocked.
 *  SVG is rasterised in a child process (see svg-render.ts), so its loader stays blocked here. */
export const IN_PROCESS_LOADERS = [
  'VipsForeignLoadJpeg',
  'VipsForeignLoadPng',
  'VipsForeignLoadWebp',
  'VipsForeignLoadNsgif',
  'VipsForeignLoadHeif', // AVIF only: HEVC-compressed HEIF is refused before decoding
  'VipsForeignLoadTiff',
];

let sharpPromise: Promise<SharpModule> | undefined;
export function loadSharp(): Promise<SharpModule> {
  sharpPromise ??= import('sharp').then((m) => {
    const sharp = m.default;
    // Process-wide allow-list of decoders: a file that slips past the sniffing still can't reach an unexpected loader.
    sharp.block({ operation: ['VipsForeignLoad'] });
    sharp.unblock({ operation: IN_PROCESS_LOADERS });
    // The operation cache only helps when the same image is processed repeatedly; a CLI wants low memory instead.
    sharp.cache(false);
    return sharp;
  });
  return sharpPromise;
}

type FileTypeFn = (typeof import('file-type'))['fileTypeFromBuffer'];
let fileTypePromise: Promise<FileTypeFn> | undefined;
export function loadFileType(): Promise<FileTypeFn> {
  fileTypePromise ??= import('file-type').then((m) => m.fileTypeFromBuffer);
  return fileTypePromise;
}

export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

type NsbmpDecode = (source: Uint8Array) => RgbaImage;
let nsbmpPromise: Promise<NsbmpDecode> | undefined;
export function loadNsbmp(): Promise<NsbmpDecode> {
  // The module instantiates its wasm at import time: another reason to load it only when a BMP shows up.
  nsbmpPromise ??= import('@cwasm/nsbmp').then((m) => {
    const mod = m as unknown as { decode?: NsbmpDecode; default?: { decode: NsbmpDecode } };
    const decode = mod.decode ?? mod.default?.decode;
    if (!decode) throw new Error('@cwasm/nsbmp has no decode()');
    return decode;
  });
  return nsbmpPromise;
}

export interface IcoBmpEntry extends RgbaImage {
  type: 'bmp';
}
export interface IcoPngEntry {
  type: 'png';
  width: number;
  height: number;
  data: Uint8Array;
}
type DecodeIco = (source: Uint8Array) => Array<IcoBmpEntry | IcoPngEntry>;
let icoPromise: Promise<DecodeIco> | undefined;
export function loadDecodeIco(): Promise<DecodeIco> {
  icoPromise ??= import('decode-ico').then((m) => {
    const mod = m as unknown as { default?: DecodeIco };
    const fn = (mod.default ?? m) as unknown;
    if (typeof fn !== 'function') throw new Error('decode-ico exports no function');
    return fn as DecodeIco;
  });
  return icoPromise;
}
