// A terminal preview for `show`: each character cell shows two pixels, the upper half block ▀ in the foreground
// colour (top pixel) over the background colour (bottom pixel), as 24-bit ANSI colours. Transparent pixels show
// the terminal's own background.
import { Deadline } from './deadline.js';
import { openImage, type Target, type View } from './decode.js';
import { usageError } from './errors.js';
import { DEFAULT_MAX_INPUT_BYTES, DEFAULT_TIMEOUT_MS } from './limits.js';
import { toRgba } from './process.js';

const MAX_COLS = 400;
const ESC = '\x1b[';
const RESET = `${ESC}0m`;

/** Returns the preview as lines joined by '\n' (no trailing newline); every line ends with a colour reset. */
export async function renderPreview(input: Buffer, cols: number): Promise<string> {
  if (!Number.isInteger(cols) || cols < 1 || cols > MAX_COLS) throw usageError(`preview width must be 1 to ${MAX_COLS} columns, got ${cols}`);
  const deadline = new Deadline(DEFAULT_TIMEOUT_MS);
  let target: Target = { w: cols, h: 2, fit: 'fill', position: 'centre' };
  const { info, view } = await openImage(input, deadline, DEFAULT_MAX_INPUT_BYTES, (i) => {
    // Half blocks make each pixel square on a usual 1:2 character cell; an extreme aspect ratio is capped.
    let h = Math.min(4 * cols, Math.max(2, Math.round((cols * i.height) / i.width)));
    h += h % 2;
    target = { ...target, h };
    return target;
  });
  const rgba = await toRgba(view as View, deadline, info.mime, target);
  return halfBlocks(rgba, cols, target.h);
}

export function halfBlocks(rgba: Buffer, width: number, height: number): string {
  const lines: string[] = [];
  for (let y = 0; y < height; y += 2) {
    let line = '';
    let state = '';
    for (let x = 0; x < width; x++) {
      const top = pixel(rgba, width, x, y);
      const bottom = y + 1 < height ? pixel(rgba, width, x, y + 1) : null;
      let codes: string;
      let ch: string;
      if (top && bottom) {
        codes = `${ESC}38;2;${top}m${ESC}48;2;${bottom}m`;
        ch = '▀';
      } else if (top) {
        codes = `${ESC}49m${ESC}38;2;${top}m`;
        ch = '▀';
      } else if (bottom) {
        codes = `${ESC}49m${ESC}38;2;${bottom}m`;
        ch = '▄';
      } else {
        codes = RESET;
        ch = ' ';
      }
      if (codes !== state) line += codes; // repeat colours are not re-sent: keeps a 64-column preview small
      state = codes;
      line += ch;
    }
    lines.push(line + RESET);
  }
  return lines.join('\n');
}

/** "r;g;b" of an opaque-enough pixel, or null when it is mostly transparent. */
function pixel(rgba: Buffer, width: number, x: number, y: number): string | null {
  const i = (y * width + x) * 4;
  if ((rgba[i + 3] as number) < 128) return null;
  return `${rgba[i]};${rgba[i + 1]};${rgba[i + 2]}`;
}
