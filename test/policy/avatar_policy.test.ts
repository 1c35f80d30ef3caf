// Behaviour of the validation policy, run through evaluate.py the way authentik runs it.
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { defaultPolicyOptions, renderPolicy, type PolicyOptions } from '../../src/policy/render.js';
import { EMPTY_UPLOAD, dataUri, evaluatePolicy, nestedPrompt, tempDir, type EvalResult } from './helpers.js';

const PUBLIC = 'https://auth.example.com/avatars/';
const INLINE = renderPolicy(defaultPolicyOptions('inline'));
const img: Record<'png' | 'jpeg' | 'webp' | 'gif', Buffer> = { png: Buffer.alloc(0), jpeg: Buffer.alloc(0), webp: Buffer.alloc(0), gif: Buffer.alloc(0) };

beforeAll(async () => {
  const make = () => sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 30, b: 30 } } });
  img.png = await make().png().toBuffer();
  img.jpeg = await make().jpeg().toBuffer();
  img.webp = await make().webp().toBuffer();
  img.gif = await make().gif().toBuffer();
});

const user = (attributes: Record<string, unknown> = {}) => ({ pk: 7, username: 'alice', email: 'alice@example.com', attributes });

function attrs(r: EvalResult): Record<string, unknown> {
  const pd = r.context?.prompt_data as Record<string, unknown>;
  return pd.attributes as Record<string, unknown>;
}

function run(expression: string, promptContext: Record<string, unknown>, attributes: Record<string, unknown> = {}, authenticated = true) {
  return evaluatePolicy({ expression, user: user(attributes), context: promptContext, request_user_authenticated: authenticated });
}

function hex32(): string {
  return [...Array(32)].map((_, i) => '0123456789abcdef'[(i * 7 + 3) % 16]).join('');
}

