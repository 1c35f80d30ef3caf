// AuthentikClient: the only way this CLI talks to authentik's API.
// Every failure leaves as ApiError (src/authentik/errors.ts) or CliError; every answer is checked to
// be JSON (a reverse proxy's HTML page is a clear error); lists go through paginate(), THE loop.

import type { AxiosResponse } from 'axios';
import { CliError } from '../errors.js';
import {
  ApiError,
  headerValue,
  malformedAnswer,
  parseBody,
  toApiError,
  type RequestContext,
} from './errors.js';
import { createHttp, type ClientOptions, type Http, type RequestStats } from './http.js';
import type { Paginated, VersionResponse } from './types.js';
import { assertSupported, featuresFor, parseVersion, type Features, type VersionInfo } from './version.js';

export type { ClientOptions, RequestStats } from './http.js';
export type { Features, VersionInfo } from './version.js';

export type Query = Record<string, string | number | boolean | undefined>;

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A server that never ends its list is stopped here (100k objects at the smallest sensible page size). */
export const MAX_PAGES = 10_000;

export class AuthentikClient {
  readonly stats: RequestStats = { total: 0, reads: 0, writes: 0 };
  /** ".../api/v3/" */
  readonly baseUrl: string;
  private readonly http: Http;
  private readonly rootUrl: string;
  private versionPromise: Promise<VersionInfo> | undefined;

  constructor(opts: ClientOptions) {
    this.http = createHttp(opts, this.stats);
    this.baseUrl = this.http.baseUrl;
    this.rootUrl = this.baseUrl.replace(/api\/v3\/$/, '');
  }

  /** `path` is relative to /api/v3/, e.g. 'core/users/me/'. */
  get<T>(path: string, params?: Query): Promise<T> {
    return this.request<T>('GET', path, params, undefined);
  }

