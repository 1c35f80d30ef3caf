// The image pipeline used by every command (contract: "image pipeline" in the team contracts).
// Nothing here imports sharp, file-type or the BMP/ICO decoders at load time: they are loaded on first use.
export type { OutputFormat, ProcessOptions, ImageInfo, ProcessedImage, CropRegion } from './types.js';
export { ImageError } from './errors.js';
export { processImage, inspectImage, POSITIONS } from './process.js';
export { readInput } from './read-input.js';
export { parseDataUri, toDataUri } from './data-uri.js';
export { renderPreview } from './preview.js';
export {
  MAX_PIXELS, DEFAULT_MAX_INPUT_BYTES, SVG_MAX_BYTES, DEFAULT_TIMEOUT_MS, DEFAULT_SIZE, MIN_SIZE, MAX_SIZE, DEFAULT_QUALITY,
} from './limits.js';
