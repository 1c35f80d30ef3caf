// What the avatar orchestration needs from a store. A store turns a processed image into the
// string that goes into attributes.avatar, and can take that back if the user was never pointed at it.

export type StoreKind = 'inline' | 'dir';

/** The parts of a processed image a store needs (a subset of ProcessedImage from src/image). */
export interface StorableImage {
  data: Buffer;
  format: 'png' | 'jpeg' | 'webp';
  mime: string;
  sha256: string;
}

export interface StoredImage {
  /** The attribute value: a data URI (inline) or a URL (dir). */
  value: string;
  /** dir store: the absolute path of the file written. */
  file?: string;
}

export interface AvatarStore {
  readonly kind: StoreKind;
  /** The value this image would get WITHOUT storing anything (for "unchanged" checks and dry runs). */
  wouldBeSame(image: StorableImage, currentValue: unknown): Promise<boolean>;
  /** Makes the image reachable (dir: writes the file) and returns the attribute value. */
  put(image: StorableImage): Promise<StoredImage>;
  /** Undoes put() for an image no user points at. Returns null on success, else the reason it failed. */
  discard(stored: StoredImage): Promise<string | null>;
}

/** Recognises files we wrote, so we only ever delete our own. */
export interface FileOwnership {
  /** The absolute path of our file behind an attribute value, or null when the value is not ours. */
  ours(value: unknown): string | null;
  /** Deletes one of our files; null on success (or already gone), else the reason. */
  remove(file: string): Promise<string | null>;
  /** Reads one of our files with a size cap. */
  read(file: string, maxBytes: number): Promise<Buffer>;
}
