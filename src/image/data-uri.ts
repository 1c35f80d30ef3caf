// data: URIs (RFC 2397) as stored in authentik's `avatar` attribute. parseDataUri never throws: garbage gives null.

const MIME_TOKEN = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;
const PARAM = /^[a-z0-9!#$&^_.+-]+=("[^"]*"|[a-z0-9!#$&^_.+-]+)$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function parseDataUri(uri: string): { mime: string; data: Buffer } | null {
  try {
    if (typeof uri !== 'string' || !/^data:/i.test(uri)) return null;
    const comma = uri.indexOf(',');
    if (comma < 0) return null;
    const params = uri.slice(5, comma).split(';');
    const mime = (params.shift() ?? '').trim().toLowerCase() || 'text/plain';
    if (!MIME_TOKEN.test(mime)) return null;
    let base64 = false;
    if (params.length > 0 && (params[params.length - 1] as string).toLowerCase() === 'base64') {
      base64 = true;
      params.pop();
    }
    if (!params.every((p) => PARAM.test(p.trim()))) return null;
    const payload = uri.slice(comma + 1);
    const data = base64 ? strictBase64(payload) : percentDecode(payload);
    return data ? { mime, data } : null;
  } catch {
    return null;
  }
}

/** Standard alphabet, padded, no whitespace, canonical (re-encoding gives the same text: no stray trailing bits). */
function strictBase64(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return null;
  const data = Buffer.from(text, 'base64');
  return data.toString('base64') === text ? data : null;
}

function percentDecode(text: string): Buffer | null {
  const utf8 = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(utf8.length);
  let n = 0;
  for (let i = 0; i < utf8.length; i++) {
    const b = utf8[i] as number;
    if (b === 0x25) {
      const hex = utf8.toString('latin1', i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/i.test(hex)) return null;
      out[n++] = parseInt(hex, 16);
      i += 2;
    } else out[n++] = b;
  }
  return out.subarray(0, n);
}

export function toDataUri(mime: string, data: Buffer): string {
  const m = mime.trim().toLowerCase();
  if (!MIME_TOKEN.test(m)) throw new TypeError(`invalid MIME type ${JSON.stringify(mime)}`);
  return `data:${m};base64,${data.toString('base64')}`;
}
