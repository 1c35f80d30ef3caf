// Starts the authentik stand-in for a test and hands back the env the CLI needs.
//   const sb = await withStandin({ pageSize: 2 });
//   try { const r = await run(['whoami'], { env: sb.env }); } finally { await sb.close(); }
// or, per test file:  const sb = useStandin({ version: '2025.10' });  ...  run([...], { env: sb().env })
import { afterEach, beforeEach } from '@jest/globals';
import { startStandin, type Standin, type StandinOptions } from '../../src/standin/index.js';

export interface StandinHandle {
  standin: Standin;
  env: { AUTHENTIK_URL: string; AUTHENTIK_TOKEN: string };
  close(): Promise<void>;
}

export async function withStandin(opts: StandinOptions = {}): Promise<StandinHandle> {
  const standin = await startStandin(opts);
  let closed = false;
  return {
    standin,
    env: { AUTHENTIK_URL: standin.url, AUTHENTIK_TOKEN: standin.token },
    close: async () => {
      if (closed) return;
      closed = true;
      await standin.close();
    },
  };
}

/** A fresh stand-in for every test of the enclosing describe (closed after each test). */
export function useStandin(opts: StandinOptions = {}): () => StandinHandle {
  let current: StandinHandle | undefined;
  beforeEach(async () => {
    current = await withStandin(opts);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useStandin(): only available inside a test');
    return current;
  };
}
