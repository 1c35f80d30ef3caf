// Shared pieces of the resource routes: the route type, the CRUD routes of a model (DRF's
// ModelViewSet), filtering like django-filter / DRF SearchFilter, and body helpers.
import type { ApiRequest, ApiResponse } from '../http.js';
import { badRequest, noContent, notFound, ok } from '../http.js';
import { canonicalUuid } from '../ids.js';
import { paginate, type PageConfig } from '../pagination.js';
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

// ---------------------------------------------------------------------------------------------
// A model's CRUD endpoints, routed the way DRF's ModelViewSet routes them. What differs between
// models (filters, validation, uniqueness, cascades, rendering) stays in each route file.

export interface Resource<T> {
  /** The collection's template, e.g. '/stages/prompt/prompts/'; the detail routes append `{lookup}/`. */
  path: string;
  /** The detail routes' path parameter, spelled as in the OpenAPI schema, e.g. 'prompt_uuid'. */
  lookup: string;
  /** The model's permissions with `%s` for view/add/change/delete: 'authentik_stages_prompt.%s_prompt'. */
  perm: string;
  /** The records a list request selects (filters, search, ordering), before pagination. */
  list(q: URLSearchParams, ctx: HandlerCtx): T[];
  /** The record a detail path names, else the 404 (DRF's get_object()). */
  find(ctx: HandlerCtx, id: string): T;
  render(ctx: HandlerCtx, rec: T): unknown;
  /** How list items render when the query changes it (default: like render). */
  renderListed?(ctx: HandlerCtx, q: URLSearchParams): (rec: T) => unknown;
  /** Validates the body and creates a record (target null, POST) or updates one (PATCH: partial, PUT). */
  write(ctx: HandlerCtx, req: ApiRequest, target: T | null, partial: boolean): T | Promise<T>;
  /** Deletes a record with what goes with it (FK cascades, M2M rows). */
  remove(ctx: HandlerCtx, rec: T): void;
}

/** list and create on the collection; retrieve, update (PATCH/PUT) and destroy on the detail path. */
export function crudRoutes<T>(r: Resource<T>): Route[] {
  const detail = `${r.path}{${r.lookup}}/`;
  const access = (verb: 'view' | 'add' | 'change' | 'delete') => perms(r.perm.replace('%s', verb));
  const one = (req: ApiRequest, ctx: HandlerCtx) => r.find(ctx, req.params[r.lookup] ?? '');
  const update =
    (partial: boolean) =>
    async (req: ApiRequest, ctx: HandlerCtx): Promise<ApiResponse> =>
      ok(r.render(ctx, await r.write(ctx, req, one(req, ctx), partial)));
  return [
    {
      method: 'GET',
      template: r.path,
      access: access('view'),
      handler: (req, ctx) => ok(paginate(r.list(req.query, ctx), req.query, ctx.page, r.renderListed?.(ctx, req.query) ?? ((x) => r.render(ctx, x)))),
    },
    {
      method: 'POST',
      template: r.path,
      access: access('add'),
      handler: async (req, ctx) => ok(r.render(ctx, await r.write(ctx, req, null, false)), 201),
    },
    { method: 'GET', template: detail, access: access('view'), handler: (req, ctx) => ok(r.render(ctx, one(req, ctx))) },
    { method: 'PATCH', template: detail, access: access('change'), handler: update(true) },
    { method: 'PUT', template: detail, access: access('change'), handler: update(false) },
    {
      method: 'DELETE',
      template: detail,
      access: access('delete'),
      handler: (req, ctx) => {
        r.remove(ctx, one(req, ctx));
        return noContent();
      },
    },
  ];
}

/** The record whose uuid pk the path names (any spelling a UUIDField accepts), else DRF's 404 naming the model. */
export function findByPk<T extends { pk: string }>(items: readonly T[], id: string, model: string): T {
  const pk = canonicalUuid(id);
  const found = pk ? items.find((x) => x.pk === pk) : undefined;
  if (!found) throw notFound(model);
  return found;
}

/**
 * Another record than `self` that already holds `value` in a unique field (the write then fails with
 * a 400). No value (a field the body leaves out, or null: SQL's UNIQUE allows many NULLs) never clashes.
 */
export function holderOf<T>(items: readonly T[], field: (rec: T) => unknown, value: unknown, self: T | null): T | undefined {
  return value === undefined || value === null ? undefined : items.find((x) => x !== self && field(x) === value);
}

/** Writes validated data into the target (update) or into a fresh record appended to the collection (create). */
export function save<T extends object>(items: T[], target: T | null, fresh: () => T, data: Record<string, unknown>): T {
  const rec = target ?? fresh();
  Object.assign(rec, data);
  if (!target) items.push(rec);
  return rec;
}

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

/** A UUID filter's value in canonical form (null: not filtered); a malformed value is django-filter's 400. */
export function uuidFilter(query: URLSearchParams, name: string): string | null {
  const raw = query.get(name);
  if (!raw) return null;
  const canon = canonicalUuid(raw);
  if (!canon) throw badRequest({ [name]: ['Enter a valid UUID.'] });
  return canon;
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
