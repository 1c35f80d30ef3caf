// Every number that bounds work done on untrusted input, in one place.

export const MAX_PIXELS = 50_000_000;            // decoded pixels of the (first) frame
export const MAX_CHANNELS = 4;                   // RGBA / CMYK; a 5-channel CMYK+alpha file is refused
export const DEFAULT_MAX_INPUT_BYTES = 20 * 1024 * 1024;
export const SVG_MAX_BYTES = 2 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_SIZE = 256;
export const MIN_SIZE = 16;
export const MAX_SIZE = 1024;
export const DEFAULT_QUALITY = 85;
export const DEFAULT_BACKGROUND = '#ffffff';

/** SVG is rasterised at the scale the crop needs, but never larger than this many pixels (render cost and IPC size). */
export const SVG_MAX_RENDER_PIXELS = 16_000_000;
/** ... and no edge longer than this (librsvg refuses above 32767 px; a very wide drawing is rendered smaller). */
export const SVG_MAX_RENDER_EDGE = 32_000;
/** Elements an SVG may contain, and elements it may render once every <use> is expanded. */
export const SVG_MAX_ELEMENTS = 50_000;
export const SVG_MAX_RENDERED_ELEMENTS = 20_000;

/** BMP/ICO are decoded by wasm/JS into RGBA in memory: keep them small. ICO entries are at most 256 px by spec. */
export const ICO_MAX_ENTRIES = 64;
export const ICO_MAX_EDGE = 1024;
