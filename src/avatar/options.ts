// Turning the per-user commands' store options into stores. Pure: the caller passes the env.

import { CliError, ExitCode } from '../errors.js';
import { InlineStore } from '../storage/inline.js';
import { openDirStore, type DirStore } from '../storage/dir.js';
import type { AvatarStore, StoreKind } from '../storage/types.js';

export interface StoreFlags {
  store?: string | undefined;
  storeDir?: string | undefined;
  publicUrl?: string | undefined;
}

export interface Stores {
  /** The store asked for with --store (undefined: the command picks, e.g. crop keeps the current kind). */
  requested?: StoreKind;
  inline: InlineStore;
  /** Set when both --store-dir and --public-url are known: it also recognises (and deletes) our old files. */
  dir?: DirStore;
}

/** env fallbacks so scripts can set the dir store once. */
export const STORE_DIR_ENV = 'AK_AVATARS_STORE_DIR';
export const PUBLIC_URL_ENV = 'AK_AVATARS_PUBLIC_URL';

export async function openStores(flags: StoreFlags, env: Record<string, string | undefined>): Promise<Stores> {
  const storeDir = flags.storeDir ?? (env[STORE_DIR_ENV] || undefined);
  const publicUrl = flags.publicUrl ?? (env[PUBLIC_URL_ENV] || undefined);
  if (flags.store !== undefined && flags.store !== 'inline' && flags.store !== 'dir') {
    throw new CliError(`--store must be inline or dir (got ${JSON.stringify(flags.store)})`, ExitCode.USAGE);
  }
  if ((storeDir === undefined) !== (publicUrl === undefined)) {
    throw new CliError('--store-dir and --public-url go together', ExitCode.USAGE, {
      hint: `give both (or set ${STORE_DIR_ENV} and ${PUBLIC_URL_ENV})`,
    });
  }
  if (flags.store === 'dir' && storeDir === undefined) {
    throw new CliError('--store dir needs --store-dir and --public-url', ExitCode.USAGE, {
      hint: '--store-dir is the directory your reverse proxy serves, --public-url the URL it serves it under',
    });
  }
  const stores: Stores = { inline: new InlineStore() };
  if (flags.store !== undefined) stores.requested = flags.store;
  if (storeDir !== undefined && publicUrl !== undefined) stores.dir = await openDirStore({ dir: storeDir, publicUrl });
  return stores;
}

export function pickStore(stores: Stores, kind: StoreKind): AvatarStore {
  if (kind === 'inline') return stores.inline;
  if (!stores.dir) throw new CliError('the dir store needs --store-dir and --public-url', ExitCode.USAGE);
  return stores.dir;
}

/** --crop x,y,w,h: integers, w and h positive. Whether it fits the image is the pipeline's check. */
export function parseCropFlag(raw: string): { x: number; y: number; w: number; h: number } {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length !== 4 || !parts.every((p) => /^\d+$/.test(p))) {
    throw new CliError(`--crop wants x,y,w,h in pixels (got ${JSON.stringify(raw)})`, ExitCode.USAGE, { hint: 'e.g. --crop 120,40,600,600' });
  }
  const [x, y, w, h] = parts.map(Number) as [number, number, number, number];
  if (w <= 0 || h <= 0) throw new CliError('--crop width and height must be positive', ExitCode.USAGE);
  return { x, y, w, h };
}

export const MIN_SIZE = 16;
export const MAX_SIZE = 1024;
export const DEFAULT_SIZE = 256;

export function checkSize(size: number): number {
  if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
    throw new CliError(`--size must be between ${MIN_SIZE} and ${MAX_SIZE} (got ${size})`, ExitCode.USAGE);
  }
  return size;
}

export function checkQuality(q: number): number {
  if (!Number.isInteger(q) || q < 1 || q > 100) throw new CliError(`--quality must be between 1 and 100 (got ${q})`, ExitCode.USAGE);
  return q;
}

export const FORMATS = ['auto', 'png', 'jpeg', 'webp'] as const;
export type FormatFlag = (typeof FORMATS)[number];

export function checkFormat(f: string): FormatFlag {
  const v = f === 'jpg' ? 'jpeg' : f;
  if (!(FORMATS as readonly string[]).includes(v)) throw new CliError(`--format must be one of ${FORMATS.join(', ')} (got ${JSON.stringify(f)})`, ExitCode.USAGE);
  return v as FormatFlag;
}

export const SELECTORS = ['username', 'email', 'uuid', 'id'] as const;
export type SelectorFlag = (typeof SELECTORS)[number];

export function checkSelector(by: string | undefined): SelectorFlag | undefined {
  if (by === undefined) return undefined;
  if (!(SELECTORS as readonly string[]).includes(by)) throw new CliError(`--by must be one of ${SELECTORS.join(', ')} (got ${JSON.stringify(by)})`, ExitCode.USAGE);
  return by as SelectorFlag;
}
