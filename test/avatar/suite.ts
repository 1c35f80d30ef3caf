// Shared set-up for the command tests: one stand-in per authentik version (maxPageSize 2 so every
// pagination bug shows), its seed restored before each test, and helpers to look at users.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startStandin, type Standin, type StandinStateJson, type StandinVersion } from '../../src/standin/index.js';
import { run, type RunOptions } from '../helpers/run.js';

export interface Suite {
  sb: Standin;
  env: Record<string, string>;
  dir: string;
  run(args: string[], opts?: RunOptions): ReturnType<typeof run>;
  user(username: string): { pk: number; uuid: string; email: string; attributes: Record<string, unknown> };
  setAttrs(username: string, attrs: Record<string, unknown>): void;
  /** Requests received since the test started. */
  requests(): Standin['requests'];
  writes(): Standin['requests'];
}

export function useSuite(version: StandinVersion): () => Suite {
  let sb: Standin;
  let seed: StandinStateJson;
  let start = 0;
  let dir = '';
  beforeAll(async () => {
    sb = await startStandin({ version, maxPageSize: 2, pageSize: 2 });
    seed = sb.dump();
  });
  afterAll(async () => {
    await sb?.close();
  });
  beforeEach(() => {
    sb.load(seed);
    sb.faults.clear();
    sb.violations.length = 0;
    start = sb.requests.length;
    dir = mkdtempSync(path.join(tmpdir(), 'akav-cmd-'));
  });
  afterEach(() => {
    // every request and response of every test must conform to this version's OpenAPI schema
    expect(sb.violations).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const env = { AUTHENTIK_URL: sb.url, AUTHENTIK_TOKEN: sb.token };
    const user = (username: string) => {
      const u = sb.state.users.find((x) => x.username === username);
      if (!u) throw new Error(`no seeded user ${username}`);
      return u;
    };
    return {
      sb,
      env,
      dir,
      run: (args, opts = {}) => run(args, { env, ...opts }),
      user,
      setAttrs: (username, attrs) => void (user(username).attributes = structuredClone(attrs)),
      requests: () => sb.requests.slice(start),
      writes: () => sb.requests.slice(start).filter((r) => r.method !== 'GET'),
    };
  };
}

/** The attributes without the keys we manage, serialised: byte-identical means equal strings. */
export function othersOf(attrs: Record<string, unknown>): string {
  const { avatar: _a, avatar_reset: _r, ...rest } = attrs;
  return JSON.stringify(rest);
}
