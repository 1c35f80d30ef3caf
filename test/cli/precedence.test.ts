// flag > env > profile, per setting, checked through `config show` (no server needed).
// test/cli/whoami.test.ts checks the same against two live stand-ins (which one was contacted).
import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempDir } from '../helpers/run.js';

const PROFILE_TOKEN = 'profile-token-0123456789abcdefghijklmnopqrstuvwxyz-P';
const ENV_TOKEN = 'envtoken-0123456789abcdefghijklmnopqrstuvwxyz-E';
const FLAG_TOKEN = 'flagtoken-0123456789abcdefghijklmnopqrstuvwxyz-F';
const FILE_TOKEN = 'filetoken-0123456789abcdefghijklmnopqrstuvwxyz-L';
const STDIN_TOKEN = 'stdintoken-0123456789abcdefghijklmnopqrstuvwxyz-S';

async function withProfiles(): Promise<string> {
  const dir = tempDir();
  await run(['config', 'set', 'prod', '--url', 'https://profile.example', '--token-stdin', '--ca-file', '/etc/prod-ca.pem'], {
    configDir: dir,
    stdin: PROFILE_TOKEN,
  });
  await run(['config', 'set', 'other', '--url', 'https://other-profile.example', '--token-stdin'], {
    configDir: dir,
    stdin: 'other-token-0123456789abcdefghijklmnopqrstuvwxyz-O',
  });
  return dir;
}

async function show(args: string[], opts: Parameters<typeof run>[1]) {
  const r = await run([...args, 'config', 'show', '--json'], opts);
  if (r.code !== 0) throw new Error(`config show failed: ${r.stderr}`);
  for (const t of [PROFILE_TOKEN, ENV_TOKEN, FLAG_TOKEN, FILE_TOKEN, STDIN_TOKEN]) expect(r.stdout + r.stderr).not.toContain(t);
  return JSON.parse(r.stdout) as {
    profile: string | null;
    url: { value: string; source: string };
    token: { value: string; source: string };
    caFile: string | null;
    insecure: boolean;
  };
}

describe('precedence flag > env > profile', () => {
  it('profile only', async () => {
    const configDir = await withProfiles();
    const s = await show([], { configDir });
    expect(s).toMatchObject({
      profile: 'prod',
      url: { value: 'https://profile.example', source: 'profile' },
      token: { value: 'pro…yz-P', source: 'profile' },
      caFile: '/etc/prod-ca.pem',
    });
  });

  it('env beats profile; flag beats env', async () => {
    const configDir = await withProfiles();
    const env = { AUTHENTIK_URL: 'https://env.example', AUTHENTIK_TOKEN: ENV_TOKEN };
    const s1 = await show([], { configDir, env });
    expect(s1).toMatchObject({ url: { value: 'https://env.example', source: 'env' }, token: { value: 'env…yz-E', source: 'env' } });
    // the profile's CA file belongs to the profile's URL only
    expect(s1.caFile).toBeNull();
    expect(s1.profile).toBeNull();
    const s2 = await show(['--url', 'https://flag.example', '--token', FLAG_TOKEN], { configDir, env });
    expect(s2).toMatchObject({ url: { value: 'https://flag.example', source: 'flag' }, token: { value: 'fla…yz-F', source: 'flag' } });
  });

  it('--token-file and --token - (stdin) are flags too', async () => {
    const configDir = await withProfiles();
    const file = join(tempDir(), 'tok');
    writeFileSync(file, `${FILE_TOKEN}\n`);
    const env = { AUTHENTIK_TOKEN: ENV_TOKEN };
    const s1 = await show(['--token-file', file], { configDir, env });
    expect(s1.token).toEqual({ value: 'fil…yz-L', source: 'file' });
    const s2 = await show(['--token', '-'], { configDir, env, stdin: `${STDIN_TOKEN}\n` });
    expect(s2.token).toEqual({ value: 'std…yz-S', source: 'stdin' });
    const s3 = await show(['--token-stdin'], { configDir, env, stdin: STDIN_TOKEN });
    expect(s3.token.source).toBe('stdin');
    const both = await run(['--token-file', file, '--token-stdin', 'config', 'show'], { configDir, stdin: STDIN_TOKEN });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give the token one way only/);
  });

  it('profile selection: --profile > AK_AVATARS_PROFILE > current', async () => {
    const configDir = await withProfiles();
    expect((await show([], { configDir, env: { AK_AVATARS_PROFILE: 'other' } })).url.value).toBe('https://other-profile.example');
    expect((await show(['--profile', 'prod'], { configDir, env: { AK_AVATARS_PROFILE: 'other' } })).url.value).toBe('https://profile.example');
    const missing = await run(['--profile', 'nope', 'config', 'show'], { configDir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/profile 'nope' \(from --profile\) does not exist\nHint: known profiles: prod, other/);
  });

  it("a profile's token is never sent to another URL", async () => {
    const configDir = await withProfiles();
    const r = await run(['--url', 'https://elsewhere.example', 'config', 'show'], { configDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no API token given for https:\/\/elsewhere\.example/);
    expect(r.stderr).toMatch(/holds a token for https:\/\/profile\.example only/);
    // the same URL as the profile (trailing slash aside) does use it
    const s = await show(['--url', 'https://profile.example/'], { configDir });
    expect(s.token.source).toBe('profile');
  });

  it('no URL / no token at all: exit 2 with a hint', async () => {
    const r = await run(['config', 'show']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: no authentik URL given\nHint: pass --url, set AUTHENTIK_URL/);
    const r2 = await run(['config', 'show'], { env: { AUTHENTIK_URL: 'https://a.example' } });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/no API token given/);
  });
});
