// One error type for every refusal of the image pipeline. The CLI prints the one-line message and exits 1;
// option mistakes (a --crop outside the image, a size out of range) use exit 2 so scripts can tell them apart.
import { CliError, ExitCode, type ExitCodeValue } from '../errors.js';

export class ImageError extends CliError {
  constructor(message: string, opts: { hint?: string; cause?: unknown; exitCode?: ExitCodeValue } = {}) {
    const o: { hint?: string; cause?: unknown } = {};
    if (opts.hint !== undefined) o.hint = opts.hint;
    if (opts.cause !== undefined) o.cause = opts.cause;
    super(oneLine(message), opts.exitCode ?? ExitCode.ERROR, o);
    this.name = 'ImageError';
  }
}

/** A refusal because of an option value rather than the image (exit 2). */
export function usageError(message: string, hint?: string): ImageError {
  return new ImageError(message, hint !== undefined ? { exitCode: ExitCode.USAGE, hint } : { exitCode: ExitCode.USAGE });
}

export function tooLarge(actual: string, limit: number): ImageError {
  return new ImageError(`image too large (${actual} > ${formatBytes(limit)})`, {
    hint: 'avatars are small: shrink or re-export the picture first',
  });
}

export function tooManyPixels(width: number, height: number, maxPixels: number): ImageError {
  return new ImageError(`image has too many pixels (${width}×${height} > ${maxPixels / 1_000_000} MP)`);
}

export function damaged(reason: string, cause?: unknown): ImageError {
  return new ImageError(`damaged image: ${reason}`, cause !== undefined ? { cause } : {});
}

export function unsupported(type: string, hint?: string): ImageError {
  return new ImageError(`unsupported image type ${type}`, {
    hint: hint ?? 'accepted: PNG, APNG, JPEG, WebP, GIF, AVIF, TIFF, SVG, BMP, ICO',
  });
}

export function unsafeSvg(reason: string): ImageError {
  return new ImageError(`unsafe SVG: ${reason}`, {
    hint: 'the SVG refers to outside content or could exhaust resources; export it as PNG instead',
  });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${trim(n / 1024)} KiB`;
  return `${trim(n / (1024 * 1024))} MiB`;
}

function trim(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

/** Messages from libvips/librsvg can span lines and be long; the CLI contract is one short line. */
export function oneLine(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
