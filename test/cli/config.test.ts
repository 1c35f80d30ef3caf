// Profiles: set/use/list/remove/show, masking, file mode, atomic writes, and bad input.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempDir } from '../helpers/run.js';

const TOKEN = 'AKtok3n-0123456789abcdefghijklmnopqrstuvwxyzSECRET';
const TOKEN2 = 'second-token-zyxwvutsrqponmlkjihgfedcba9876543210';

function readConfig(dir: string): { current?: string; profiles: Record<string, Record<string, unknown>> } {
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
}

describe('config profiles', () => {
  it('set (token from stdin) creates a 0600 file in a 0700 dir, first profile becomes current', async () => {
    const base = tempDir();
    const dir = join(base, 'nested', 'ak-avatars');
    const r = await run(['config', 'set', 'prod', '--url', 'https://auth.example.com/', '--token-stdin'], {
      configDir: dir,
      stdin: `${TOKEN}\n`,
    });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('Saved profile prod');
    expect(r.stdout).not.toContain(TOKEN);
    const cfg = readConfig(dir);
    expect(cfg.current).toBe('prod');
    expect(cfg.profiles.prod).toEqual({ url: 'https://auth.example.com', token: TOKEN });
    if (process.platform !== 'win32') {
      expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    }
  });

  it('`--token -` reads stdin too; a second profile does not steal "current" unless --use', async () => {
    const dir = tempDir();
    await run(['config', 'set', 'prod', '--url', 'https://a.example', '--token', '-'], { configDir: dir, stdin: TOKEN });
    const r = await run(['config', 'set', 'lab', '--url', 'https://lab.example', '--token', '-'], { configDir: dir, stdin: TOKEN2 });
    expect(r.code).toBe(0);
    expect(readConfig(dir).current).toBe('prod');
    expect(readConfig(dir).profiles.lab!.token).toBe(TOKEN2);
    await run(['config', 'set', 'lab', '--use'], { configDir: dir });
    expect(readConfig(dir).current).toBe('lab');
    // the update kept the token
    expect(readConfig(dir).profiles.lab!.token).toBe(TOKEN2);
  });

  it('list masks tokens (human and --json) and marks the current profile', async () => {
    const dir = tempDir();
    await run(['config', 'set', 'prod', '--url', 'https://a.example', '--token-stdin'], { configDir: dir, stdin: TOKEN });
    await run(['config', 'set', 'lab', '--url', 'https://lab.example', '--token-stdin', '--insecure'], { configDir: dir, stdin: TOKEN2 });
    const human = await run(['config', 'list'], { configDir: dir });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^\*\s+prod\s+https:\/\/a\.example\s+AKt…CRET/m);
    expect(human.stdout).toMatch(/^\s+lab\s+https:\/\/lab\.example\s+sec…3210\s+insecure/m);
    const json = await run(['config', 'list', '--json'], { configDir: dir });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.current).toBe('prod');
    expect(doc.profiles.map((p: { name: string }) => p.name)).toEqual(['lab', 'prod']);
    expect(doc.profiles[1]).toMatchObject({ name: 'prod', current: true, token: 'AKt…CRET', insecure: false });
    for (const r of [human, json]) {
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
      expect(r.stdout + r.stderr).not.toContain(TOKEN2);
    }
  });

  it('use switches, remove deletes (and clears current), unknown names exit 5', async () => {
    const dir = tempDir();
    await run(['config', 'set', 'prod', '--url', 'https://a.example', '--token-stdin'], { configDir: dir, stdin: TOKEN });
    await run(['config', 'set', 'lab', '--url', 'https://lab.example', '--token-stdin'], { configDir: dir, stdin: TOKEN2 });
    expect((await run(['config', 'use', 'lab'], { configDir: dir })).code).toBe(0);
    expect(readConfig(dir).current).toBe('lab');
    const missing = await run(['config', 'use', 'nope'], { configDir: dir });
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/^Error: no profile named 'nope'\nHint: known profiles: prod, lab\n$/);
    expect((await run(['config', 'rm', 'lab'], { configDir: dir })).code).toBe(0);
    expect(readConfig(dir)).toEqual({ profiles: { prod: { url: 'https://a.example', token: TOKEN } } });
    expect((await run(['config', 'remove', 'lab'], { configDir: dir })).code).toBe(5);
  });

  it('--token-file is stored as a path and read at each run', async () => {
    const dir = tempDir();
    const tokenFile = join(tempDir(), 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const r = await run(['config', 'set', 'prod', '--url', 'https://a.example', '--token-file', tokenFile], { configDir: dir });
    expect(r.code).toBe(0);
    expect(readConfig(dir).profiles.prod).toEqual({ url: 'https://a.example', tokenFile });
    const show = await run(['config', 'show', '--json'], { configDir: dir });
    expect(JSON.parse(show.stdout)).toMatchObject({ profile: 'prod', url: { source: 'profile' }, token: { value: 'AKt…CRET', source: 'profile' } });
    writeFileSync(tokenFile, TOKEN2);
    const show2 = await run(['config', 'show', '--json'], { configDir: dir });
    expect(JSON.parse(show2.stdout).token.value).toBe('sec…3210');
  });

  it('writes atomically: replaces the file by rename and leaves no temp file', async () => {
    const dir = tempDir();
    await run(['config', 'set', 'prod', '--url', 'https://a.example', '--token-stdin'], { configDir: dir, stdin: TOKEN });
    const inode1 = statSync(join(dir, 'config.json')).ino;
    await run(['config', 'set', 'lab', '--url', 'https://b.example', '--token-stdin'], { configDir: dir, stdin: TOKEN2 });
    const inode2 = statSync(join(dir, 'config.json')).ino;
    expect(inode2).not.toBe(inode1); // a new file renamed over the old one, not rewritten in place
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('changing the URL drops the stored token (it must not follow the profile to another host)', async () => {
    const dir = tempDir();
    await run(['config', 'set', 'prod', '--url', 'https://a.example', '--token-stdin'], { configDir: dir, stdin: TOKEN });
    const r = await run(['config', 'set', 'prod', '--url', 'https://evil.example'], { configDir: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Warning: the URL changed, so the stored token was dropped/);
    expect(readConfig(dir).profiles.prod).toEqual({ url: 'https://evil.example' });
  });

  it('refuses bad input with exit 2', async () => {
    const dir = tempDir();
    const noUrl = await run(['config', 'set', 'prod', '--token-stdin'], { configDir: dir, stdin: TOKEN });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/--url is required/);
    const badName = await run(['config', 'set', '../x', '--url', 'https://a.example'], { configDir: dir });
    expect(badName.code).toBe(2);
    const badUrl = await run(['config', 'set', 'p', '--url', 'ftp://a.example'], { configDir: dir });
    expect(badUrl.code).toBe(2);
    const emptyStdin = await run(['config', 'set', 'p', '--url', 'https://a.example', '--token-stdin'], { configDir: dir, stdin: '' });
    expect(emptyStdin.code).toBe(2);
    expect(emptyStdin.stderr).toMatch(/token from stdin is empty/);
    const tty = await run(['config', 'set', 'p', '--url', 'https://a.example', '--token-stdin'], { configDir: dir, isTTY: true });
    expect(tty.code).toBe(2);
    expect(tty.stderr).toMatch(/interactive terminal/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--token on the command line works but warns about shell history', async () => {
    const dir = tempDir();
    const r = await run(['config', 'set', 'p', '--url', 'https://a.example', '--token', TOKEN], { configDir: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Warning: a token given on the command line ends up in shell history/);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('a broken config file is an error naming the file; a loose mode gets a warning', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.json'), '{ not json');
    const r = await run(['config', 'list'], { configDir: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error: ${join(dir, 'config.json')} is not valid JSON`);
    if (process.platform !== 'win32') {
      const dir2 = tempDir();
      mkdirSync(dir2, { recursive: true });
      writeFileSync(join(dir2, 'config.json'), JSON.stringify({ profiles: {} }));
      chmodSync(join(dir2, 'config.json'), 0o644);
      const r2 = await run(['config', 'list'], { configDir: dir2 });
      expect(r2.code).toBe(0);
      expect(r2.stderr).toMatch(/Warning: .* is readable by other users \(mode 644\); run: chmod 600/);
    }
  });

  it('honours XDG_CONFIG_HOME from the environment when no dir is forced', async () => {
    if (process.platform !== 'linux') return; // elsewhere it would write to the real user config dir
    const xdg = tempDir();
    // configDir: '' -> not forced; run() only fills a temp dir when the option is undefined
    const r = await run(['config', 'set', 'x', '--url', 'https://a.example', '--token-stdin'], {
      configDir: '',
      env: { XDG_CONFIG_HOME: xdg },
      stdin: TOKEN,
    });
    expect(r.code).toBe(0);
    expect(readConfig(join(xdg, 'ak-avatars')).profiles.x!.url).toBe('https://a.example');
  });
});
