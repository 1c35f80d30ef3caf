// whoami against the stand-in: output, --json purity, exit codes, precedence (which server was
// contacted), token sources, --verbose request log, --insecure warning, and the token never printed.
import { afterEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempDir, type RunResult } from '../helpers/run.js';
import { useStandin, withStandin, type StandinHandle } from '../helpers/standin.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

function noSecret(r: RunResult, ...secrets: string[]): void {
  for (const s of secrets) {
    expect(r.stdout).not.toContain(s);
    expect(r.stderr).not.toContain(s);
  }
}

/** stdout is exactly one JSON document (JSON.parse would also accept surrounding whitespace only). */
function oneJson(stdout: string): unknown {
  expect(stdout.trim().startsWith('{')).toBe(true);
  return JSON.parse(stdout);
}

describe('whoami', () => {
  const sb = useStandin();

  it('prints the user and the authentik version; stderr stays empty when piped', async () => {
    const { env, standin } = sb();
    const r = await run(['whoami'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^akadmin/);
    expect(r.stdout).toContain(`authentik:  ${standin.version} at ${standin.url}`);
    expect(r.stdout).toContain('superuser');
    noSecret(r, standin.token);
    expect(standin.requests.map((q) => q.path)).toEqual(expect.arrayContaining(['/api/v3/core/users/me/', '/api/v3/admin/version/']));
    expect(standin.violations).toEqual([]);
  });

  it('--json: exactly one JSON document on stdout, nothing on stderr', async () => {
    const { env, standin } = sb();
    for (const args of [['--json', 'whoami'], ['whoami', '--json']]) {
      const r = await run(args, { env, isTTY: true });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const doc = oneJson(r.stdout) as Record<string, unknown>;
      expect(doc).toEqual({
        url: standin.url,
        profile: null,
        user: expect.objectContaining({ username: 'akadmin', is_superuser: true, pk: expect.any(Number) }),
        authentik: { version: standin.version },
      });
      noSecret(r, standin.token);
    }
  });

  it('a wrong token: exit 4, one Error line + Hint, the token nowhere; --json gets the error document', async () => {
    const { standin } = sb();
    const wrong = 'wrong-token-7f3a9c1e5b2d4680aa11bb22cc33dd44';
    const env = { AUTHENTIK_URL: standin.url, AUTHENTIK_TOKEN: wrong };
    const r = await run(['whoami'], { env });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Error: GET .*\/api\/v3\/.* failed: 403 Forbidden: Token invalid\/expired/);
    expect(lines.slice(1).every((l) => l.startsWith('Hint: '))).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(2);
    noSecret(r, wrong, standin.token);
    const j = await run(['--json', 'whoami'], { env });
    expect(j.code).toBe(4);
    expect(oneJson(j.stdout)).toEqual({ error: expect.objectContaining({ exitCode: 4, message: expect.stringMatching(/403/) }) });
    noSecret(j, wrong);
  });

  it('a path authentik does not serve: exit 5 (not found)', async () => {
    const { standin } = sb();
    const r = await run(['whoami'], { env: { AUTHENTIK_URL: `${standin.url}/no-such-prefix/`, AUTHENTIK_TOKEN: standin.token } });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^Error: .*404/);
    noSecret(r, standin.token);
  });

  it('nothing listening: exit 1 with one line, no stack trace; --verbose adds the stack', async () => {
    const { standin } = sb();
    const url = standin.url;
    await sb().close();
    const env = { AUTHENTIK_URL: url, AUTHENTIK_TOKEN: 'some-token-0123456789abcdef' };
    const r = await run(['whoami'], { env, clientOptions: { retries: 0 } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: .*ECONNREFUSED/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const v = await run(['--verbose', 'whoami'], { env, clientOptions: { retries: 0 } });
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/\n\s+at /);
    noSecret(v, 'some-token-0123456789abcdef');
  });

  it('--verbose: one line per HTTP request on stderr, token redacted', async () => {
    const { env, standin } = sb();
    const before = standin.requests.length;
    const r = await run(['-v', 'whoami'], { env });
    expect(r.code).toBe(0);
    const sent = standin.requests.length - before;
    const logLines = r.stderr.split('\n').filter((l) => /\b(GET|POST|PATCH|PUT|DELETE)\b/.test(l));
    expect(sent).toBeGreaterThanOrEqual(2);
    expect(logLines).toHaveLength(sent);
    expect(logLines.join('\n')).toContain('/api/v3/core/users/me/');
    noSecret(r, standin.token);
    // --verbose under --json: stdout still one document, the log on stderr
    const j = await run(['-v', '--json', 'whoami'], { env });
    expect(j.code).toBe(0);
    oneJson(j.stdout);
    expect(j.stderr).toContain('/api/v3/core/users/me/');
    noSecret(j, standin.token);
  });

  it('--insecure prints a warning on stderr (and still works)', async () => {
    const { env, standin } = sb();
    const r = await run(['--insecure', 'whoami'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Warning: TLS certificate verification is disabled \(--insecure\)/);
    const j = await run(['--insecure', '--json', 'whoami'], { env });
    expect(j.stderr).toMatch(/^Warning: TLS certificate verification is disabled/);
    oneJson(j.stdout);
    noSecret(j, standin.token);
  });

  it('--token-file and the token from stdin', async () => {
    const { standin } = sb();
    const file = join(tempDir(), 'token');
    writeFileSync(file, `${standin.token}\n`);
    const env = { AUTHENTIK_URL: standin.url, AUTHENTIK_TOKEN: 'wrong-token-in-env-0000000000' };
    const f = await run(['--token-file', file, 'whoami'], { env });
    expect(f.code).toBe(0);
    const s = await run(['--token', '-', 'whoami'], { env, stdin: `${standin.token}\n` });
    expect(s.code).toBe(0);
    const s2 = await run(['--token-stdin', 'whoami'], { env, stdin: standin.token });
    expect(s2.code).toBe(0);
    for (const r of [f, s, s2]) noSecret(r, standin.token);
    const missing = await run(['--token-file', join(tempDir(), 'nope'), 'whoami'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read token file .*ENOENT/);
  });

  it('terminal output: colour and animation on a TTY; none with CI=true, NO_COLOR or --no-color', async () => {
    const { env } = sb();
    const ci = await run(['whoami'], { env: { ...env, CI: 'true' }, isTTY: true });
    expect(ci.code).toBe(0);
    expect(ci.stdout + ci.stderr).not.toMatch(ANSI);
    const noColor = await run(['whoami'], { env: { ...env, NO_COLOR: '1' }, isTTY: true });
    expect(noColor.stdout).not.toMatch(ANSI);
    const flag = await run(['--no-color', 'whoami'], { env, isTTY: true });
    expect(flag.stdout).not.toMatch(ANSI);
    const tty = await run(['whoami'], { env, isTTY: true });
    expect(tty.stdout).toMatch(ANSI);
  });
});

describe('precedence against two live servers: the one named by the winning source is contacted', () => {
  let a: StandinHandle | undefined;
  let b: StandinHandle | undefined;
  afterEach(async () => {
    await a?.close();
    await b?.close();
  });

  const calls = (h: StandinHandle) => h.standin.requests.filter((q) => q.path === '/api/v3/core/users/me/').length;

  it('flag > env > profile', async () => {
    a = await withStandin();
    b = await withStandin();
    const configDir = tempDir();
    // profile -> server A
    await run(['config', 'set', 'a', '--url', a.standin.url, '--token-stdin'], { configDir, stdin: a.standin.token });

    const viaProfile = await run(['--json', 'whoami'], { configDir });
    expect(viaProfile.code).toBe(0);
    expect(oneJson(viaProfile.stdout)).toMatchObject({ url: a.standin.url, profile: 'a' });
    expect([calls(a), calls(b)]).toEqual([1, 0]);

    // env -> server B beats the profile
    const viaEnv = await run(['--json', 'whoami'], { configDir, env: b.env });
    expect(viaEnv.code).toBe(0);
    expect(oneJson(viaEnv.stdout)).toMatchObject({ url: b.standin.url, profile: null });
    expect([calls(a), calls(b)]).toEqual([1, 1]);

    // flags -> server A beat env B
    const viaFlag = await run(['--url', a.standin.url, '--token-stdin', '--json', 'whoami'], {
      configDir,
      env: b.env,
      stdin: a.standin.token,
    });
    expect(viaFlag.code).toBe(0);
    expect(oneJson(viaFlag.stdout)).toMatchObject({ url: a.standin.url });
    expect([calls(a), calls(b)]).toEqual([2, 1]);

    // --url B with only profile A's token available: refused, nothing sent anywhere
    const mixed = await run(['--url', b.standin.url, 'whoami'], { configDir });
    expect(mixed.code).toBe(2);
    expect([calls(a), calls(b)]).toEqual([2, 1]);
    noSecret(mixed, a.standin.token, b.standin.token);
  });
});
