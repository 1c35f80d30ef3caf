import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchAvatar } from '../../src/avatar/fetch.js';

let server: http.Server;
let base: string;
const seen: http.IncomingHttpHeaders[] = [];
const pending = new Set<http.ServerResponse>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === '/ok.png') return res.end(Buffer.alloc(1000, 7));
    if (req.url === '/declared-big') {
      res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
      return res.write(Buffer.alloc(10)); // never finishes; must not be read
    }
    if (req.url === '/chunked-big') {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      let n = 0;
      const push = (): void => {
        if (n++ > 200 || res.destroyed) return void res.end();
        res.write(chunk, () => setImmediate(push));
      };
      return push();
    }
    if (req.url === '/hang') return void pending.add(res);
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/ok.png' });
      return res.end();
    }
    res.writeHead(404);
    res.end('nope');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const r of pending) r.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const limits = { maxBytes: 1024 * 1024, timeoutMs: 2000 };

describe('fetchAvatar', () => {
  test('reads a small body, follows a redirect, sends no credentials', async () => {
    expect((await fetchAvatar(`${base}/ok.png`, limits)).length).toBe(1000);
    expect((await fetchAvatar(`${base}/redirect`, limits)).length).toBe(1000);
    for (const h of seen) {
      expect(h.authorization).toBeUndefined();
      expect(h.cookie).toBeUndefined();
    }
  });

  test('refuses a declared size over the cap without reading it', async () => {
    await expect(fetchAvatar(`${base}/declared-big`, limits)).rejects.toThrow(/larger than 1024 KiB/);
  });

  test('stops reading a chunked body at the cap', async () => {
    await expect(fetchAvatar(`${base}/chunked-big`, limits)).rejects.toThrow(/larger than/);
  });

  test('gives up after the time limit', async () => {
    const t0 = Date.now();
    await expect(fetchAvatar(`${base}/hang`, { ...limits, timeoutMs: 300 })).rejects.toThrow(/longer than 300 ms/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  test('404 is not found; other schemes and credentials are refused', async () => {
    await expect(fetchAvatar(`${base}/missing`, limits)).rejects.toMatchObject({ exitCode: 5 });
    await expect(fetchAvatar('file:///etc/passwd', limits)).rejects.toThrow(/refusing to fetch a file:/);
    await expect(fetchAvatar('data:image/png;base64,AAAA', limits)).rejects.toThrow(/refusing/);
    await expect(fetchAvatar(`http://u:p@127.0.0.1:1/x`, limits)).rejects.toThrow(/credentials/);
  });

  test('the query string (e.g. an expiring token) never appears in errors', async () => {
    await expect(fetchAvatar(`${base}/missing?token=SECRETJWT`, limits)).rejects.toThrow(/^(?!.*SECRETJWT)/);
  });
});
