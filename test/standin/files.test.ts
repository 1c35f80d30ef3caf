// The files API (2025.12+): multipart upload, list, delete, name rules, duplicates, 25 MB cap,
// and the token-protected /files/ URLs it hands out.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStandin, type Standin } from '../../src/standin/index.js';
import { api } from './helpers.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f5a34e0000000049454e44ae426082', 'hex');

function form(name: string | undefined, data: Buffer, filename = 'upload.png'): FormData {
  const f = new FormData();
  f.append('file', new Blob([data], { type: 'image/png' }), filename);
  if (name !== undefined) f.append('name', name);
  return f;
}

let s: Standin;
beforeAll(async () => {
  s = await startStandin({ version: '2025.12' });
});
afterAll(() => s.close());

describe('files API', () => {
  it('uploads, lists with a token URL that serves the bytes, and deletes', async () => {
    const up = await api(s, 'POST', 'admin/file/', { form: form('avatars/alice.png', PNG) });
    expect(up.status).toBe(200);
    expect(up.text).toBe('');
    const list = await api(s, 'GET', 'admin/file/');
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({ name: 'avatars/alice.png', mime_type: 'image/png' });
    expect(list.body[0].url).toMatch(/^\/files\/media\/public\/avatars\/alice\.png\?token=[\w-]+\.[\w-]+\.[\w-]+$/);
    const served = await fetch(`${s.url}${list.body[0].url}`);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);
    // without the token the media is not public any more (2025.12+)
    expect((await fetch(`${s.url}/files/media/public/avatars/alice.png`)).status).toBe(403);
    expect((await api(s, 'GET', 'admin/file/?search=alice')).body).toHaveLength(1);
    expect((await api(s, 'GET', 'admin/file/?search=bob')).body).toHaveLength(0);

    const del = await api(s, 'DELETE', 'admin/file/?name=avatars/alice.png');
    expect(del.status).toBe(200);
    expect((await api(s, 'GET', 'admin/file/')).body).toEqual([]);
    // deleting a missing file is not an error (unlink(missing_ok=True))
    expect((await api(s, 'DELETE', 'admin/file/?name=avatars/alice.png')).status).toBe(200);
    expect(s.violations).toEqual([]);
  });

  it('uses the upload filename when no name is given, refuses duplicates', async () => {
    expect((await api(s, 'POST', 'admin/file/', { form: form(undefined, PNG, 'plain.png') })).status).toBe(200);
    const dup = await api(s, 'POST', 'admin/file/', { form: form('plain.png', PNG) });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ name: ['A file with this name already exists.'] });
  });

  it('enforces the name rules', async () => {
    const cases: [string, string][] = [
      ['bad name.png', 'File name can only contain letters (a-z, A-Z), numbers (0-9), dots (.), hyphens (-), underscores (_), and forward slashes (/)'],
      ['a//b.png', 'File name cannot contain duplicate /'],
      ['/abs.png', 'Absolute paths are not allowed'],
      ['../up.png', "Parent directory references ('..') are not allowed"],
      ['.hidden.png', "Paths cannot start with '.'"],
    ];
    for (const [name, msg] of cases) {
      const r = await api(s, 'POST', 'admin/file/', { form: form(name, PNG) });
      expect([name, r.status, r.body]).toEqual([name, 400, [msg]]);
    }
  });

  it('caps uploads at 25 MB and needs multipart', async () => {
    const big = Buffer.alloc(25 * 1024 * 1024 + 1, 1);
    const r = await api(s, 'POST', 'admin/file/', { form: form('big.bin', big) });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ file: [`File size (${big.length}B) exceeds maximum allowed size (${25 * 1024 * 1024}B).`] });
    const json = await api(s, 'POST', 'admin/file/', { body: { name: 'x.png' } });
    expect(json.status).toBe(415);
    const nofile = new FormData();
    nofile.append('name', 'x.png');
    const missing = await api(s, 'POST', 'admin/file/', { form: nofile });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ file: ['No file was submitted.'] }); // DRF FileField's text
  });

  it('needs the media permissions', async () => {
    s.addToken('viewer', { username: 'carol', permissions: ['authentik_rbac.view_media_files'] });
    expect((await api(s, 'GET', 'admin/file/', { token: 'viewer' })).status).toBe(200);
    expect((await api(s, 'POST', 'admin/file/', { token: 'viewer', form: form('v.png', PNG) })).status).toBe(403);
    expect(s.violations).toEqual([]);
  });
});
