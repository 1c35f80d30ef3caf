// The HTTP transport: one axios instance per client, on <url>/api/v3/.
//
// Retry policy (axios-retry with our own condition and delay):
//  - 429: retried for every method (authentik did not process the request), honouring Retry-After
//    (seconds or HTTP date); a Retry-After beyond MAX_RETRY_AFTER_MS is not waited for: we fail.
//  - 5xx (except 501/505) and connection-level failures (reset, refused, EAI_AGAIN, EPIPE): retried for
//    GET/HEAD/OPTIONS/PUT/DELETE and PATCH. PATCH is not idempotent by HTTP, but every PATCH this CLI
//    sends carries complete values (the whole `attributes` dict, the whole `fields` list, the whole
//    `avatars` string), so sending it twice leaves the same state as sending it once.
//  - POST: never blindly repeated. Only on 429 or ECONNREFUSED (the connection was refused, so
//    nothing was sent). A reset or a 5xx after a POST may mean it was applied: we fail instead.
//  - Timeouts (ECONNABORTED) are not retried: waiting N × --timeout would only hide the problem.
//  - Backoff: retryBaseMs · 2^(n-1) (250, 500, 1000 ms by default) or Retry-After, whichever is
//    longer, plus 0–20 % jitter.
//
// Proxies: axios reads HTTPS_PROXY/HTTP_PROXY/NO_PROXY itself (proxy-from-env) unless `proxy: false`
// is set; we never set it, so proxies work with no code here (CONNECT tunnel for https targets,
// our agent's CA/insecure settings still apply to authentik's certificate).
// Redirects are NOT followed (maxRedirects 0): a redirect becomes a clear error, so the token is only
// ever sent to the URL the user gave and a POST is never turned into a GET.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import axios, { type AxiosError, type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import axiosRetry from 'axios-retry';
import { CliError, ExitCode, redact, registerSecret } from '../errors.js';

export interface ClientOptions {
  /** authentik base URL (may carry a sub-path: https://host/auth/ -> https://host/auth/api/v3/). */
  url: string;
  token: string;
  /** Per-request timeout in ms; default 30000. */
  timeoutMs?: number;
  /** Custom CA (PEM file), trusted in addition to Node's public roots. */
  caFile?: string;
  /** Skip TLS verification. */
  insecure?: boolean;
  /** Retries after the first attempt; default 3. */
  retries?: number;
  /** Backoff base in ms; default 250 (tests pass ~5). */
  retryBaseMs?: number;
  /** --verbose: one line per HTTP request/response; the token is never included. */
  log?: (line: string) => void;
}

/** HTTP requests actually sent (including retries; not attempts that never connected). */
export interface RequestStats {
  total: number;
  reads: number;
  writes: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRIES = 3;
export const DEFAULT_RETRY_BASE_MS = 250;
/** A server asking us to wait longer than this gets an error instead of a silent long pause. */
export const MAX_RETRY_AFTER_MS = 60_000;

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Retried on 5xx/connection failures. PATCH included: see the header comment. */
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']);
/** Connection-level failures worth another try for a retryable method. */
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'ENETDOWN', 'EHOSTDOWN']);
/** Failures where no HTTP request reached the server: not counted in stats. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * `https://host/auth` -> `https://host/auth/api/v3/`. A URL that already ends in /api/v3 is accepted
 * as is. Only http(s), no credentials, query or fragment (they would end up in logs or be ignored).
 */
export function apiBaseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new CliError(`invalid authentik URL "${redact(raw)}"`, ExitCode.USAGE, {
      hint: 'give the base URL, e.g. --url https://authentik.example.com/',
    });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new CliError(`unsupported URL scheme "${u.protocol}" in --url`, ExitCode.USAGE, {
      hint: 'use an http:// or https:// URL',
    });
  }
  if (u.username || u.password) {
    throw new CliError('the authentik URL must not contain credentials', ExitCode.USAGE, {
      hint: 'pass the API token with --token, AUTHENTIK_TOKEN or a profile instead',
    });
  }
  if (u.search || u.hash) {
    throw new CliError(`the authentik URL must not have a query or fragment: ${redact(u.toString())}`, ExitCode.USAGE);
  }
  let path = u.pathname.replace(/\/+$/, '');
  path = path.replace(/\/api\/v3$/, '');
  u.pathname = `${path}/api/v3/`;
  return u.toString();
}

interface AttemptMeta {
  /** Set by retryDelay on the config of the failed attempt; axios copies it into the next one. */
  akRetry?: { n: number; delayMs: number };
}

export interface Http {
  instance: AxiosInstance;
  baseUrl: string;
  timeoutMs: number;
  /** Closes pooled keep-alive sockets (optional: idle sockets don't keep the process alive). */
  close(): void;
}

