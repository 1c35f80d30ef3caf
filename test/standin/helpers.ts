// Plain-fetch helpers for the stand-in tests (independent of the CLI's HTTP client).
import type { Standin } from '../../src/standin/index.js';

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface CallOpts {
  body?: unknown;
  token?: string | null; // null = no Authorization header
  headers?: Record<string, string>;
  form?: FormData;
}

/** Calls /api/v3/<path> on the stand-in with the admin token unless told otherwise. */
export async function api<T = any>(s: Standin, method: string, path: string, opts: CallOpts = {}): Promise<Res<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const token = opts.token === undefined ? s.token : opts.token;
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  let body: string | FormData | undefined;
  if (opts.form) body = opts.form;
  else if (opts.body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  const r = await fetch(`${s.url}/api/v3/${path.replace(/^\//, '')}`, { method, headers, body, redirect: 'manual' });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* keep text */
  }
  return { status: r.status, body: parsed as T, headers: r.headers, text };
}

/** Follows pagination.next until 0, asserting the page invariants on the way. */
export async function getAll<T = any>(s: Standin, path: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let page = 1;
  let pages = 0;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await api(s, 'GET', `${path}${sep}page=${page}`);
    if (r.status !== 200) throw new Error(`GET ${path} page ${page}: ${r.status} ${r.text}`);
    pages += 1;
    items.push(...(r.body.results as T[]));
    if (r.body.pagination.next === 0) break;
    page = r.body.pagination.next;
    if (pages > 100) throw new Error('pagination does not end');
  }
  return { items, pages };
}
