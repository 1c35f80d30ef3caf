// Profiles file: <XDG config dir>/ak-avatars/config.json, mode 0600 (it holds API tokens), written
// atomically (temp file in the same directory + rename) so a crash never leaves half a file.
// No commander/process here: the directory and env are passed in.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import envPaths from 'env-paths';
import { CliError, ExitCode } from '../errors.js';

export interface Profile {
  url: string;
  /** The API token itself (the file is 0600). */
  token?: string;
  /** Alternatively a path to a file holding the token, read at each run (for tokens managed elsewhere). */
  tokenFile?: string;
  caFile?: string;
  insecure?: boolean;
}

export interface ConfigFile {
  current?: string;
  profiles: Record<string, Profile>;
}

export const CONFIG_FILE_NAME = 'config.json';
const APP = 'ak-avatars';

/**
 * The config directory: explicit override (tests) > XDG_CONFIG_HOME from the injected env >
 * env-paths' platform default (~/.config/ak-avatars on Linux). env-paths' default suffix is
 * "-nodejs": pass suffix ''.
 */
export function configDirFor(env: Record<string, string | undefined>, override?: string): string {
  if (override) return override;
  if (process.platform !== 'win32' && process.platform !== 'darwin' && env.XDG_CONFIG_HOME) {
    return join(env.XDG_CONFIG_HOME, APP);
  }
  return envPaths(APP, { suffix: '' }).config;
}

export function configPath(dir: string): string {
  return join(dir, CONFIG_FILE_NAME);
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function validateProfileName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new CliError(`invalid profile name '${name}'`, ExitCode.USAGE, {
      hint: 'use letters, digits, ".", "_" and "-" (at most 64 characters, starting with a letter or digit)',
    });
  }
}

/** Shows enough of a token to tell tokens apart, never enough to use it: `ak_…abcd`. */
export function maskToken(token: string | undefined): string {
  if (!token) return '';
  if (token.length < 16) return '****';
  return `${token.slice(0, 3)}…${token.slice(-4)}`;
}

export interface LoadedConfig {
  config: ConfigFile;
  path: string;
  /** Set when the file is readable by group/others: the caller warns. */
  looseMode?: number;
}

/** Reads the config; a missing file is an empty config. A broken file is an error naming the path. */
export async function loadConfig(dir: string): Promise<LoadedConfig> {
  const path = configPath(dir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { config: { profiles: {} }, path };
    throw new CliError(`cannot read ${path}: ${(e as Error).message}`, ExitCode.ERROR);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not valid JSON`, ExitCode.ERROR, {
      hint: 'fix or delete the file, then re-create the profiles with `ak-avatars config set`',
    });
  }
  const config = normalise(parsed, path);
  const result: LoadedConfig = { config, path };
  if (process.platform !== 'win32') {
    const mode = (await stat(path)).mode & 0o777;
    if (mode & 0o077) result.looseMode = mode;
  }
  return result;
}

function normalise(raw: unknown, path: string): ConfigFile {
  const bad = () =>
    new CliError(`${path} has an unexpected layout`, ExitCode.ERROR, {
      hint: 'expected {"current": "...", "profiles": {"name": {"url": "..."}}}',
    });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad();
  const r = raw as { current?: unknown; profiles?: unknown };
  const out: ConfigFile = { profiles: {} };
  if (typeof r.current === 'string') out.current = r.current;
  if (r.profiles !== undefined) {
    if (typeof r.profiles !== 'object' || r.profiles === null || Array.isArray(r.profiles)) throw bad();
    for (const [name, p] of Object.entries(r.profiles as Record<string, unknown>)) {
      if (typeof p !== 'object' || p === null) throw bad();
      const q = p as Record<string, unknown>;
      if (typeof q.url !== 'string') throw bad();
      const prof: Profile = { url: q.url };
      if (typeof q.token === 'string') prof.token = q.token;
      if (typeof q.tokenFile === 'string') prof.tokenFile = q.tokenFile;
      if (typeof q.caFile === 'string') prof.caFile = q.caFile;
      if (q.insecure === true) prof.insecure = true;
      out.profiles[name] = prof;
    }
  }
  return out;
}

/**
 * Writes the config atomically: the directory is created 0700, the data goes to a random temp file
 * created 0600 in the same directory (same filesystem, so rename is atomic), fsync'd, then renamed
 * over config.json. Readers see the old file or the new one, never a mix.
 */
export async function saveConfig(dir: string, config: ConfigFile): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = configPath(dir);
  const tmp = join(dir, `.${CONFIG_FILE_NAME}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const body = JSON.stringify(config, null, 2) + '\n';
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(body, 'utf8');
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  try {
    // the umask may have narrowed the mode further, never widened it; make it exact anyway
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new CliError(`cannot write ${path}: ${(e as Error).message}`, ExitCode.ERROR);
  }
  return path;
}