export function createHttp(opts: ClientOptions, stats: RequestStats): Http {
  registerSecret(opts.token);
  const baseUrl = apiBaseUrl(opts.url);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = Math.max(0, opts.retries ?? DEFAULT_RETRIES);
  const baseMs = Math.max(0, opts.retryBaseMs ?? DEFAULT_RETRY_BASE_MS);
  const log = opts.log;

  const httpsAgent = new https.Agent({
    keepAlive: true,
    // `ca` REPLACES Node's trust store; keep the public roots so a CA file never breaks public certs.
    ...(opts.caFile ? { ca: [...tls.rootCertificates, readCaFile(opts.caFile)] } : {}),
    ...(opts.insecure ? { rejectUnauthorized: false } : {}),
  });
  const httpAgent = new http.Agent({ keepAlive: true });

  const nodeAdapter = axios.getAdapter('http');
  const instance = axios.create({
    baseURL: baseUrl,
    allowAbsoluteUrls: false, // a path can never send the token to another host
    timeout: timeoutMs,
    httpAgent,
    httpsAgent,
    maxRedirects: 0,
    maxBodyLength: 64 * 1024 * 1024, // files API accepts 25 MB; follow-redirects' 10 MB default is not used
    responseType: 'text', // we parse JSON ourselves so an HTML answer is a clear error, not a crash
    transformResponse: [(data: unknown) => data],
    headers: { Accept: 'application/json', 'User-Agent': 'ak-avatars' },
    // Count, time and log every attempt at the transport: retries pass through here too.
    adapter: async (config: InternalAxiosRequestConfig & AttemptMeta) => {
      const method = (config.method ?? 'get').toUpperCase();
      const started = Date.now();
      const url = safeUri(instance, config);
      const retryNote = config.akRetry ? ` [retry ${config.akRetry.n}/${retries} after ${config.akRetry.delayMs} ms]` : '';
      const count = () => {
        stats.total += 1;
        if (READ_METHODS.has(method)) stats.reads += 1;
        else stats.writes += 1;
      };
      try {
        const res: AxiosResponse = await nodeAdapter(config);
        count();
        log?.(redact(`→ ${method} ${url} … ${res.status} (${Date.now() - started} ms)${retryNote}`));
        return res;
      } catch (e) {
        const err = e as AxiosError;
        if (err.response || !NOT_SENT_CODES.has(err.code ?? '')) count();
        const outcome = err.response ? String(err.response.status) : (err.code ?? 'error');
        log?.(redact(`→ ${method} ${url} … ${outcome} (${Date.now() - started} ms)${retryNote}`));
        throw e;
      }
    },
  });

  // The token is added per request, never stored in defaults that error objects might print.
  instance.interceptors.request.use((config) => {
    config.headers.set('Authorization', `Bearer ${opts.token}`);
    return config;
  });

  axiosRetry(instance, {
    retries,
    shouldResetTimeout: true,
    retryCondition: (err) => shouldRetry(err),
    retryDelay: (n, err) => {
      const delayMs = Math.round(backoffMs(n, baseMs, retryAfterMs(err)));
      if (err.config) (err.config as AttemptMeta).akRetry = { n, delayMs };
      return delayMs;
    },
  });

  return {
    instance,
    baseUrl,
    timeoutMs,
    close: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** The retry decision (see the header comment). Exported for unit tests. */
export function shouldRetry(err: Pick<AxiosError, 'code' | 'response' | 'config'>): boolean {
  const method = (err.config?.method ?? '').toUpperCase();
  const status = err.response?.status;
  if (status === 429) return retryAfterMs(err) <= MAX_RETRY_AFTER_MS;
  if (method === 'POST') return !err.response && err.code === 'ECONNREFUSED';
  if (!RETRYABLE_METHODS.has(method)) return false;
  if (status !== undefined) return status >= 500 && status <= 599 && status !== 501 && status !== 505;
  return RETRYABLE_NETWORK_CODES.has(err.code ?? '');
}

/** Retry-After in ms (seconds or HTTP date); 0 when absent or unparseable. */
export function retryAfterMs(err: Pick<AxiosError, 'response'> | undefined, now = Date.now()): number {
  const h = err?.response?.headers?.['retry-after'] as unknown;
  if (h === undefined || h === null || h === '') return 0;
  const s = String(h).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isNaN(at) ? 0 : Math.max(0, at - now);
}

/** base·2^(n-1) or Retry-After, whichever is longer, plus 0–20 % jitter. */
export function backoffMs(n: number, baseMs: number, retryAfter: number, random = Math.random): number {
  const delay = Math.max(baseMs * 2 ** Math.max(0, n - 1), retryAfter);
  return delay + delay * 0.2 * random();
}

function readCaFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new CliError(`cannot read the CA file ${path} (${code})`, ExitCode.USAGE, {
      hint: '--ca-file takes a PEM file with the certificate(s) of the CA that signed authentik\'s certificate',
    });
  }
}

function safeUri(instance: AxiosInstance, config: InternalAxiosRequestConfig): string {
  try {
    return instance.getUri(config);
  } catch {
    return `${config.baseURL ?? ''}${config.url ?? ''}`;
  }
}