  /** Never blindly retried: only on 429 or when the connection was refused (nothing sent). */
  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, undefined, body);
  }

  /** Retried like PUT: send complete values (whole dicts/lists), so a repeat is harmless. */
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, undefined, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, undefined, body);
  }

  async delete(path: string, params?: Query): Promise<void> {
    await this.request<unknown>('DELETE', path, params, undefined);
  }

  /** multipart/form-data POST (files API). Same retry rule as post(). */
  postForm<T>(path: string, form: FormData): Promise<T> {
    return this.request<T>('POST', path, undefined, form);
  }

  /**
   * THE pagination loop. Follows `pagination.next` (a page number, 0 = none) from `params.page`
   * (default 1) to the end. Pass `page_size` in params to choose the page size (the server caps it).
   * Guards against servers that loop: a page fetched twice, or more pages than `total_pages`.
   */
  async paginate<T>(path: string, params: Query = {}): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<number>();
    let page = params['page'] !== undefined ? Number(params['page']) : 1;
    if (!Number.isInteger(page) || page < 1) page = 1;
    for (;;) {
      const query = { ...params, page };
      const ctx = this.context('GET', path, query);
      const body = await this.get<unknown>(path, query);
      const p = asPaginated<T>(body, ctx);
      seen.add(page);
      out.push(...p.results);

      const next = p.pagination.next;
      if (next === 0 || next === null || next === undefined) return out;
      if (typeof next !== 'number' || !Number.isInteger(next) || next < 1) {
        throw shapeError(ctx, `pagination.next is ${JSON.stringify(next)}, not a page number`);
      }
      const total = p.pagination.total_pages;
      if (seen.has(next)) {
        throw loopError(ctx, `page ${next} was already fetched`);
      }
      if (typeof total === 'number' && total > 0 && seen.size >= total) {
        throw loopError(ctx, `${seen.size} pages fetched but total_pages is ${total} and next is still ${next}`);
      }
      if (seen.size >= MAX_PAGES) {
        throw loopError(ctx, `more than ${MAX_PAGES} pages`);
      }
      page = next;
    }
  }

  /** GET admin/version/ once per client (cached). Refuses authentik < 2024.2 with a CliError. */
  version(): Promise<VersionInfo> {
    if (!this.versionPromise) {
      const p = (async () => {
        const ctx = this.context('GET', 'admin/version/', undefined);
        const body = await this.get<VersionResponse>('admin/version/');
        if (!isRecord(body) || typeof body['version_current'] !== 'string') {
          throw shapeError(ctx, 'no "version_current" string');
        }
        const v = parseVersion(body.version_current);
        assertSupported(v);
        return v;
      })();
      this.versionPromise = p;
      // A failure (network, refusal) is not cached: a later call asks again.
      p.catch(() => {
        if (this.versionPromise === p) this.versionPromise = undefined;
      });
    }
    return this.versionPromise;
  }

  async features(): Promise<Features> {
    return featuresFor(await this.version());
  }

  /** Closes pooled keep-alive sockets. Optional: idle sockets never keep the process alive. */
  close(): void {
    this.http.close();
  }

  private async request<T>(method: Method, path: string, params: Query | undefined, data: unknown): Promise<T> {
    const rel = checkPath(path);
    const query = cleanQuery(params);
    const ctx = this.context(method, rel, query);
    let res: AxiosResponse<unknown>;
    try {
      res = await this.http.instance.request<unknown>({
        method,
        url: rel,
        ...(query ? { params: query } : {}),
        ...(data !== undefined ? { data } : {}),
      });
    } catch (e) {
      throw toApiError(e, ctx);
    }
    const parsed = parseBody(res.data, headerValue(res.headers as Record<string, unknown>, 'content-type'));
    if (parsed.kind === 'empty') return undefined as T;
    if (parsed.kind === 'other') throw malformedAnswer(ctx, res.status, parsed.summary);
    return parsed.value as T;
  }

  private context(method: Method, path: string, params: Query | undefined): RequestContext {
    const rel = path.replace(/^\/+/, '');
    const query = cleanQuery(params);
    let url: string;
    try {
      url = this.http.instance.getUri({ url: rel, ...(query ? { params: query } : {}) });
    } catch {
      url = this.baseUrl + rel;
    }
    return { method, url, path: rel, baseUrl: this.rootUrl, timeoutMs: this.http.timeoutMs };
  }
}

function checkPath(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) {
    // Programming error, but never let a path carry the token to another host.
    throw new CliError(`refusing absolute URL "${path}" as an API path`);
  }
  return path.replace(/^\/+/, '');
}

function cleanQuery(params: Query | undefined): Query | undefined {
  if (!params) return undefined;
  const out: Query = {};
  let any = false;
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    out[k] = v;
    any = true;
  }
  return any ? out : undefined;
}

function asPaginated<T>(body: unknown, ctx: RequestContext): Paginated<T> {
  if (!isRecord(body)) throw shapeError(ctx, 'not a JSON object');
  if (!Array.isArray(body['results'])) throw shapeError(ctx, 'no "results" array');
  if (!isRecord(body['pagination'])) throw shapeError(ctx, 'no "pagination" object');
  return body as unknown as Paginated<T>;
}

function shapeError(ctx: RequestContext, what: string): ApiError {
  return new ApiError(`${ctx.method} ${ctx.url} failed: malformed answer (${what})`, {
    method: ctx.method,
    url: ctx.url,
    status: 200,
    exitCode: 1,
    detail: what,
    hint: "this authentik version may answer differently, or something other than authentik's API answered (check --url)",
  });
}

function loopError(ctx: RequestContext, what: string): ApiError {
  return new ApiError(`${ctx.method} ${ctx.url} failed: the server's pagination does not end (${what})`, {
    method: ctx.method,
    url: ctx.url,
    status: 200,
    exitCode: 1,
    detail: what,
    hint: 'a cache or proxy in front of authentik may be ignoring the ?page= query parameter',
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
