// Tiny real node:http(s) servers on 127.0.0.1:0 for the client tests. Each records what it got.

import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  /** Raw request target as received (path + query, or absolute URL through a proxy). */
  target: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

export type Handler = (req: Recorded, res: ServerResponse) => unknown;

export interface TestServer {
  url: string;
  port: number;
  requests: Recorded[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler, tls?: { key: Buffer; cert: Buffer }): Promise<TestServer> {
  const requests: Recorded[] = [];
  const listener = (req: http.IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://placeholder');
      const rec: Recorded = {
        method: req.method ?? 'GET',
        target: req.url ?? '/',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      requests.push(rec);
      Promise.resolve()
        .then(() => handler(rec, res))
        .catch((e: unknown) => {
          // A broken handler answers 599 at once instead of leaving the client to time out.
          if (!res.headersSent) res.statusCode = 599;
          res.end(String(e));
        });
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function page<T>(all: T[], query: URLSearchParams, defaultSize = 2) {
  const size = Math.max(1, Number(query.get('page_size') ?? defaultSize));
  const current = Number(query.get('page') ?? 1);
  const totalPages = Math.max(1, Math.ceil(all.length / size));
  const results = all.slice((current - 1) * size, current * size);
  return {
    pagination: {
      next: current < totalPages ? current + 1 : 0,
      previous: current > 1 ? current - 1 : 0,
      count: all.length,
      current,
      total_pages: totalPages,
      start_index: results.length ? (current - 1) * size + 1 : 0,
      end_index: (current - 1) * size + results.length,
    },
    results,
  };
}

/** A port nothing listens on (bound then released). */
export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export const TOKEN = 'ak-test-token-Zq9xW3vB7nM2';

/** Awaits a promise expected to reject and returns the rejection (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
