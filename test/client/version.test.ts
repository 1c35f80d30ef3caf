import { afterEach, describe, expect, it } from '@jest/globals';
import { AuthentikClient } from '../../src/authentik/index.js';
import { assertSupported, atLeast, featuresFor, parseVersion } from '../../src/authentik/version.js';
import { CliError } from '../../src/errors.js';
import { TOKEN, json, rejection, startServer, type TestServer } from './server.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

const versionBody = (v: string) => ({
  version_current: v,
  version_latest: '2026.8.3',
  version_latest_valid: true,
  build_hash: 'abc123',
  outdated: false,
  outpost_outdated: false,
});

describe('parseVersion', () => {
  it.each([
    ['2026.8.3', { version: '2026.8.3', major: 2026, minor: 8, patch: 3 }],
    ['2025.12.0-rc1', { version: '2025.12.0-rc1', major: 2025, minor: 12, patch: 0, build: 'rc1' }],
    ['2024.2', { version: '2024.2', major: 2024, minor: 2, patch: 0 }],
    [' 2025.10.4 ', { version: '2025.10.4', major: 2025, minor: 10, patch: 4 }],
    ['2026.8.3+build.7', { version: '2026.8.3+build.7', major: 2026, minor: 8, patch: 3, build: 'build.7' }],
  ])('%s', (raw, want) => {
    expect(parseVersion(raw)).toEqual(want);
  });

  it.each(['', 'latest', '2026', '26.8.3', 'v', '2026.8.3 beta'])('rejects %j with a CliError', (raw) => {
    expect(() => parseVersion(raw)).toThrow(CliError);
    expect(() => parseVersion(raw)).toThrow(/cannot parse the authentik version/);
  });
});

describe('featuresFor', () => {
  it.each([
    ['2024.2.0', { settingsApi: true, underscoreAttributesSafe: false, filesApi: false, mediaPublic: true, oidcPictureClaim: false, attributeDefinitions: false }],
    ['2025.8.4', { settingsApi: true, underscoreAttributesSafe: false, filesApi: false, mediaPublic: true, oidcPictureClaim: false, attributeDefinitions: false }],
    ['2025.10.4', { settingsApi: true, underscoreAttributesSafe: true, filesApi: false, mediaPublic: true, oidcPictureClaim: false, attributeDefinitions: false }],
    ['2025.12.0-rc1', { settingsApi: true, underscoreAttributesSafe: true, filesApi: true, mediaPublic: false, oidcPictureClaim: false, attributeDefinitions: false }],
    ['2026.5.6', { settingsApi: true, underscoreAttributesSafe: true, filesApi: true, mediaPublic: false, oidcPictureClaim: false, attributeDefinitions: false }],
    ['2026.8.3', { settingsApi: true, underscoreAttributesSafe: true, filesApi: true, mediaPublic: false, oidcPictureClaim: true, attributeDefinitions: true }],
    ['2027.1.0', { settingsApi: true, underscoreAttributesSafe: true, filesApi: true, mediaPublic: false, oidcPictureClaim: true, attributeDefinitions: true }],
  ])('%s', (v, want) => {
    expect(featuresFor(parseVersion(v))).toEqual(want);
  });

  it('compares numerically, not as strings', () => {
    expect(atLeast(parseVersion('2025.10.0'), '2025.9')).toBe(true);
    expect(atLeast(parseVersion('2025.9.9'), '2025.10')).toBe(false);
    expect(atLeast(parseVersion('2024.12.0'), '2025.2')).toBe(false);
  });

  it('refuses < 2024.2 and accepts 2024.2.0', () => {
    expect(() => assertSupported(parseVersion('2023.10.7'))).toThrow(
      /^authentik 2023\.10\.7 is older than 2024\.2, the first version with the settings API; upgrade/,
    );
    expect(() => assertSupported(parseVersion('2024.1.9'))).toThrow(CliError);
    expect(() => assertSupported(parseVersion('2024.2.0'))).not.toThrow();
  });
});

describe('client.version()', () => {
  it('refuses authentik 2023.10 with a clear CliError', async () => {
    srv = await startServer((_req, res) => json(res, 200, versionBody('2023.10.4')));
    const c = new AuthentikClient({ url: srv.url, token: TOKEN });
    const e = await rejection(c.version());
    expect(e).toBeInstanceOf(CliError);
    expect(e.message).toBe(
      'authentik 2023.10.4 is older than 2024.2, the first version with the settings API; upgrade authentik to 2024.2 or newer',
    );
    expect((e as unknown as CliError).exitCode).toBe(1);
    await expect(c.features()).rejects.toThrow(/older than 2024\.2/);
  });

  it('asks once per client and caches (also for concurrent callers)', async () => {
    srv = await startServer((_req, res) => setTimeout(() => json(res, 200, versionBody('2025.12.0-rc1')), 20));
    const c = new AuthentikClient({ url: srv.url, token: TOKEN });
    const [a, b] = await Promise.all([c.version(), c.version()]);
    const f = await c.features();
    expect(a).toEqual({ version: '2025.12.0-rc1', major: 2025, minor: 12, patch: 0, build: 'rc1' });
    expect(b).toBe(a);
    expect(f.filesApi).toBe(true);
    expect(f.mediaPublic).toBe(false);
    expect(srv.requests.map((r) => r.path)).toEqual(['/api/v3/admin/version/']);
  });

  it('does not cache a failure', async () => {
    let n = 0;
    srv = await startServer((_req, res) => (n++ === 0 ? json(res, 403, { detail: 'Token invalid/expired' }) : json(res, 200, versionBody('2026.8.3'))));
    const c = new AuthentikClient({ url: srv.url, token: TOKEN });
    await expect(c.version()).rejects.toThrow(/403 Forbidden/);
    await expect(c.version()).resolves.toMatchObject({ major: 2026, minor: 8, patch: 3 });
    expect(srv.requests).toHaveLength(2);
  });

  it('a version answer without version_current is a clear error', async () => {
    srv = await startServer((_req, res) => json(res, 200, { detail: 'hello' }));
    const c = new AuthentikClient({ url: srv.url, token: TOKEN });
    await expect(c.version()).rejects.toThrow(/admin\/version\/ failed: malformed answer \(no "version_current" string\)/);
  });
});
