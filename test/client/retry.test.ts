import http from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { AuthentikClient, backoffMs, retryAfterMs, shouldRetry } from '../../src/authentik/index.js';
import { ApiError } from '../../src/authentik/errors.js';
import { TOKEN, freePort, json, rejection, startServer, type TestServer } from './server.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

/** Answers from a script: one entry per request, the last one repeats. */
function scripted(steps: Array<(res: http.ServerResponse) => void>) {
  let i = 0;
  return (_req: unknown, res: http.ServerResponse) => {
    const step = steps[Math.min(i, steps.length - 1)];
    i += 1;
    step?.(res);
  };
}
const ok = (res: http.ServerResponse) => json(res, 200, { ok: true });
const status = (code: number, headers: Record<string, string> = {}) => (res: http.ServerResponse) =>
  json(res, code, { detail: `status ${code}` }, headers);
const reset = (res: http.ServerResponse) => res.socket?.destroy();

function client(url: string, extra: Partial<ConstructorParameters<typeof AuthentikClient>[0]> = {}) {
  return new AuthentikClient({ url, token: TOKEN, retryBaseMs: 5, ...extra });
}

describe('retries with backoff', () => {
  it('honours Retry-After in seconds on 503, then succeeds', async () => {
    srv = await startServer(scripted([status(503, { 'retry-after': '1' }), ok]));
    const c = client(srv.url);
    const t0 = Date.now();
    await expect(c.get('core/users/me/')).resolves.toEqual({ ok: true });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(3000);
    expect(srv.requests).toHaveLength(2);
    expect((srv.requests[1]?.at ?? 0) - (srv.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(990);
    expect(c.stats).toEqual({ total: 2, reads: 2, writes: 0 });
  });

  it('honours Retry-After as an HTTP date on 429', async () => {
    const when = () => new Date(Date.now() + 2000).toUTCString(); // second granularity: 1–2 s ahead
    srv = await startServer(scripted([(res) => status(429, { 'retry-after': when() })(res), ok]));
    const t0 = Date.now();
    await client(srv.url).get('x/');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(srv.requests).toHaveLength(2);
  });

  it('does not sit through an absurd Retry-After: fails at once with the 429', async () => {
    srv = await startServer((_req, res) => status(429, { 'retry-after': '3600' })(res));
    const t0 = Date.now();
    const err = await rejection(client(srv.url).get('x/'));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(/failed: 429 Too Many Requests/);
    expect((err as unknown as ApiError).hint).toMatch(/rate-limiting/);
    expect(srv.requests).toHaveLength(1);
  });

  it('backs off exponentially on 5xx for GET (base 40 ms: ≥ 40 + 80 ms)', async () => {
    srv = await startServer(scripted([status(500), status(502), ok]));
    const t0 = Date.now();
    await client(srv.url, { retryBaseMs: 40 }).get('x/');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(120);
    expect(srv.requests).toHaveLength(3);
    const gaps = srv.requests.slice(1).map((r, i) => r.at - (srv?.requests[i]?.at ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(38);
    expect(gaps[1]).toBeGreaterThanOrEqual(78);
  });

  it('gives up after `retries` retries and reports the last status', async () => {
    srv = await startServer((_req, res) => status(503)(res));
    const c = client(srv.url, { retries: 2 });
    const err = await rejection(c.get('x/'));
    expect(err.message).toMatch(/failed: 503 Service Unavailable: status 503/);
    expect(srv.requests).toHaveLength(3);
    expect(c.stats.total).toBe(3);
  });

  it('retries PUT/DELETE/PATCH (full-value PATCH) on a connection reset or 502', async () => {
    srv = await startServer(scripted([reset, ok]));
    await client(srv.url).put('x/', { a: 1 });
    expect(srv.requests).toHaveLength(2);
    await srv.close();

    srv = await startServer(scripted([status(502), ok]));
    await client(srv.url).patch('core/users/1/', { attributes: { a: 1 } });
    expect(srv.requests.map((r) => r.method)).toEqual(['PATCH', 'PATCH']);
    expect(srv.requests.map((r) => r.body.toString())).toEqual(['{"attributes":{"a":1}}', '{"attributes":{"a":1}}']);
  });
});

describe('POST is never blindly repeated', () => {
  it('does not repeat a POST answered 500', async () => {
    srv = await startServer(scripted([status(500), ok]));
    const c = client(srv.url);
    const err = await rejection(c.post('stages/prompt/prompts/', { name: 'x' }));
    expect(err.message).toMatch(/^POST .* failed: 500 Internal Server Error/);
    expect(srv.requests).toHaveLength(1);
    expect(c.stats).toEqual({ total: 1, reads: 0, writes: 1 });
  });

  it('does not repeat a POST whose connection was reset, and says why', async () => {
    srv = await startServer(scripted([reset, ok]));
    const err = await rejection(client(srv.url).post('x/', { name: 'x' }));
    expect(err.message).toMatch(/connection reset/);
    expect((err as unknown as ApiError).hint).toMatch(/POST was not repeated because it may already have been applied/);
    expect(srv.requests).toHaveLength(1);
  });

  it('retries a POST answered 429 (authentik did not process it)', async () => {
    srv = await startServer(scripted([status(429, { 'retry-after': '0' }), (res) => json(res, 201, { pk: 'new' })]));
    await expect(client(srv.url).post('x/', { name: 'x' })).resolves.toEqual({ pk: 'new' });
    expect(srv.requests).toHaveLength(2);
    expect(srv.requests[1]?.body.toString()).toBe('{"name":"x"}');
  });

  it('retries a POST whose connection was refused (nothing was sent)', async () => {
    const port = await freePort();
    const lines: string[] = [];
    let late: Promise<TestServer> | undefined;
    const c = new AuthentikClient({
      url: `http://127.0.0.1:${port}/`,
      token: TOKEN,
      retryBaseMs: 150,
      log: (l) => {
        lines.push(l);
        // After the first refused attempt, authentik "comes up" on that port.
        if (lines.length === 1) {
          late = new Promise<TestServer>((resolve, reject) => {
            const s = http.createServer((req, res) => {
              req.resume();
              req.on('end', () => json(res, 201, { created: true }));
            });
            s.on('error', reject);
            s.listen(port, '127.0.0.1', () =>
              resolve({
                url: '',
                port,
                requests: [],
                close: () => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r()))),
              }),
            );
          });
        }
      },
    });
    try {
      await expect(c.post('x/', { a: 1 })).resolves.toEqual({ created: true });
      expect(lines[0]).toMatch(/^→ POST http:\/\/127\.0\.0\.1:\d+\/api\/v3\/x\/ … ECONNREFUSED \(\d+ ms\)$/);
      expect(lines[1]).toMatch(/… 201 \(\d+ ms\) \[retry 1\/3 after \d+ ms\]$/);
      expect(c.stats).toEqual({ total: 1, reads: 0, writes: 1 }); // the refused attempt was never sent
    } finally {
      await (await late)?.close();
    }
  });
});

describe('retry policy (unit)', () => {
  const e = (method: string, statusCode?: number, code?: string, headers: Record<string, string> = {}) =>
    ({
      config: { method },
      code,
      response: statusCode === undefined ? undefined : { status: statusCode, headers },
    }) as unknown as Parameters<typeof shouldRetry>[0];

  it.each([
    ['get', 503, undefined, true],
    ['get', 500, undefined, true],
    ['get', 501, undefined, false],
    ['get', 404, undefined, false],
    ['get', undefined, 'ECONNRESET', true],
    ['get', undefined, 'ECONNABORTED', false], // timeout: not retried
    ['get', undefined, 'ENOTFOUND', false],
    ['get', undefined, 'DEPTH_ZERO_SELF_SIGNED_CERT', false],
    ['delete', 502, undefined, true],
    ['put', undefined, 'ECONNRESET', true],
    ['patch', 503, undefined, true],
    ['post', 503, undefined, false],
    ['post', 500, undefined, false],
    ['post', undefined, 'ECONNRESET', false],
    ['post', undefined, 'ECONNREFUSED', true],
    ['post', 429, undefined, true],
    ['patch', 429, undefined, true],
  ])('%s %s %s -> %s', (method, st, code, want) => {
    expect(shouldRetry(e(method, st, code))).toBe(want);
  });

  it('reads Retry-After as seconds or HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(e('get', 429, undefined, { 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(e('get', 429, undefined, { 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(e('get', 429, undefined, { 'retry-after': 'garbage' }), now)).toBe(0);
    expect(retryAfterMs(e('get', 429), now)).toBe(0);
  });

  it('backs off base·2^(n-1) with ≤ 20 % jitter, or Retry-After if longer', () => {
    expect(backoffMs(1, 250, 0, () => 0)).toBe(250);
    expect(backoffMs(2, 250, 0, () => 0)).toBe(500);
    expect(backoffMs(3, 250, 0, () => 0)).toBe(1000);
    expect(backoffMs(3, 250, 0, () => 1)).toBe(1200);
    expect(backoffMs(1, 250, 4000, () => 0)).toBe(4000);
  });
});
