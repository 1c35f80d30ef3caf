// The dir store: the image as a file in a directory a reverse proxy serves (--store-dir), and its
// URL (--public-url + file name) in attributes.avatar. Files are written under a temporary name and
// renamed into place, so a reader never sees half a picture; deletion is limited to our own names.

import { createHash, randomBytes } from 'node:crypto';
import { constants as fsc, promises as fsp } from 'node:fs';
import path from 'node:path';
import { CliError, ExitCode } from '../errors.js';
import { FILE_NAME_RE, newFileName } from './names.js';
import type { AvatarStore, FileOwnership, StorableImage, StoredImage } from './types.js';

export interface DirStoreOptions {
  dir: string;
  publicUrl: string;
  /** Tests inject failures here; production uses node:fs. */
  unlink?: (file: string) => Promise<void>;
}

/** Checks --store-dir / --public-url and returns a ready store. */
export async function openDirStore(opts: DirStoreOptions): Promise<DirStore> {
  const publicUrl = normalizePublicUrl(opts.publicUrl);
  const dir = path.resolve(opts.dir);
  let st;
  try {
    st = await fsp.stat(dir);
  } catch {
    throw new CliError(`--store-dir ${dir} does not exist`, ExitCode.USAGE);
  }
  if (!st.isDirectory()) throw new CliError(`--store-dir ${dir} is not a directory`, ExitCode.USAGE);
  return new DirStore(dir, publicUrl, opts.unlink);
}

/**
 * Checks --public-url and returns it as given (plus a trailing "/"): values are compared as text with
 * what the Python policy writes (PUBLIC_URL + name), so no normalisation that could make them differ.
 */
export function normalizePublicUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new CliError(`--public-url ${JSON.stringify(raw)} is not a URL`, ExitCode.USAGE);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new CliError(`--public-url must be an http(s) URL`, ExitCode.USAGE);
  if (u.search || u.hash || u.username || u.password || /[?#]/.test(raw)) {
    throw new CliError('--public-url must be a plain URL prefix (no query, fragment or credentials)', ExitCode.USAGE);
  }
  if (!/^[\x21-\x7e]+$/.test(raw) || /["'\\<>`]/.test(raw)) {
    throw new CliError('--public-url contains spaces, quotes or non-ASCII characters', ExitCode.USAGE);
  }
  if (/\/\.{1,2}(?:\/|$)/.test(raw.slice(raw.indexOf('//') + 2)) || /%2e|%2f|%5c/i.test(raw)) {
    throw new CliError('--public-url contains "." or ".." segments or encoded dots/slashes', ExitCode.USAGE);
  }
  return raw.endsWith('/') ? raw : `${raw}/`;
}

export class DirStore implements AvatarStore, FileOwnership {
  readonly kind = 'dir' as const;
  constructor(
    readonly dir: string,
    readonly publicUrl: string,
    private readonly unlinkImpl: (file: string) => Promise<void> = (f) => fsp.unlink(f),
  ) {}

  ours(value: unknown): string | null {
    if (typeof value !== 'string' || !value.startsWith(this.publicUrl)) return null;
    const name = value.slice(this.publicUrl.length);
    // The exact pattern excludes "/", "..", "%2e", query strings and every other way out of the directory.
    if (!FILE_NAME_RE.test(name)) return null;
    const file = path.join(this.dir, name);
    return path.dirname(file) === this.dir ? file : null;
  }

  urlFor(file: string): string {
    return this.publicUrl + path.basename(file);
  }

  async wouldBeSame(image: StorableImage, currentValue: unknown): Promise<boolean> {
    const file = this.ours(currentValue);
    if (!file) return false;
    try {
      const data = await this.read(file, image.data.length + 1);
      return createHash('sha256').update(data).digest('hex') === image.sha256;
    } catch {
      return false;
    }
  }

  async put(image: StorableImage): Promise<StoredImage> {
    const name = newFileName(image.format);
    const file = path.join(this.dir, name);
    // same temp-name shape as the Python policy, so a leftover is recognisable as ours
    const tmp = path.join(this.dir, `.akav-tmp-${randomBytes(8).toString('hex')}`);
    try {
      const fh = await fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o644);
      try {
        await fh.writeFile(image.data);
        await fh.sync();
        await fh.chmod(0o644); // the proxy must read it whatever the umask is
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, file);
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new CliError(`cannot write the avatar file into ${this.dir}: ${reason}`, ExitCode.ERROR, { hint: 'nothing was changed' });
    }
    return { value: this.urlFor(file), file };
  }

  async discard(stored: StoredImage): Promise<string | null> {
    return stored.file ? this.remove(stored.file) : null;
  }

  async remove(file: string): Promise<string | null> {
    if (path.dirname(file) !== this.dir || !FILE_NAME_RE.test(path.basename(file))) return 'not one of our files';
    try {
      const st = await fsp.lstat(file);
      if (!st.isFile()) return 'not a regular file (left alone)';
      await this.unlinkImpl(file);
      return null;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null; // already gone: nothing left behind
      return code ?? (e as Error).message;
    }
  }

  async read(file: string, maxBytes: number): Promise<Buffer> {
    let fh;
    try {
      fh = await fsp.open(file, fsc.O_RDONLY | fsc.O_NOFOLLOW);
    } catch (e) {
      throw new CliError(`cannot read the avatar file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new CliError(`${file} is not a regular file`);
      if (st.size > maxBytes) throw new CliError(`${file} is larger than ${maxBytes} bytes`);
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }
}
