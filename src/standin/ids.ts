// Identifiers: seeded objects get stable UUIDs derived from their names (so two fresh stand-ins
// agree and dumps diff cleanly); objects created through the API get random ones.
import { createHash, randomUUID } from 'node:crypto';

export function stableUuid(name: string): string {
  const h = createHash('sha256').update(`ak-standin:${name}`).digest('hex');
  // shape it like a version-4 UUID so UUID validators accept it
  const variant = ((Number.parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function newUuid(): string {
  return randomUUID();
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Django's UUIDField accepts hex with or without dashes, any case; returns the canonical form or null. */
export function canonicalUuid(value: string): string | null {
  const v = value.trim();
  if (!UUID_RE.test(v)) return null;
  const hex = v.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** authentik's User.uid: sha256 of "<pk>-<install id>". */
export function userUid(pk: number): string {
  return createHash('sha256').update(`${pk}-ak-standin-install-id`).digest('hex');
}
