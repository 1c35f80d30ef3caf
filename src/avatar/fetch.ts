// Fetching an avatar that lives at a URL (for `crop` and `show`). The URL comes from a user record,
// so it is untrusted: only http(s), no credentials of ours (the authentik token is never sent; this
// uses a bare fetch, not the authentik client), a byte cap checked on the header AND while reading,
// and one wall-clock limit for connect + redirects + body.

import { CliError, ExitCode } from '../errors.js';

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  /** Injected in tests; defaults to the global fetch. */
  fetchImpl?: typeof fetch;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = { maxBytes: 10 * 1024 * 1024, timeoutMs: 15_000 };

export async function fetchAvatar(url: string, limits: FetchLimits = DEFAULT_FETCH_LIMITS): Promise<Buffer> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`the avatar URL is not valid: ${clip(url)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CliError(`refusing to fetch a ${u.protocol} avatar URL`);
  if (u.username || u.password) throw new CliError('refusing to fetch an avatar URL that carries credentials');
  const shown = `${u.origin}${u.pathname}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
  try {
    const res = await (limits.fetchImpl ?? fetch)(u, {
      redirect: 'follow',
      signal: controller.signal,
      headers: { accept: 'image/*' },
      credentials: 'omit',
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new CliError(`fetching the avatar ${shown} failed: ${res.status} ${res.statusText}`.trim(), res.status === 404 ? ExitCode.NOT_FOUND : ExitCode.ERROR);
    }
    // A redirect may only lead to another http(s) URL (fetch enforces it); report where we ended.
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw tooLarge(shown, limits.maxBytes);
    }
    if (!res.body) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    let size = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limits.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(shown, limits.maxBytes);
      }
      chunks.push(Buffer.from(value));
    }
    return Buffer.concat(chunks);
  } catch (e) {
    if (e instanceof CliError) throw e;
    if (controller.signal.aborted) throw new CliError(`fetching the avatar ${shown} took longer than ${limits.timeoutMs} ms`);
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new CliError(`fetching the avatar ${shown} failed: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(url: string, max: number): CliError {
  return new CliError(`the avatar at ${url} is larger than ${Math.round(max / 1024)} KiB`);
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
