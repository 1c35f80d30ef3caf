// Versions the stand-in can pretend to be. The full version strings match the installed
// ak-schema-<version> packages (npm aliases of @goauthentik/api), so a response validated
// against that schema is what that release would send.
import type { StandinVersion } from './types.js';

export const STANDIN_VERSIONS: StandinVersion[] = ['2025.10', '2025.12', '2026.2', '2026.5', '2026.8'];

export const FULL_VERSION: Record<StandinVersion, string> = {
  '2025.10': '2025.10.4',
  '2025.12': '2025.12.6',
  '2026.2': '2026.2.0',
  '2026.5': '2026.5.6',
  '2026.8': '2026.8.3',
};

export function isStandinVersion(v: unknown): v is StandinVersion {
  return typeof v === 'string' && (STANDIN_VERSIONS as string[]).includes(v);
}

/** Numeric ordering key: 2025.12 -> 202512. */
export function versionKey(v: StandinVersion): number {
  const [maj, min] = v.split('.').map(Number);
  return (maj ?? 0) * 100 + (min ?? 0);
}

export function atLeast(v: StandinVersion, other: StandinVersion): boolean {
  return versionKey(v) >= versionKey(other);
}

/**
 * Paths that do not exist in every version in scope. Used when the schema package is absent
 * (end-user install); with the schema loaded, the schema itself decides what exists.
 */
export function pathExists(v: StandinVersion, template: string): boolean {
  if (template.startsWith('/admin/file/')) return atLeast(v, '2025.12');
  if (template.startsWith('/core/object_attributes/')) return atLeast(v, '2026.8');
  return true;
}
