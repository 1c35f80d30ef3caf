// The node:http server: request log -> faults -> routing -> version gate -> auth -> permission ->
// body parsing -> schema check of the request -> handler -> schema check of the response.
// Every answer leaves through deliver(), which is where a drop-response fault swallows it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate, authorize } from './auth.js';
import { defaultFaultBody, FaultSet } from './faults.js';
import { HttpError, readBody, ServerCrash, type ApiRequest, type ApiResponse } from './http.js';
import { boundaryOf, parseMultipart } from './multipart.js';
import { errorPage, type Page } from './pages.js';
import type { PageConfig } from './pagination.js';
import type { PolicyRunner } from './python.js';
import { isSuperuser, type RenderCtx } from './render.js';
import { matchRoute } from './router.js';
import type { HandlerCtx } from './routes/common.js';
import { serveFile } from './routes/files.js';
import type { SchemaChecker } from './schema.js';
import type { RequestRecord, StandinState, StandinVersion } from './types.js';
import { atLeast, pathExists } from './versions.js';

export interface ServerDeps {
  state: StandinState;
  version: StandinVersion;
  fullVersion: string;
  faults: FaultSet;
  requests: RequestRecord[];
  violations: string[];
  schema: SchemaChecker | null;
  python: PolicyRunner;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Responses whose answer a drop-response fault swallows, with the request's log record. */
const DROPPED = new WeakMap<ServerResponse, RequestRecord>();

/** The single exit: writes the answer, or resets the connection when a drop-response fault is armed. */
function deliver(res: ServerResponse, status: number, headers: Record<string, string>, payload: string | Buffer): void {
  if (res.headersSent || res.destroyed) return;
  const record = DROPPED.get(res);
  if (record) {
    // the request was applied; only the answer is lost (the log keeps what would have been sent)
    record.dropped = status;
    res.socket?.resetAndDestroy();
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(payload)) });
  res.end(payload);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  deliver(
    res,
    status,
    {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      // authentik sets these on API responses; harmless and realistic
      Vary: 'Accept, Cookie',
      'X-Powered-By': 'authentik',
      ...headers,
    },
    payload,
  );
}

function sendPage(res: ServerResponse, page: Page): void {
  deliver(res, page.status, { 'Content-Type': page.contentType, Vary: 'Cookie' }, page.body);
}

function pageConfig(state: StandinState): PageConfig {
  const n = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? Math.max(1, v) : d);
  return {
    defaultPageSize: n(state.settings['pagination_default_page_size'], 20),
    maxPageSize: n(state.settings['pagination_max_page_size'], 100),
  };
}

async function parseBody(req: IncomingMessage, accepts: 'json' | 'multipart'): Promise<Pick<ApiRequest, 'body' | 'files'>> {
  const raw = await readBody(req);
  const ctype = String(req.headers['content-type'] ?? '');
  const media = ctype.split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0 && accepts === 'json') return { body: undefined, files: {} };
  if (accepts === 'multipart') {
    const boundary = boundaryOf(ctype);
    if (media !== 'multipart/form-data') {
      throw new HttpError(415, { detail: `Unsupported media type "${ctype}" in request.` });
    }
    const parsed = boundary ? parseMultipart(raw, boundary) : null;
    if (!parsed) throw new HttpError(400, { detail: 'Multipart form parse error - Invalid boundary in multipart: None' });
    return { body: parsed.fields, files: parsed.files };
  }
  // authentik's DEFAULT_PARSER_CLASSES is JSON only
  if (media !== 'application/json' && !media.endsWith('+json')) {
    throw new HttpError(415, { detail: `Unsupported media type "${ctype}" in request.` });
  }
  try {
    return { body: JSON.parse(raw.toString('utf8')) as unknown, files: {} };
  } catch (e) {
    throw new HttpError(400, { detail: `JSON parse error - ${(e as Error).message}` });
  }
}

