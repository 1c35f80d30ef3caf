// The file names our stores write, shared with the Python validation policy (src/policy/avatar_policy.py):
// "akav-" + 32 lowercase hex characters (128 random bits) + an image extension. Anything that does
// not match exactly is not ours and is never deleted.

import { randomBytes } from 'node:crypto';

// Keep in sync with OUR_FILE in src/policy/avatar_policy.py (the policy may write .svg when SVG is allowed).
export const FILE_NAME_RE = /^akav-[0-9a-f]{32}\.(?:png|jpg|webp|gif|svg)$/;

const EXTENSIONS: Record<string, string> = { png: 'png', jpeg: 'jpg', webp: 'webp', gif: 'gif' };

export function extensionFor(format: string): string {
  const ext = EXTENSIONS[format];
  if (!ext) throw new Error(`no file extension for image format ${format}`);
  return ext;
}

export function newFileName(format: string): string {
  return `akav-${randomBytes(16).toString('hex')}.${extensionFor(format)}`;
}
