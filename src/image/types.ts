// Public types of the image pipeline (contract: src/image/index.ts in /tmp/ak-contracts.md).

export type SharpModule = typeof import('sharp').default;
export type Sharp = import('sharp').Sharp;

export type OutputFormat = 'png' | 'jpeg' | 'webp';

export interface CropRegion {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ProcessOptions {
  /** square edge, 16..1024, default 256 */
  size: number;
  /** auto: jpeg when opaque, png when the image has transparency */
  format: 'auto' | OutputFormat;
  /** 1..100 (jpeg/webp), default 85 */
  quality?: number;
  /** centre|center|attention|entropy|north|south|east|west|northeast|northwest|southeast|southwest */
  position?: string;
  /** region chosen by hand, in pixels of the auto-oriented image; must lie inside it */
  crop?: CropRegion;
  /** flatten colour for jpeg, default '#ffffff' */
  background?: string;
  /** default 20 MiB (SVG: at most 2 MiB) */
  maxInputBytes?: number;
  /** overall wall-clock limit, default 15000 */
  timeoutMs?: number;
}

export interface ImageInfo {
  /** detected from the content: png, apng, jpeg, webp, gif, avif, tiff, svg, bmp, ico */
  type: string;
  mime: string;
  /** after EXIF auto-orientation (the space --crop coordinates refer to); SVG: intrinsic size at 72 dpi */
  width: number;
  height: number;
  animated: boolean;
  /** the decoded image carries an alpha channel */
  hasAlpha: boolean;
  bytes: number;
}

export interface ProcessedImage {
  data: Buffer;
  format: OutputFormat;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  /** hex sha256 of data */
  sha256: string;
  source: ImageInfo;
}
