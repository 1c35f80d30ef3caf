// End to end: the built bin/ak-avatars.js as a child process with a clean environment, against a
// stand-in started in this process; and `ak-avatars sandbox` as a real process stopped by SIGTERM.
// Needs dist/ (the `pretest` script builds it).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/run.js';
import { withStandin, type StandinHandle } from '../helpers/standin.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'ak-avatars.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Clean env: nothing from the developer's shell (CI, FORCE_COLOR, tokens, config) leaks in. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: tempDir('ak-avatars-home-'), ...extra };
}

function cli(args: string[], env: Record<string, string>, input?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { env, cwd: tempDir(), timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

let sb: StandinHandle;
beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does)');
  sb = await withStandin();
});
afterAll(async () => {
  await sb?.close();
});

describe('bin/ak-avatars.js', () => {
  it('a reader that closes stdout early (| head -1) gets no EPIPE crash', async () => {
    // stdout is a pipe whose reading end is closed before the CLI writes, like `| head -0`
    const r = await new Promise<Result>((resolve) => {
      const child = spawn(process.execPath, [bin, '--help'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stdout.destroy();
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout: '', stderr }));
    });
    expect(r.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(r.code).toBe(0);
  });

  it('whoami (human)', async () => {
    const r = await cli(['whoami'], cleanEnv(sb.env));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^akadmin/);
    expect(r.stdout).toContain(sb.standin.version);
    expect(r.stdout + r.stderr).not.toContain(sb.standin.token);
  });

  it('whoami --json: one document, nothing else', async () => {
    const r = await cli(['--json', 'whoami'], cleanEnv(sb.env));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ url: sb.standin.url, user: { username: 'akadmin' }, authentik: { version: sb.standin.version } });
  });

  it('a wrong token: exit 4, no token in the output', async () => {
    const wrong = 'e2e-wrong-token-abcdef0123456789abcdef';
    const r = await cli(['whoami'], cleanEnv({ AUTHENTIK_URL: sb.standin.url, AUTHENTIK_TOKEN: wrong }));
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^Error: .*403/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });

  it('usage error exit 2; --help exit 0; no args exit 2', async () => {
    expect((await cli(['whoam'], cleanEnv())).code).toBe(2);
    const help = await cli(['--help'], cleanEnv());
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: ak-avatars/);
    expect((await cli([], cleanEnv())).code).toBe(2);
  });

  it('profiles land in $HOME/.config/ak-avatars/config.json with mode 0600 (env-paths + XDG default)', async () => {
    const env = cleanEnv();
    const set = await cli(['config', 'set', 'sb', '--url', sb.standin.url, '--token-stdin'], env, sb.standin.token);
    expect(set.code).toBe(0);
    const file = join(env.HOME!, '.config', 'ak-avatars', 'config.json');
    expect(existsSync(file)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const who = await cli(['--json', 'whoami'], env);
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ profile: 'sb', url: sb.standin.url });
  });
});

describe('ak-avatars sandbox (real process)', () => {
  it('prints URL and token, serves requests, stops on SIGTERM with exit 0', async () => {
    const child = spawn(process.execPath, [bin, 'sandbox', '--json'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const doc = await new Promise<{ url: string; token: string; version: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output from sandbox; stderr: ${stderr}`)), 15_000);
      child.stdout.on('data', (d) => {
        stdout += d;
        try {
          const parsed = JSON.parse(stdout);
          clearTimeout(timer);
          resolve(parsed);
        } catch {
          /* not complete yet */
        }
      });
    });
    try {
      expect(doc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const who = await cli(['--json', 'whoami'], cleanEnv({ AUTHENTIK_URL: doc.url, AUTHENTIK_TOKEN: doc.token }));
      expect(who.code).toBe(0);
      expect(JSON.parse(who.stdout).authentik.version).toBe(doc.version);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });

  it('human mode prints the export line', async () => {
    const child = spawn(process.execPath, [bin, 'sandbox'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no output from sandbox')), 15_000);
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('Press Ctrl-C')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/export AUTHENTIK_URL=http:\/\/127\.0\.0\.1:\d+ AUTHENTIK_TOKEN=\S+/);
  });
});
