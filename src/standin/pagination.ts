// authentik's Pagination (authentik/api/pagination.py) on top of DRF's PageNumberPagination and
// Django's Paginator:
// - page size: ?page_size= when present and a positive int, capped at the tenant's max page size;
//   an invalid page_size falls back to DRF's PAGE_SIZE (100) and is capped too; no page_size ->
//   the tenant's default page size.
// - ?page= must be an int in 1..num_pages (or "last"), else 404 {"detail": "Invalid page."}.
// - next/previous are page numbers, 0 = none; an empty list is one page with start_index 0.
import { HttpError, MSG } from './http.js';

export interface PageConfig {
  defaultPageSize: number;
  maxPageSize: number;
}

const DRF_PAGE_SIZE = 100; // authentik's REST_FRAMEWORK["PAGE_SIZE"]

export function pageSizeFor(query: URLSearchParams, cfg: PageConfig): number {
  const raw = query.get('page_size');
  if (raw === null) return cfg.defaultPageSize;
  // DRF _positive_int(strict=True): int(), > 0; on error PageNumberPagination returns self.page_size
  const n = /^\s*[+-]?\d+\s*$/.test(raw) ? Number.parseInt(raw, 10) : Number.NaN;
  const size = Number.isFinite(n) && n > 0 ? n : DRF_PAGE_SIZE;
  return Math.min(size, cfg.maxPageSize);
}

export interface Paginated<T> {
  pagination: {
    next: number;
    previous: number;
    count: number;
    current: number;
    total_pages: number;
    start_index: number;
    end_index: number;
  };
  results: T[];
  autocomplete: Record<string, unknown>;
}

export function paginate<T, R>(items: T[], query: URLSearchParams, cfg: PageConfig, render: (item: T) => R): Paginated<R> {
  const perPage = Math.max(1, pageSizeFor(query, cfg));
  const count = items.length;
  const totalPages = count === 0 ? 1 : Math.ceil(count / perPage); // allow_empty_first_page
  const rawPage = query.get('page') ?? '1';
  let page: number;
  if (rawPage === 'last') page = totalPages;
  else {
    // Django's validate_number: int(), rejects floats with a fraction; then 1..num_pages
    const n = Number(rawPage);
    if (rawPage.trim() === '' || !Number.isInteger(n)) throw new HttpError(404, { detail: MSG.invalidPage });
    page = n;
  }
  if (page < 1 || page > totalPages) throw new HttpError(404, { detail: MSG.invalidPage });
  const start = (page - 1) * perPage;
  const slice = items.slice(start, start + perPage);
  return {
    pagination: {
      next: page < totalPages ? page + 1 : 0,
      previous: page > 1 ? page - 1 : 0,
      count,
      current: page,
      total_pages: totalPages,
      start_index: count === 0 ? 0 : start + 1,
      end_index: page === totalPages ? count : page * perPage,
    },
    results: slice.map(render),
    // authentik >= 2025.x adds the QL autocomplete schema; {} for views without QL fields
    autocomplete: {},
  };
}