describe('inline store (defaults: PNG/JPEG, 512 KB)', () => {
  test.each([
    ['image/png', 'png'],
    ['image/jpeg', 'jpeg'],
  ] as const)('accepts a real %s and stores a normalised data URI', async (mime, key) => {
    const r = await run(INLINE, nestedPrompt(dataUri(mime, img[key])));
    expect(r.messages).toEqual([]);
    expect(r.passing).toBe(true);
    expect(attrs(r)).toEqual({ avatar: dataUri(mime, img[key]) });
    expect((r.context?.prompt_data as Record<string, unknown>).username).toBe('alice');
    expect(JSON.stringify(r.logs)).not.toContain(img[key].toString('base64').slice(0, 40));
  });

  test('WebP and GIF are refused by the default allow-list', async () => {
    for (const key of ['webp', 'gif'] as const) {
      const r = await run(INLINE, nestedPrompt(dataUri(`image/${key}`, img[key])));
      expect(r.passing).toBe(false);
      expect(r.messages).toEqual(['Avatars must be PNG or JPEG images.']);
      expect(attrs(r)).toEqual({});
    }
  });

  test('WebP content declared as PNG is refused by its magic bytes', async () => {
    const r = await run(INLINE, nestedPrompt(dataUri('image/png', img.webp)));
    expect(r).toMatchObject({ passing: false, messages: ["The file's content is not a PNG or JPEG image."] });
  });

  test('WebP and GIF pass once allowed, stored with the detected type', async () => {
    const policy = renderPolicy({ ...defaultPolicyOptions('inline'), allowedTypes: ['image/png', 'image/webp', 'image/gif'] });
    for (const key of ['webp', 'gif'] as const) {
      const r = await run(policy, nestedPrompt(dataUri(`image/${key}`, img[key])));
      expect(r.passing).toBe(true);
      expect(attrs(r).avatar).toBe(dataUri(`image/${key}`, img[key]));
    }
  });

  test('HTML declared as image/png is refused and nothing is written', async () => {
    const r = await run(INLINE, nestedPrompt(dataUri('image/png', '<html><script>alert(1)</script></html>')));
    expect(r.passing).toBe(false);
    expect(r.messages).toEqual(["The file's content is not a PNG or JPEG image."]);
    expect(attrs(r)).toEqual({});
  });

  test('a PNG declared as image/jpeg is stored as image/png (the detected type wins)', async () => {
    const r = await run(INLINE, nestedPrompt(dataUri('image/jpeg', img.png)));
    expect(r.passing).toBe(true);
    expect(attrs(r).avatar).toBe(dataUri('image/png', img.png));
  });

  test('a declared type outside the allow-list is refused even if the content is fine', async () => {
    const r = await run(INLINE, nestedPrompt(dataUri('image/gif', img.png)));
    expect(r).toMatchObject({ passing: false, messages: ['Avatars must be PNG or JPEG images.'] });
    const octet = await run(INLINE, nestedPrompt(dataUri('application/octet-stream', img.png)));
    expect(octet.passing).toBe(false);
  });

  test('MIME parameters and aliases are normalised away', async () => {
    const b64 = img.jpeg.toString('base64');
    const r = await run(INLINE, nestedPrompt(`data:image/JPG;name=me.jpg;BASE64,${b64}`));
    expect(r.passing).toBe(true);
    expect(attrs(r).avatar).toBe(`data:image/jpeg;base64,${b64}`);
  });

  test('an oversize upload is refused from its base64 length, before decoding', async () => {
    // 8 MB of characters that are not base64 at all: decoding first would say "damaged", not "too large".
    const started = Date.now();
    const r = await run(INLINE, nestedPrompt(`data:image/png;base64,${'!'.repeat(8 * 1024 * 1024)}`));
    expect(r.passing).toBe(false);
    expect(r.messages).toEqual(['The avatar image is too large: the limit is 512 KB.']);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('the decoded size is checked again (exact limit)', async () => {
    const policy = renderPolicy({ ...defaultPolicyOptions('inline'), maxBytes: 1024 });
    const pad = (n: number) => Buffer.concat([img.png, Buffer.alloc(n - img.png.length)]);
    const over = await run(policy, nestedPrompt(dataUri('image/png', pad(1026)))); // 1368 base64 chars: passes the first check
    expect(over).toMatchObject({ passing: false, messages: ['The avatar image is too large: the limit is 1 KB.'] });
    const exact = await run(policy, nestedPrompt(dataUri('image/png', pad(1024))));
    expect(exact.passing).toBe(true);
  });

  test.each([
    ['truncated', (b: string) => b.slice(0, -2)],
    ['a bad character', (b: string) => `${b.slice(0, 8)}*${b.slice(9)}`],
    ['a line break', (b: string) => `${b.slice(0, 8)}\n${b.slice(8)}`],
    ['url-safe alphabet', (b: string) => `${b.slice(0, 4)}-_${b.slice(6)}`],
    ['padding in the middle', (b: string) => `${b.slice(0, 4)}====${b.slice(4)}`],
  ])('base64 with %s is refused as damaged', async (_name, mangle) => {
    const r = await run(INLINE, nestedPrompt(`data:image/png;base64,${mangle(img.png.toString('base64'))}`));
    expect(r).toMatchObject({ passing: false, messages: ['The avatar upload is damaged (invalid base64); please choose the file again.'] });
    expect(attrs(r)).toEqual({});
  });

  test.each([['https://example.com/me.png'], ['data:image/png,plain-text'], ['data:image/png;base64'], [5]])(
    'an upload that is not a base64 data URI (%p) is refused',
    async (value) => {
      const r = await run(INLINE, nestedPrompt(value));
      expect(r).toMatchObject({ passing: false, messages: ['The avatar upload was not understood; please choose the file again.'] });
    },
  );

  test.each([[EMPTY_UPLOAD], [''], [null], [undefined]])('no file chosen (%p) keeps the current avatar', async (value) => {
    const r = await run(INLINE, nestedPrompt(value), { avatar: dataUri('image/png', img.png) });
    expect(r).toMatchObject({ passing: true, messages: [] });
    expect(attrs(r)).toEqual({}); // nothing for the user write stage to change
  });

  test('an empty file with an image type is refused', async () => {
    const r = await run(INLINE, nestedPrompt('data:image/png;base64,'));
    expect(r).toMatchObject({ passing: false, messages: ['The selected file is empty.'] });
  });

  test.each([[true], ['true'], ['on']])('reset (%p) clears the avatar so authentik falls back', async (checked) => {
    const r = await run(INLINE, nestedPrompt(EMPTY_UPLOAD, checked), { avatar: dataUri('image/png', img.png) });
    expect(r.passing).toBe(true);
    expect(attrs(r)).toEqual({ avatar: '' });
  });

  test('reset and a new upload together are refused', async () => {
    const r = await run(INLINE, nestedPrompt(dataUri('image/png', img.png), true));
    expect(r).toMatchObject({ passing: false, messages: ['Either upload a new avatar or remove the current one, not both at once.'] });
  });

  test('avatar_reset never reaches the user write stage, in either key layout', async () => {
    const cases: Array<Record<string, unknown>> = [
      nestedPrompt(EMPTY_UPLOAD, false),
      nestedPrompt(EMPTY_UPLOAD, true),
      nestedPrompt(dataUri('image/png', img.png), false),
      nestedPrompt(undefined, true),
      { prompt_data: { 'attributes.avatar': EMPTY_UPLOAD, 'attributes.avatar_reset': false } },
      { prompt_data: { 'attributes.avatar': dataUri('image/png', img.png), 'attributes.avatar_reset': false } },
      { prompt_data: { 'attributes.avatar_reset': true } },
    ];
    const results = await Promise.all(cases.map((c) => run(INLINE, c)));
    for (const r of results) {
      expect(r.passing).toBe(true);
      expect(JSON.stringify(r.context)).not.toContain('avatar_reset');
    }
  });

  test('flat keys are validated and written back flat', async () => {
    const r = await run(INLINE, { prompt_data: { 'attributes.avatar': dataUri('image/jpeg', img.png), 'attributes.avatar_reset': false } });
    expect(r.passing).toBe(true);
    expect(r.context?.prompt_data).toEqual({ 'attributes.avatar': dataUri('image/png', img.png) });
    const reset = await run(INLINE, { prompt_data: { 'attributes.avatar_reset': true } });
    expect(reset.context?.prompt_data).toEqual({ 'attributes.avatar': '' });
  });

  test('a second, unvalidated copy in the other layout is dropped', async () => {
    const ctx = nestedPrompt(dataUri('image/png', img.png));
    (ctx.prompt_data as Record<string, unknown>)['attributes.avatar'] = dataUri('image/png', '<html>');
    const r = await run(INLINE, ctx);
    expect(r.passing).toBe(true);
    expect(r.context?.prompt_data).toEqual({ username: 'alice', attributes: { avatar: dataUri('image/png', img.png) } });
  });

  test('without prompt data there is nothing to check', async () => {
    expect((await run(INLINE, {})).passing).toBe(true);
  });
});

describe('SVG', () => {
  const svgPolicy = renderPolicy({ ...defaultPolicyOptions('inline'), allowSvg: true });
  const plain = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><defs><linearGradient id="g"/></defs><rect width="8" height="8" fill="url(#g)"/><use href="#g"/></svg>';

  test('a plain SVG is refused unless SVG is enabled', async () => {
    const r = await run(INLINE, nestedPrompt(dataUri('image/svg+xml', plain)));
    expect(r).toMatchObject({ passing: false, messages: ['SVG images are not accepted as avatars; please use a PNG or JPEG image.'] });
    const disguised = await run(INLINE, nestedPrompt(dataUri('image/png', plain)));
    expect(disguised.passing).toBe(false);
    expect(disguised.messages[0]).toMatch(/^SVG images are not accepted/);
  });

  test('a plain SVG passes when enabled', async () => {
    const r = await run(svgPolicy, nestedPrompt(dataUri('image/svg+xml', plain)));
    expect(r.messages).toEqual([]);
    expect(attrs(r).avatar).toBe(dataUri('image/svg+xml', plain));
  });

  test.each([
    ['a script', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
    ['a prefixed script', '<svg xmlns="http://www.w3.org/2000/svg" xmlns:s="http://www.w3.org/2000/svg"><s:script>alert(1)</s:script></svg>'],
    ['an event handler', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
    ['an external image', '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>'],
    ['an encoded javascript: link', '<svg xmlns="http://www.w3.org/2000/svg"><a xlink:href="&#106;avascript:alert(1)"><rect/></a></svg>'],
    ['an external use', '<svg xmlns="http://www.w3.org/2000/svg"><use href="other.svg#x"/></svg>'],
    ['an entity', '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'],
    ['a CSS url', '<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill:url(https://evil.example/a)}</style></svg>'],
    ['a foreignObject', '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe src="https://evil.example"/></foreignObject></svg>'],
    ['an animated href', '<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" to="https://evil.example"/></a></svg>'],
  ])('an SVG with %s is refused even with SVG enabled', async (_name, svg) => {
    const r = await run(svgPolicy, nestedPrompt(dataUri('image/svg+xml', svg)));
    expect(r).toMatchObject({ passing: false, messages: ['This SVG image contains scripts or external references and cannot be used as an avatar.'] });
    expect(attrs(r)).toEqual({});
  });
});

describe('dir store', () => {
  let dir: { path: string; cleanup: () => void };
  let store: string;
  afterEach(() => dir.cleanup());
  const policy = (extra: Partial<PolicyOptions> = {}) =>
    renderPolicy({ ...defaultPolicyOptions('dir'), storeDir: store, publicUrl: PUBLIC, ...extra });
  const setup = () => {
    dir = tempDir('akav-policy-');
    store = join(dir.path, 'store');
    mkdirSync(store);
  };
  const ours = (ext = 'png') => `akav-${hex32()}.${ext}`;

  test.each([
    ['image/png', 'png', 'png'],
    ['image/jpeg', 'jpeg', 'jpg'],
    ['image/webp', 'webp', 'webp'],
    ['image/gif', 'gif', 'gif'],
  ] as const)('stores a %s as a 0644 file with a random name and sets its URL', async (mime, key, ext) => {
    setup();
    const r = await run(policy(), nestedPrompt(dataUri(mime, img[key])));
    expect(r.messages).toEqual([]);
    const url = attrs(r).avatar as string;
    expect(url).toMatch(new RegExp(`^${PUBLIC.replace(/[.]/g, '\\.')}akav-[0-9a-f]{32}\\.${ext}$`));
    const file = join(store, url.slice(PUBLIC.length));
    expect(readFileSync(file).equals(img[key])).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readdirSync(store)).toEqual([url.slice(PUBLIC.length)]); // no temp file left behind
  });

  test('two uploads get different names', async () => {
    setup();
    const a = await run(policy(), nestedPrompt(dataUri('image/png', img.png)));
    const b = await run(policy(), nestedPrompt(dataUri('image/png', img.png)));
    expect(attrs(a).avatar).not.toBe(attrs(b).avatar);
  });

  test('a new upload replaces the previous file when it is ours', async () => {
    setup();
    const old = ours();
    writeFileSync(join(store, old), img.png);
    const r = await run(policy(), nestedPrompt(dataUri('image/jpeg', img.jpeg)), { avatar: PUBLIC + old });
    expect(r.passing).toBe(true);
    expect(existsSync(join(store, old))).toBe(false);
    expect(existsSync(join(store, (attrs(r).avatar as string).slice(PUBLIC.length)))).toBe(true);
  });

  test('reset deletes our previous file and clears the avatar', async () => {
    setup();
    const old = ours('webp');
    writeFileSync(join(store, old), img.webp);
    const r = await run(policy(), nestedPrompt(EMPTY_UPLOAD, true), { avatar: PUBLIC + old });
    expect(r.passing).toBe(true);
    expect(attrs(r)).toEqual({ avatar: '' });
    expect(existsSync(join(store, old))).toBe(false);
  });

  test('reset without a previous file, or with our file already gone, still passes', async () => {
    setup();
    expect((await run(policy(), nestedPrompt(EMPTY_UPLOAD, true))).passing).toBe(true);
    expect((await run(policy(), nestedPrompt(EMPTY_UPLOAD, true), { avatar: PUBLIC + ours() })).passing).toBe(true);
  });

  test('an empty upload leaves the previous file alone', async () => {
    setup();
    const old = ours();
    writeFileSync(join(store, old), img.png);
    const r = await run(policy(), nestedPrompt(EMPTY_UPLOAD, false), { avatar: PUBLIC + old });
    expect(r.passing).toBe(true);
    expect(attrs(r)).toEqual({});
    expect(existsSync(join(store, old))).toBe(true);
  });

  test('crafted previous-avatar values never delete anything', async () => {
    setup();
    const name = ours();
    const victims = {
      inStore: join(store, name),
      upper: join(store, name.toUpperCase().replace('AKAV-', 'akav-').replace('.PNG', '.png')),
      photo: join(store, 'photo.png'),
      outside: join(dir.path, 'outside.png'),
      target: join(dir.path, 'secret.txt'),
    };
    for (const f of Object.values(victims)) writeFileSync(f, 'keep me');
    const link = ours('gif');
    symlinkSync(victims.target, join(store, link));
    const subdir = ours('jpg');
    mkdirSync(join(store, subdir));
    const crafted = [
      '../../etc/passwd',
      `https://evil.example/avatars/${name}`,
      `http://auth.example.com/avatars/${name}`,
      `${PUBLIC}../outside.png`,
      `${PUBLIC}..%2Foutside.png`,
      `${PUBLIC}sub/${name}`,
      victims.inStore,
      `file://${victims.inStore}`,
      `${PUBLIC}photo.png`,
      PUBLIC + victims.upper.slice(store.length + 1),
      `${PUBLIC}${name}\n`,
      `${PUBLIC}${name}?v=1`,
      `${PUBLIC}${name}/..`,
      PUBLIC + link,
      PUBLIC + subdir,
      { nested: PUBLIC + name },
    ];
    const expression = policy();
    const results = await Promise.all(crafted.map((avatar) => run(expression, nestedPrompt(EMPTY_UPLOAD, true), { avatar })));
    for (const r of results) {
      expect(r.passing).toBe(true);
      expect(attrs(r)).toEqual({ avatar: '' });
    }
    for (const f of Object.values(victims)) expect(readFileSync(f, 'utf8')).toBe('keep me');
    expect(lstatSync(join(store, link)).isSymbolicLink()).toBe(true);
    expect(statSync(join(store, subdir)).isDirectory()).toBe(true);
  });

  test('a new upload does not delete a crafted previous value either', async () => {
    setup();
    const outside = join(dir.path, 'outside.png');
    writeFileSync(outside, 'keep me');
    const r = await run(policy(), nestedPrompt(dataUri('image/png', img.png)), { avatar: `${PUBLIC}../outside.png` });
    expect(r.passing).toBe(true);
    expect(readFileSync(outside, 'utf8')).toBe('keep me');
  });

  test('an unauthenticated request never deletes files', async () => {
    setup();
    const old = ours();
    writeFileSync(join(store, old), img.png);
    const r = await run(policy(), nestedPrompt(EMPTY_UPLOAD, true), { avatar: PUBLIC + old }, false);
    expect(r.passing).toBe(true);
    expect(existsSync(join(store, old))).toBe(true);
  });

  test('a missing directory refuses the upload with one clear message', async () => {
    setup();
    const r = await run(renderPolicy({ ...defaultPolicyOptions('dir'), storeDir: join(store, 'nope'), publicUrl: PUBLIC }), nestedPrompt(dataUri('image/png', img.png)));
    expect(r).toMatchObject({ passing: false, messages: ['The avatar could not be saved; please try again later or contact an administrator.'] });
    expect(attrs(r)).toEqual({});
  });

  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  (asRoot ? test.skip : test)('an unwritable directory refuses the upload and keeps the old file', async () => {
    setup();
    const old = ours();
    writeFileSync(join(store, old), img.png);
    chmodSync(store, 0o555);
    try {
      const r = await run(policy(), nestedPrompt(dataUri('image/png', img.png)), { avatar: PUBLIC + old });
      expect(r).toMatchObject({ passing: false, messages: ['The avatar could not be saved; please try again later or contact an administrator.'] });
      expect(existsSync(join(store, old))).toBe(true);
    } finally {
      chmodSync(store, 0o755);
    }
  });

  test('an inline setup that kept the dir settings cleans up the old file', async () => {
    setup();
    const old = ours();
    writeFileSync(join(store, old), img.png);
    const inline = renderPolicy({ ...defaultPolicyOptions('inline'), storeDir: store, publicUrl: PUBLIC });
    const r = await run(inline, nestedPrompt(dataUri('image/png', img.png)), { avatar: PUBLIC + old });
    expect(attrs(r).avatar).toBe(dataUri('image/png', img.png));
    expect(existsSync(join(store, old))).toBe(false);
  });
});
