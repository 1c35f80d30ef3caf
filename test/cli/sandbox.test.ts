// `ak-avatars sandbox` in-process: prints URL/token (and export lines), serves the API, stops on
// SIGTERM/SIGINT with exit 0, loads and dumps state.
import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempDir, type RunResult } from '../helpers/run.js';

interface Started {
  done: Promise<RunResult>;
  stdout: () => string;
  signals: EventEmitter;
}

function start(args: string[], ready: RegExp): Promise<Started> {
  const signals = new EventEmitter();
  let text = '';
  return new Promise((resolve, reject) => {
    let resolved = false;
    const done = run(['sandbox', ...args], {
      signals,
      onStdout: (t) => {
        text = t;
        if (!resolved && ready.test(t)) {
          resolved = true;
          resolve({ done, stdout: () => text, signals });
        }
      },
    });
    done.then((r) => {
      if (!resolved) reject(new Error(`sandbox ended early: ${JSON.stringify(r)}`));
    }, reject);
  });
}

async function me(url: string, token: string): Promise<number> {
  const res = await fetch(`${url}/api/v3/core/users/me/`, { headers: { Authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

describe('sandbox', () => {
  it('--json: prints {url, token, version} once, serves the API, stops on SIGTERM with exit 0', async () => {
    const s = await start(['--json'], /\}\n$/);
    const doc = JSON.parse(s.stdout()) as { url: string; token: string; version: string };
    expect(doc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(doc.version).toMatch(/^2026\.8\./);
    expect(await me(doc.url, doc.token)).toBe(200);
    expect(await me(doc.url, 'wrong-token-0000')).toBe(403);
    s.signals.emit('SIGTERM');
    const r = await s.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(s.stdout()); // nothing more after the document
    expect(r.stderr).toBe('');
    await expect(fetch(`${doc.url}/api/v3/core/users/me/`)).rejects.toThrow();
  });

  it('human output: URL, token and the export line; --authentik-version; SIGINT; --dump-on-exit', async () => {
    const dump = join(tempDir(), 'state.json');
    const s = await start(['--authentik-version', '2025.10', '--page-size', '2', '--admin-token', 'fixed-sandbox-token-1234567890', '--dump-on-exit', dump], /Press Ctrl-C/);
    const out = s.stdout();
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(url).toBeDefined();
    expect(out).toContain('playing authentik 2025.10.');
    expect(out).toContain(`export AUTHENTIK_URL=${url} AUTHENTIK_TOKEN=fixed-sandbox-token-1234567890`);
    expect(await me(url!, 'fixed-sandbox-token-1234567890')).toBe(200);
    s.signals.emit('SIGINT');
    const r = await s.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Received SIGINT');
    const state = JSON.parse(readFileSync(dump, 'utf8'));
    expect(typeof state).toBe('object');

    // --state: start again from the dump
    const again = await start(['--json', '--state', dump], /\}\n$/);
    const doc = JSON.parse(again.stdout());
    expect(await me(doc.url, doc.token)).toBe(200);
    again.signals.emit('SIGTERM');
    expect((await again.done).code).toBe(0);
  });

  it('bad options: exit 2', async () => {
    expect((await run(['sandbox', '--port', '70000'])).code).toBe(2);
    expect((await run(['sandbox', '--authentik-version', '2023.1'])).code).toBe(2);
    const missing = await run(['sandbox', '--state', join(tempDir(), 'none.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^Error: cannot read .*none\.json: ENOENT/);
  });
});