export function createStandinServer(deps: ServerDeps): Server {
  const { state, faults, requests, violations } = deps;
  const renderCtx: RenderCtx = { state, version: deps.version };

  /** Whether an API path (after /api/v3) is a URL this version's authentik routes, for any method. */
  function resolves(apiPath: string): boolean {
    const m = matchRoute('GET', apiPath);
    const template = m.kind === 'route' ? m.route.template : m.kind === 'method-not-allowed' ? m.template : null;
    return template !== null && (deps.schema ? deps.schema.hasPath(template) : pathExists(deps.version, template));
  }

  async function handle(req: IncomingMessage, res: ServerResponse, record: RequestRecord, baseUrl: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', baseUrl);
    const pathname = url.pathname;

    const { latencyMs, fault } = faults.take(method, pathname);
    if (latencyMs > 0) await sleep(latencyMs);
    if (fault?.kind === 'drop-response') DROPPED.set(res, record);
    if (fault?.kind === 'reset') {
      req.resume();
      res.socket?.resetAndDestroy();
      return;
    }
    if (fault?.kind === 'status') {
      req.resume();
      const status = fault.status ?? 500;
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {};
      send(res, status, fault.body !== undefined ? fault.body : defaultFaultBody(status, fault.retryAfter), headers);
      return;
    }

    // token-protected media URLs handed out by the files API (2025.12+)
    if (pathname.startsWith('/files/') && atLeast(deps.version, '2025.12') && (method === 'GET' || method === 'HEAD')) {
      req.resume();
      const f = serveFile(state.files, pathname, url.searchParams.get('token'));
      // node leaves the body out of HEAD answers itself
      deliver(res, f.status, { 'Content-Type': f.type }, f.body);
      return;
    }

    if (!pathname.startsWith('/api/v3/')) {
      req.resume();
      sendPage(res, errorPage(state));
      return;
    }
    const apiPath = pathname.slice('/api/v3'.length).replace(/\/{2,}/g, '/');
    if (!apiPath.endsWith('/')) {
      req.resume();
      // Django's CommonMiddleware (APPEND_SLASH) redirects only when the path with a slash
      // resolves; otherwise the 404 page stands. Clients should not rely on the redirect.
      if (resolves(`${apiPath}/`)) send(res, 301, undefined, { Location: `${pathname}/${url.search}` });
      else sendPage(res, errorPage(state));
      return;
    }

    const match = matchRoute(method, apiPath);
    if (!resolves(apiPath) || match.kind === 'not-found') {
      // no URL pattern matched: Django's handler404 (an HTML page) answers every method, before
      // authentication (authentik/core/views/error.py NotFoundView)
      req.resume();
      sendPage(res, errorPage(state));
      return;
    }

    const principal = authenticate(state, req.headers['authorization'], (pk) => {
      const u = state.users.find((x) => x.pk === pk);
      return u ? isSuperuser(renderCtx, u) : false;
    });
    const schemaMethods = deps.schema ? deps.schema.methods(match.kind === 'route' ? match.route.template : match.template) : null;
    if (match.kind === 'method-not-allowed' || (schemaMethods && !schemaMethods.includes(method === 'HEAD' ? 'GET' : method))) {
      req.resume();
      // authentication ran first (DRF's initial()), then the missing handler is reported
      send(res, 405, { detail: `Method "${method}" not allowed.` });
      return;
    }
    const route = match.route;
    authorize(principal, route.access);

    const accepts = route.accepts ?? 'json';
    const { body, files } = ['POST', 'PUT', 'PATCH'].includes(method) ? await parseBody(req, accepts) : (req.resume(), { body: undefined, files: {} });

    if (deps.schema && ['POST', 'PUT', 'PATCH'].includes(method)) {
      const forSchema = accepts === 'multipart' ? { ...(body as Record<string, unknown>), ...Object.fromEntries(Object.keys(files).map((k) => [k, '<binary>'])) } : body;
      const errors = deps.schema.validateRequest(route.template, method, accepts, forSchema);
      if (errors) throw new HttpError(400, errors);
    }

    const apiReq: ApiRequest = { method, template: route.template, params: match.params, query: url.searchParams, body, files, principal, baseUrl };
    const ctx: HandlerCtx = {
      state,
      version: deps.version,
      fullVersion: deps.fullVersion,
      render: renderCtx,
      page: pageConfig(state),
      python: deps.python,
    };
    const out: ApiResponse = await route.handler(apiReq, ctx);
    check(route.template, method, out.status, out.body);
    send(res, out.status, out.body, out.headers);
  }

  function check(template: string | null, method: string, status: number, body: unknown): void {
    if (!deps.schema || !template) return;
    for (const v of deps.schema.validateResponse(template, method, status, body)) violations.push(v);
  }

  const server = createServer((req, res) => {
    const addr = server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${addr.port}`;
    const url = new URL(req.url ?? '/', baseUrl);
    const record: RequestRecord = { method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.search.replace(/^\?/, ''), status: 0 };
    requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    handle(req, res, record, baseUrl).catch((err: unknown) => {
      req.resume();
      if (err instanceof HttpError) {
        const apiPath = url.pathname.startsWith('/api/v3/') ? url.pathname.slice('/api/v3'.length) : '';
        const m = matchRoute(record.method, apiPath);
        // DRF renders ValidationError("text") as a bare list, which the schema's ValidationError
        // object cannot describe: only object-shaped error bodies are checked
        if (m.kind === 'route' && deps.schema && !Array.isArray(err.body)) {
          for (const v of deps.schema.validateResponse(m.route.template, record.method, err.status, err.body)) violations.push(v);
        }
        send(res, err.status, err.body, err.headers);
        return;
      }
      if (err instanceof ServerCrash) {
        sendPage(res, errorPage(state, 500, 'Server Error'));
        return;
      }
      // a bug in the stand-in: make it visible to tests through violations
      violations.push(`stand-in error on ${record.method} ${url.pathname}: ${(err as Error)?.stack ?? String(err)}`);
      send(res, 500, { detail: 'Internal Server Error' });
    });
  });
  return server;
}
