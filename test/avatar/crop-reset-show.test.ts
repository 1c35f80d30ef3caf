// `crop`, `reset` and `show` against the stand-in, for every authentik version it plays.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { STANDIN_VERSIONS } from '../../src/standin/index.js';
import { dataUri, jpeg, meta, pixel, png } from './images.js';
import { othersOf, useSuite } from './suite.js';

let wide: Buffer; // 300×200 JPEG: left half red, right half blue
let square: Buffer; // 256×256 PNG
let server: http.Server;
let base: string;
const served: Array<{ url: string | undefined; auth: string | undefined }> = [];

beforeAll(async () => {
  wide = await jpeg(300, 200);
  square = await png(256, 256);
  server = http.createServer((req, res) => {
    served.push({ url: req.url, auth: req.headers.authorization });
    if (req.url === '/pics/wide.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      return res.end(wide);
    }
    if (req.url === '/pics/page.png') return res.end('<html>not a picture</html>');
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const decode = (uri: string) => Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');

describe.each(STANDIN_VERSIONS)('crop, reset, show on authentik %s', (version) => {
  const s = useSuite(version);

  test('crop squares a non-square data URI, keeps the other attributes', async () => {
    const t = s();
    t.setAttrs('alice', { ...t.user('alice').attributes, avatar: dataUri('image/jpeg', wide), avatar_reset: true });
    const others = othersOf(t.user('alice').attributes);
    const r = await t.run(['--json', 'crop', 'alice', '--size', '100']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ command: 'crop', changed: true, alreadySquare: false, removedReset: true, store: 'inline', old: { kind: 'data-uri', bytes: wide.length }, new: { kind: 'data-uri' } });
    const attrs = t.user('alice').attributes;
    expect(othersOf(attrs)).toBe(others);
    expect(attrs.avatar_reset).toBeUndefined();
    const m = await meta(decode(attrs.avatar as string));
    expect([m.width, m.height]).toEqual([100, 100]);
    // a centre crop of red|blue keeps red on the left and blue on the right
    const out = decode(attrs.avatar as string);
    expect((await pixel(out, 5, 50))[0]).toBeGreaterThan(200);
    expect((await pixel(out, 95, 50))[2]).toBeGreaterThan(200);
  });

  test('crop fetches an http URL (no token sent) and stores the result inline', async () => {
    const t = s();
    served.length = 0;
    t.setAttrs('bob', { ...t.user('bob').attributes, avatar: `${base}/pics/wide.jpg` });
    const others = othersOf(t.user('bob').attributes);
    const r = await t.run(['crop', 'bob']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Cropped the avatar of bob: 300×200 jpeg → 256×256 jpeg/);
    expect(r.stderr).toMatch(/Warning: the previous avatar at .* is not ours/);
    expect(served).toEqual([{ url: '/pics/wide.jpg', auth: undefined }]);
    const attrs = t.user('bob').attributes;
    expect(othersOf(attrs)).toBe(others);
    expect(attrs.avatar).toMatch(/^data:image\/jpeg;base64,/);
  });

  test('crop refuses a URL that is not a picture, and a missing one; the user is untouched', async () => {
    const t = s();
    for (const url of [`${base}/pics/page.png`, `${base}/pics/missing.png`]) {
      t.setAttrs('bob', { ...t.user('bob').attributes, avatar: url });
      const before = JSON.stringify(t.user('bob').attributes);
      const r = await t.run(['crop', 'bob']);
      expect(r.code).not.toBe(0);
      expect(r.stderr.split('\n')[0]).toMatch(/^Error: (unsupported image type|fetching the avatar .* failed: 404)/);
      expect(JSON.stringify(t.user('bob').attributes)).toBe(before);
    }
    expect(t.writes()).toEqual([]);
  });

  test('"already square" at the target size changes nothing', async () => {
    const t = s();
    t.setAttrs('carol', { avatar: dataUri('image/png', square) });
    const r = await t.run(['crop', 'carol']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/already square at 256×256/);
    expect(t.writes()).toEqual([]);
    const j = await t.run(['--json', 'crop', 'carol']);
    expect(JSON.parse(j.stdout)).toMatchObject({ changed: false, alreadySquare: true });
    // square, but not at the requested size: it is resized
    expect((await t.run(['crop', 'carol', '--size', '128'])).code).toBe(0);
    expect((await meta(decode(t.user('carol').attributes.avatar as string))).width).toBe(128);
  });

  test('crop without an avatar is exit 5', async () => {
    const t = s();
    const r = await t.run(['crop', 'carol']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/carol has no avatar of their own to crop/);
    expect(t.writes()).toEqual([]);
  });

  test('reset removes the avatar and a stale avatar_reset, keeps the rest byte-identical', async () => {
    const t = s();
    t.setAttrs('alice', { ...t.user('alice').attributes, avatar: dataUri('image/png', square), avatar_reset: true });
    const others = othersOf(t.user('alice').attributes);
    const r = await t.run(['--json', 'reset', '3']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ command: 'reset', changed: true, removedReset: true, old: { kind: 'data-uri' }, new: { kind: 'none' } });
    const attrs = t.user('alice').attributes;
    expect('avatar' in attrs).toBe(false);
    expect('avatar_reset' in attrs).toBe(false);
    expect(JSON.stringify(attrs)).toBe(others);
    // authentik now falls back to the next mode
    const shown = JSON.parse((await t.run(['--json', 'show', 'alice'])).stdout);
    expect(shown.avatar.location).toBe('none');
  });

  test('reset removes a stale avatar_reset alone; with nothing to reset it writes nothing', async () => {
    const t = s();
    t.setAttrs('dave', { department: 'ops', avatar_reset: false });
    const r = await t.run(['reset', 'dave']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/removed the stale avatar_reset/);
    expect(t.user('dave').attributes).toEqual({ department: 'ops' });
    const again = await t.run(['reset', 'dave']);
    expect(again.stdout).toMatch(/nothing to reset/);
    expect(t.writes()).toHaveLength(1);
  });

  test('show --json: location, the mode authentik uses, format, size, bytes, square', async () => {
    const t = s();
    t.sb.state.settings['avatars'] = 'attributes.avatar,gravatar,initials';
    t.setAttrs('alice', { ...t.user('alice').attributes, avatar: dataUri('image/jpeg', wide) });
    const r = await t.run(['--json', 'show', 'alice@example.com']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      user: { pk: 3, username: 'alice' },
      avatar: { location: 'inline', declaredMime: 'image/jpeg' },
      mode: { setting: 'attributes.avatar,gravatar,initials', settingSource: 'settings', effective: 'attributes.avatar', kind: 'attribute' },
      image: { format: 'jpeg', width: 300, height: 200, bytes: wide.length, square: false, animated: false },
      staleReset: false,
    });
    expect(doc.avatar.valueBytes).toBe(dataUri('image/jpeg', wide).length);
    expect(doc.image.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(t.writes()).toEqual([]);
  });

  test('show: no avatar -> the next mode; a URL avatar is fetched; a broken one is reported', async () => {
    const t = s();
    t.sb.state.settings['avatars'] = 'attributes.avatar,gravatar,initials';
    const carol = JSON.parse((await t.run(['--json', 'show', 'carol'])).stdout);
    expect(carol.avatar.location).toBe('none');
    expect(carol.image).toBeNull();
    expect(carol.mode.kind).toBe('gravatar');
    expect(carol.mode.skipped).toEqual([{ mode: 'attributes.avatar', reason: 'attributes.avatar is empty or missing' }]);

    t.setAttrs('bob', { avatar: `${base}/pics/wide.jpg` });
    const bob = JSON.parse((await t.run(['--json', 'show', 'bob'])).stdout);
    expect(bob.avatar).toMatchObject({ location: 'url', url: `${base}/pics/wide.jpg` });
    expect(bob.image).toMatchObject({ width: 300, height: 200, square: false });

    t.setAttrs('bob', { avatar: 'data:image/png;base64,not base64!' });
    const broken = await t.run(['--json', 'show', 'bob']);
    expect(broken.code).toBe(0);
    expect(JSON.parse(broken.stdout).problem).toMatch(/not a valid base64 data URI/);
  });

  test('show on a colour terminal draws a half-block preview; plain output has none', async () => {
    const t = s();
    t.setAttrs('alice', { avatar: dataUri('image/png', square) });
    const tty = await t.run(['show', 'alice'], { isTTY: true, env: { ...t.env, COLORTERM: 'truecolor' } });
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain('▀');
    const plain = await t.run(['show', 'alice']);
    expect(plain.stdout).not.toContain('▀');
    expect(plain.stdout).toMatch(/image: {5}png, 256×256, .*square/);
  });
});
