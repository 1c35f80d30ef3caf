// Shared pieces of the resource routes: the route type, filtering like django-filter /
// DRF SearchFilter, and body helpers.
import type { ApiRequest, ApiResponse } from '../http.js';
import { badRequest } from '../http.js';
import type { PageConfig } from '../pagination.js';
import type { PolicyRunner } from '../python.js';
import type { RenderCtx } from '../render.js';
import type { StandinState, StandinVersion } from '../types.js';

export interface HandlerCtx {
  state: StandinState;
  version: StandinVersion;
  fullVersion: string;
  render: RenderCtx;
  page: PageConfig;
  python: PolicyRunner;
}

/** 'public' = no auth needed (a bad token still fails); 'authenticated' = any valid token. */
export type Access = 'public' | 'authenticated' | { perms: string[] };

export interface Route {
  method: string;
  template: string; // same spelling as the OpenAPI path, e.g. '/core/users/{id}/'
  access: Access;
  /** body parser the endpoint accepts (DRF parser_classes) */
  accepts?: 'json' | 'multipart';
  handler(req: ApiRequest, ctx: HandlerCtx): Promise<ApiResponse> | ApiResponse;
}

export const perms = (...p: string[]): Access => ({ perms: p });

/**
 * Exact filters (django-filter's default `exact` lookup). An empty value means "no filter",
 * like django-filter. `get` returns the comparable string of a record's field.
 */
export function filterExact<T>(items: T[], query: URLSearchParams, fields: Record<string, (item: T) => string | null>): T[] {
  let out = items;
  for (const [param, get] of Object.entries(fields)) {
    const value = query.get(param);
    if (value === null || value === '') continue;
    out = out.filter((item) => get(item) === value);
  }
  return out;
}

/**
 * DRF SearchFilter: the term is split on whitespace/commas; every term must match at least one
 * search field (case-insensitive contains).
 */
export function search<T>(items: T[], query: URLSearchParams, fields: ((item: T) => string)[]): T[] {
  const raw = query.get('search');
  if (!raw) return items;
  const terms = raw
    .replace(/\x00/g, '')
    .split(/[\s,]+/)
    .map((t) => t.toLowerCase())
    .filter(Boolean);
  return items.filter((item) => terms.every((t) => fields.some((f) => f(item).toLowerCase().includes(t))));
}

/** Default ordering plus ?ordering=field / -field for the given sortable fields. */
export function order<T>(items: T[], query: URLSearchParams, sortable: Record<string, (item: T) => string | number>, defaultKey: string): T[] {
  let key = query.get('ordering') ?? defaultKey;
  let desc = false;
  if (key.startsWith('-')) {
    desc = true;
    key = key.slice(1);
  }
  const get = sortable[key] ?? sortable[defaultKey];
  if (!get) return [...items];
  const sorted = [...items].sort((a, b) => {
    const x = get(a);
    const y = get(b);
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    const xs = String(x);
    const ys = String(y);
    return xs < ys ? -1 : xs > ys ? 1 : 0;
  });
  return desc ? sorted.reverse() : sorted;
}

export function bodyObject(req: ApiRequest): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== 'object' || Array.isArray(b)) {
    // DRF: "Invalid data. Expected a dictionary, but got {datatype}."
    throw badRequest({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${Array.isArray(b) ? 'list' : typeof b === 'string' ? 'str' : typeof b}.`] });
  }
  return b as Record<string, unknown>;
}

/** Picks the writable fields present in the body (unknown fields are ignored, like DRF). */
export function pick<K extends string>(body: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, unknown>> {
  const out: Partial<Record<K, unknown>> = {};
  for (const k of keys) if (k in body) out[k] = body[k];
  return out;
}

export function nowIso(): string {
  // Django's DRF DateTimeField renders microseconds and a Z suffix
  return new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export const boolParam = (query: URLSearchParams, name: string, dflt: boolean): boolean => {
  const v = query.get(name);
  if (v === null || v === '') return dflt;
  return !['false', '0', 'no', 'off'].includes(v.toLowerCase());
};
