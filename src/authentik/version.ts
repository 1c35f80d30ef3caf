// authentik version parsing and the feature gates derived from it.
// Kept free of axios (and of any runtime import besides src/errors.ts) so it is cheap to import.

import { CliError, ExitCode } from '../errors.js';

export interface VersionInfo {
  /** As reported by authentik, trimmed, e.g. "2026.8.3" or "2025.12.0-rc1". */
  version: string;
  major: number;
  minor: number;
  patch: number;
  /** Pre-release/build suffix after the patch number, e.g. "rc1"; absent for releases. */
  build?: string;
}

export interface Features {
  /** >= 2024.2: /admin/settings/ with `avatars`. */
  settingsApi: boolean;
  /** >= 2025.10: the user write stage no longer mangles `_` in attribute keys. */
  underscoreAttributesSafe: boolean;
  /** >= 2025.12: files API /admin/file/. */
  filesApi: boolean;
  /** < 2025.12: /media is served publicly (later: only with expiring tokens). */
  mediaPublic: boolean;
  /** >= 2026.8: data URIs travel in the OIDC `picture` claim of the default profile mapping. */
  oidcPictureClaim: boolean;
  /** >= 2026.8: attribute definitions are validated on user PATCH. */
  attributeDefinitions: boolean;
}

/** The oldest authentik this CLI talks to: the first with the settings API. */
export const MIN_VERSION = '2024.2';

// "2026.8.3", "2025.12.0-rc1", "2024.2" (patch optional), "v2025.10.4", "2026.8.3+build.7"
const VERSION_RE = /^v?(\d{4})\.(\d{1,2})(?:\.(\d+))?(?:[-+.]?([0-9A-Za-z][0-9A-Za-z.+-]*))?$/;

/** Parses an authentik version string; throws CliError on anything unrecognisable. */
export function parseVersion(raw: string): VersionInfo {
  const version = String(raw ?? '').trim();
  const m = VERSION_RE.exec(version);
  if (!m) {
    throw new CliError(`cannot parse the authentik version "${version.slice(0, 40)}"`, ExitCode.ERROR, {
      hint: 'expected a calendar version like 2026.8.3 from GET /api/v3/admin/version/',
    });
  }
  const info: VersionInfo = {
    version,
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] !== undefined ? Number(m[3]) : 0,
  };
  if (m[4] !== undefined) info.build = m[4];
  return info;
}

/** Compares release numbers only (a pre-release of 2025.12 counts as 2025.12: it has its features). */
export function compareVersions(a: Pick<VersionInfo, 'major' | 'minor' | 'patch'>, b: Pick<VersionInfo, 'major' | 'minor' | 'patch'>): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** True when `v` is `since` ("2025.12" or "2025.12.1") or newer. */
export function atLeast(v: VersionInfo, since: string): boolean {
  const s = parseVersion(since);
  return compareVersions(v, s) >= 0;
}

export function featuresFor(v: VersionInfo): Features {
  return {
    settingsApi: atLeast(v, '2024.2'),
    underscoreAttributesSafe: atLeast(v, '2025.10'),
    filesApi: atLeast(v, '2025.12'),
    mediaPublic: !atLeast(v, '2025.12'),
    oidcPictureClaim: atLeast(v, '2026.8'),
    attributeDefinitions: atLeast(v, '2026.8'),
  };
}

/** Throws a clear CliError for versions this CLI cannot work with. */
export function assertSupported(v: VersionInfo): void {
  if (!atLeast(v, MIN_VERSION)) {
    throw new CliError(
      `authentik ${v.version} is older than ${MIN_VERSION}, the first version with the settings API; upgrade authentik to ${MIN_VERSION} or newer`,
      ExitCode.ERROR,
      { hint: 'ak-avatars changes the `avatars` system setting through /api/v3/admin/settings/, which older releases lack' },
    );
  }
}
