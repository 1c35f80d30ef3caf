// Runs the whole CLI in-process with injected streams, env and config dir.
// Used by every command test:  const r = await run(['--json', 'whoami'], { env: sb.env });
//   r.code (exit code), r.stdout, r.stderr (strings).
// Defaults keep tests hermetic: env is {} (nothing leaks from the shell: no CI, NO_COLOR, tokens),
// the config dir is a fresh temp dir, stdin is empty and not a TTY, streams are not TTYs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { EventEmitter } from 'node:events';
import type { ClientOptions } from '../../src/authentik/index.js';
import { runCli } from '../../src/cli/main.js';
import type { Deps } from '../../src/cli/context.js';

export interface RunOptions {
  /** The whole environment the CLI sees (default {}). */
  env?: Record<string, string | undefined>;
  /** Bytes on stdin, then end of input (default: empty). With isTTY, answers to confirm() prompts: 'y\n'. */
  stdin?: string | Buffer;
  /** Config dir (default: a new temp dir per call; pass one to share profiles between calls). */
  configDir?: string;
  /** Pretend stdout, stderr and stdin are terminals (80 columns). */
  isTTY?: boolean;
  /** Merged into the client options (default { retryBaseMs: 1 } so retries don't slow tests). */
  clientOptions?: Partial<ClientOptions>;
  /** Where `sandbox` waits for SIGINT/SIGTERM: emit('SIGTERM') on it to stop the command. */
  signals?: EventEmitter;
  /** Called with the live stdout text whenever it grows (e.g. to read the sandbox URL while it runs). */
  onStdout?: (textSoFar: string) => void;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh temp directory (for config dirs, files). */
export function tempDir(prefix = 'ak-avatars-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

type FakeStream = PassThrough & { isTTY?: boolean; columns?: number; [k: string]: unknown };

function fakeTty(s: FakeStream, isTTY: boolean): void {
  if (!isTTY) return;
  s.isTTY = true;
  s.columns = 80;
  s.rows = 24;
  // ora moves the cursor on a TTY; PassThrough has none of these
  for (const m of ['cursorTo', 'moveCursor', 'clearLine', 'clearScreenDown']) {
    s[m] = (...args: unknown[]) => {
      const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    };
  }
  s.getWindowSize = () => [80, 24];
  s.hasColors = () => true;
  s.getColorDepth = () => 8;
}

export async function run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const stdout = new PassThrough() as FakeStream;
  const stderr = new PassThrough() as FakeStream;
  const stdin = new PassThrough() as FakeStream;
  const isTTY = opts.isTTY ?? false;
  fakeTty(stdout, isTTY);
  fakeTty(stderr, isTTY);
  if (isTTY) {
    stdin.isTTY = true;
    stdin.setRawMode = () => stdin;
  }
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    opts.onStdout?.(out);
  });
  stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  // stdin always ends: a command waiting for more input would hang the test
  stdin.end(opts.stdin ?? '');

  const deps: Deps = {
    stdout,
    stderr,
    stdin,
    env: { ...(opts.env ?? {}) },
    configDir: opts.configDir ?? tempDir('ak-avatars-cfg-'),
    clientOptions: { retryBaseMs: 1, ...opts.clientOptions },
    ...(opts.signals ? { signals: opts.signals } : {}),
  };
  const code = await runCli(args, deps);
  // let the 'data' events of the last writes arrive
  await new Promise((r) => setImmediate(r));
  stdout.end();
  stderr.end();
  return { code, stdout: out, stderr: err };
}
