// The files API of authentik >= 2025.12 (authentik/admin/files/api.py) and the token-protected
// /files/media/public/<name>?token=<JWT> URLs it hands out (FileBackend.file_url, 15 minute expiry).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest, ok } from '../http.js';
import type { FileRec } from '../types.js';
import { perms, type Route } from './common.js';

export const MAX_FILE_SIZE_BYTES = 25 * 1024 * 1024;
const URL_EXPIRY_S = 15 * 60;
const SECRET = 'ak-standin-file-url-secret';
const USAGES = ['media'];

const MIME: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', svg: 'image/svg+xml',
  ico: 'image/vnd.microsoft.icon', bmp: 'image/bmp', avif: 'image/avif', txt: 'text/plain', json: 'application/json',
  pdf: 'application/pdf', css: 'text/css', html: 'text/html', js: 'text/javascript',
};

/** Python's mimetypes.guess_type(name) or application/octet-stream. */
export function mimeFromName(name: string): string {
  const ext = /\.([^./]+)$/.exec(name)?.[1]?.toLowerCase();
  return (ext && MIME[ext]) || 'application/octet-stream';
}

/** validate_upload_file_name (authentik/admin/files/validation.py); throws DRF's list-shaped 400. */
export function validateFileName(name: string): void {
  const fail = (msg: string): never => {
    throw badRequest([msg]);
  };
  if (!name) fail('File name cannot be empty');
  if (!/^[a-zA-Z0-9._/-]+$/.test(name)) {
    fail('File name can only contain letters (a-z, A-Z), numbers (0-9), dots (.), hyphens (-), underscores (_), and forward slashes (/)');
  }
  if (name.includes('//')) fail('File name cannot contain duplicate /');
  if (name.startsWith('/')) fail('Absolute paths are not allowed');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) fail("Parent directory references ('..') are not allowed");
  const normalized = parts.join('/');
  if (normalized.startsWith('.')) fail("Paths cannot start with '.'");
  if (normalized.length > 1024) fail('File name too long (max 1024 characters)');
  if (parts.some((p) => p.length > 255)) fail('Path component too long (max 255 characters)');
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

function sign(path: string, nowS = Math.floor(Date.now() / 1000)): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ path, exp: nowS + URL_EXPIRY_S, nbf: nowS - 15 }));
  const sig = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

export function fileUrl(f: FileRec): string {
  const path = `${f.usage}/public/${f.name}`;
  return `/files/${path}?token=${sign(path)}`;
}

/** true when `token` is a valid, unexpired signature for `path` (e.g. "media/public/a.png"). */
export function verifyFileToken(path: string, token: string): boolean {
  const [header, payload, sig] = token.split('.');
  if (!header || !payload || !sig) return false;
  const expected = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { path?: string; exp?: number; nbf?: number };
    const now = Math.floor(Date.now() / 1000);
    return claims.path === path && (claims.exp ?? 0) > now && (claims.nbf ?? 0) <= now;
  } catch {
    return false;
  }
}

function usageParam(raw: string | null | undefined): string {
  const usage = raw ?? 'media';
  if (!USAGES.includes(usage)) throw badRequest({ usage: [`"${usage}" is not a valid choice.`] });
  return usage;
}

export const fileRoutes: Route[] = [
  {
    method: 'GET',
    template: '/admin/file/',
    access: perms('authentik_rbac.view_media_files'),
    handler: (req, ctx) => {
      const usage = usageParam(req.query.get('usage'));
      const q = req.query.get('search') ?? '';
      // authentik compares the query as given against the lower-cased name
      const files = ctx.state.files
        .filter((f) => f.usage === usage && (!q || f.name.toLowerCase().includes(q)))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return ok(files.map((f) => ({ name: f.name, url: fileUrl(f), mime_type: mimeFromName(f.name) })));
    },
  },
  {
    method: 'POST',
    template: '/admin/file/',
    access: perms('authentik_rbac.manage_media_files'),
    accepts: 'multipart',
    handler: (req, ctx) => {
      const fields = (req.body ?? {}) as Record<string, string>;
      const file = req.files['file'];
      if (!file) throw badRequest({ file: ['No file was submitted.'] });
      if (file.data.length === 0) throw badRequest({ file: ['The submitted file is empty.'] });
      if (file.data.length > MAX_FILE_SIZE_BYTES) {
        throw badRequest({ file: [`File size (${file.data.length}B) exceeds maximum allowed size (${MAX_FILE_SIZE_BYTES}B).`] });
      }
      const usage = fields['usage'] ?? 'media';
      if (!USAGES.includes(usage)) throw badRequest([`Invalid usage parameter provided: ${usage}`]);
      const name = (fields['name'] ?? '').trim() || file.filename;
      validateFileName(name);
      if (ctx.state.files.some((f) => f.usage === usage && f.name === name)) {
        throw badRequest({ name: ['A file with this name already exists.'] });
      }
      ctx.state.files.push({ name, usage, data: file.data.toString('base64') });
      return { status: 200 }; // Response() -> 200 with an empty body
    },
  },
  {
    method: 'DELETE',
    template: '/admin/file/',
    access: perms('authentik_rbac.manage_media_files'),
    handler: (req, ctx) => {
      const name = req.query.get('name');
      if (name === null) throw badRequest({ name: ['This field is required.'] });
      const usage = usageParam(req.query.get('usage'));
      validateFileName(name);
      // FileBackend.delete_file: unlink(missing_ok=True) -> deleting a missing file succeeds
      ctx.state.files = ctx.state.files.filter((f) => !(f.usage === usage && f.name === name));
      return { status: 200 };
    },
  },
];

/** GET /files/<usage>/public/<name>?token=... (served by authentik's Rust/Go server in front). */
export function serveFile(files: FileRec[], pathname: string, token: string | null): { status: number; body: Buffer; type: string } {
  const m = /^\/files\/([^/]+)\/public\/(.+)$/.exec(pathname);
  if (!m) return { status: 404, body: Buffer.from('Not Found'), type: 'text/plain' };
  const usage = m[1] ?? '';
  const name = decodeURIComponent(m[2] ?? '');
  if (!token || !verifyFileToken(`${usage}/public/${name}`, token)) {
    return { status: 403, body: Buffer.from('Forbidden'), type: 'text/plain' };
  }
  const f = files.find((x) => x.usage === usage && x.name === name);
  if (!f) return { status: 404, body: Buffer.from('Not Found'), type: 'text/plain' };
  return { status: 200, body: Buffer.from(f.data, 'base64'), type: mimeFromName(f.name) };
}

