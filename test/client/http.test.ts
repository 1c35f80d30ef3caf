import { afterEach, describe, expect, it } from '@jest/globals';
import { AuthentikClient, apiBaseUrl } from '../../src/authentik/index.js';
import { CliError, ExitCode } from '../../src/errors.js';
import { TOKEN, json, startServer, type TestServer } from './server.js';

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function serve(...args: Parameters<typeof startServer>) {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}

describe('apiBaseUrl', () => {
  it.each([
    ['https://ak.example', 'https://ak.example/api/v3/'],
    ['https://ak.example/', 'https://ak.example/api/v3/'],
    ['https://ak.example/auth', 'https://ak.example/auth/api/v3/'],
    ['https://ak.example/auth/', 'https://ak.example/auth/api/v3/'],
    ['https://ak.example/auth/api/v3', 'https://ak.example/auth/api/v3/'],
    ['https://ak.example/api/v3/', 'https://ak.example/api/v3/'],
    ['http://127.0.0.1:9000', 'http://127.0.0.1:9000/api/v3/'],
  ])('%s -> %s', (url, want) => {
    expect(apiBaseUrl(url)).toBe(want);
  });

  it.each([
    ['not a url', /invalid authentik URL/],
    ['ftp://ak.example/', /unsupported URL scheme "ftp:"/],
    ['https://user:pw@ak.example/', /must not contain credentials/],
    ['https://ak.example/?x=1', /must not have a query/],
  ])('%s is a usage error', (url, re) => {
    let err: unknown;
    try {
      apiBaseUrl(url);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(ExitCode.USAGE);
    expect((err as CliError).message).toMatch(re);
  });
});

describe('requests on the wire', () => {
  it('keeps the sub-path, sends the Bearer token, JSON body and query params', async () => {
    const srv = await serve((req, res) => json(res, 200, { got: req.method }));
    const c = new AuthentikClient({ url: `${srv.url}/auth/`, token: TOKEN });
    expect(c.baseUrl).toBe(`${srv.url}/auth/api/v3/`);

    await c.get('core/users/me/');
    await c.get('/core/users/', { include_groups: false, page_size: 5, username: 'a b@c', skip: undefined });
    await c.patch('core/users/1/', { attributes: { avatar: 'x' } });
    await c.put('admin/settings/', { avatars: 'initials' });
    await c.post('stages/prompt/prompts/', { name: 'n' });
    await c.delete('stages/prompt/prompts/abc/');

    expect(srv.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /auth/api/v3/core/users/me/',
      'GET /auth/api/v3/core/users/',
      'PATCH /auth/api/v3/core/users/1/',
      'PUT /auth/api/v3/admin/settings/',
      'POST /auth/api/v3/stages/prompt/prompts/',
      'DELETE /auth/api/v3/stages/prompt/prompts/abc/',
    ]);
    const q = srv.requests[1]?.query;
    expect(q?.get('include_groups')).toBe('false');
    expect(q?.get('page_size')).toBe('5');
    expect(q?.get('username')).toBe('a b@c');
    expect(q?.has('skip')).toBe(false);
    for (const r of srv.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(r.headers.accept).toMatch(/application\/json/);
    }
    expect(srv.requests[2]?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(srv.requests[2]?.body.toString() ?? '')).toEqual({ attributes: { avatar: 'x' } });
    expect(c.stats).toEqual({ total: 6, reads: 2, writes: 4 });
  });

  it('refuses an absolute URL as a path (the token must not leave for another host)', async () => {
    const srv = await serve((_req, res) => json(res, 200, {}));
    const c = new AuthentikClient({ url: srv.url, token: TOKEN });
    await expect(c.get('http://evil.example/steal')).rejects.toThrow(/refusing absolute URL/);
    await expect(c.get('//evil.example/steal')).rejects.toThrow(/refusing absolute URL/);
    expect(srv.requests).toHaveLength(0);
  });

  it('postForm sends multipart/form-data (files API)', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200);
      res.end(); // authentik's upload answers 200 with an empty body
    });
    const c = new AuthentikClient({ url: srv.url, token: TOKEN });
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('PNGDATA')], { type: 'image/png' }), 'a.png');
    form.append('name', 'ak-avatars/a.png');
    await expect(c.postForm('admin/file/', form)).resolves.toBeUndefined();
    const r = srv.requests[0];
    expect(r?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const body = r?.body.toString() ?? '';
    expect(body).toMatch(/name="file"; filename="a.png"\r\nContent-Type: image\/png\r\n\r\nPNGDATA/);
    expect(body).toMatch(/name="name"\r\n\r\nak-avatars\/a.png/);
    expect(r?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('verbose log: one line per request, in the documented format', async () => {
    const srv = await serve((req, res) => json(res, req.path.endsWith('/gone/') ? 404 : 200, { detail: 'x' }));
    const lines: string[] = [];
    const c = new AuthentikClient({ url: srv.url, token: TOKEN, log: (l) => lines.push(l) });
    await c.get('core/users/', { page: 1 });
    await c.delete('x/gone/').catch(() => undefined);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^→ GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/core\/users\/\?page=1 … 200 \(\d+ ms\)$/);
    expect(lines[1]).toMatch(/^→ DELETE http:\/\/127\.0\.0\.1:\d+\/api\/v3\/x\/gone\/ … 404 \(\d+ ms\)$/);
  });
});

describe('proxies from the environment (axios, not disabled by us)', () => {
  const KEYS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];
  let saved: Record<string, string | undefined> = {};
  const setEnv = (vars: Record<string, string>) => {
    saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
    for (const k of KEYS) delete process.env[k];
    Object.assign(process.env, vars);
  };
  afterEach(() => {
    for (const k of KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('HTTP_PROXY carries the request; NO_PROXY bypasses it', async () => {
    const proxy = await serve((_req, res) => json(res, 200, { via: 'proxy' }));
    const direct = await serve((_req, res) => json(res, 200, { via: 'direct' }));
    setEnv({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });

    // A host only the proxy can reach.
    const viaProxy = new AuthentikClient({ url: 'http://authentik.internal.test/', token: TOKEN, retries: 0 });
    await expect(viaProxy.get('core/users/me/')).resolves.toEqual({ via: 'proxy' });
    expect(proxy.requests[0]?.target).toBe('http://authentik.internal.test/api/v3/core/users/me/');
    expect(proxy.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);

    // 127.0.0.1 is in NO_PROXY: straight to the server.
    const bypass = new AuthentikClient({ url: direct.url, token: TOKEN, retries: 0 });
    await expect(bypass.get('x/')).resolves.toEqual({ via: 'direct' });
    expect(direct.requests).toHaveLength(1);
    expect(proxy.requests).toHaveLength(1);
  });
});
