// `ak-avatars sandbox`: runs the authentik stand-in (src/standin) in the foreground on 127.0.0.1 so an
// admin can try every command without touching a real instance. Stops cleanly on SIGINT/SIGTERM.
import { CliError, ExitCode } from '../../errors.js';
import type { StandinOptions } from '../../standin/index.js';
import { action, type Ctx, type Deps } from '../context.js';
import { examples, InvalidArgumentError, Option, parsePositiveInt, type Root } from '../program.js';

// Duplicated from src/standin's STANDIN_VERSIONS on purpose: importing the stand-in here would load
// it (and its schema checker) for every --help. runSandbox() checks the list against the real one.
export const SANDBOX_VERSIONS = ['2025.10', '2025.12', '2026.2', '2026.5', '2026.8'] as const;

export interface SandboxOptions {
  port?: number;
  authentikVersion: string;
  pageSize?: number;
  state?: string;
  dumpOnExit?: string;
  adminToken?: string;
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a port number (0-65535)');
  const n = Number(value);
  if (n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

export function registerSandbox(root: Root, deps: Deps): void {
  root
    .command('sandbox')
    .description('run a built-in authentik stand-in on 127.0.0.1 to try every command safely')
    .addOption(new Option('--port <n>', 'port to listen on (default: a free port)').argParser(parsePort))
    .addOption(
      new Option('--authentik-version <version>', 'authentik version the stand-in plays')
        .choices(SANDBOX_VERSIONS)
        .default('2026.8' as const),
    )
    .addOption(new Option('--page-size <n>', 'page size (and page size cap) of list endpoints').argParser(parsePositiveInt))
    .addOption(new Option('--state <file>', 'start from a state saved with --dump-on-exit instead of the fresh seed'))
    .addOption(new Option('--dump-on-exit <file>', 'save the state as JSON when stopped'))
    .addOption(new Option('--admin-token <token>', "the sandbox akadmin's API token (default: random)"))
    .addHelpText(
      'after',
      examples(
        ['ak-avatars sandbox', 'start it; then paste the printed export lines in another shell'],
        ['ak-avatars sandbox --authentik-version 2025.10 --page-size 2', 'an older version, tiny pages'],
        ['ak-avatars sandbox --state demo.json --dump-on-exit demo.json', 'keep state between runs'],
        ['ak-avatars sandbox --json', 'print {url, token, version} once, for scripts'],
      ) + '\nIt listens on 127.0.0.1 only and runs until Ctrl-C (SIGINT) or SIGTERM.\n',
    )
    .action(action(deps, async (ctx, opts) => runSandbox(ctx, opts)));
}

export async function runSandbox(ctx: Ctx, opts: SandboxOptions): Promise<number> {
  const { readFile, writeFile } = await import('node:fs/promises');
  let state: unknown;
  if (opts.state !== undefined) {
    let text: string;
    try {
      text = await readFile(opts.state, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${opts.state}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, ExitCode.USAGE);
    }
    try {
      state = JSON.parse(text);
    } catch {
      throw new CliError(`${opts.state} is not valid JSON`, ExitCode.USAGE, { hint: 'use a file written by --dump-on-exit' });
    }
  }
  const standin = await import('../../standin/index.js');
  if (!(standin.STANDIN_VERSIONS as readonly string[]).includes(opts.authentikVersion)) {
    throw new CliError(`the stand-in cannot play authentik ${opts.authentikVersion}`, ExitCode.USAGE, {
      hint: `choose one of ${standin.STANDIN_VERSIONS.join(', ')}`,
    });
  }
  // A saved state keeps its own tokens: reuse its admin token, so the one printed really works.
  const adminToken = opts.adminToken ?? stateAdminToken(state);
  const server = await standin.startStandin({
    version: opts.authentikVersion as (typeof standin.STANDIN_VERSIONS)[number],
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.pageSize !== undefined ? { pageSize: opts.pageSize, maxPageSize: opts.pageSize } : {}),
    ...(adminToken !== undefined ? { token: adminToken } : {}),
    // the stand-in validates the shape when it loads the state
    ...(state !== undefined ? { state: state as StandinOptions['state'] } : {}),
  });
  // Listen for the signals before printing the URL: whoever reads it may signal us at once.
  const stopped = waitForStop(ctx.deps);
  try {
    const c = ctx.out.c;
    // The sandbox token is printed on purpose: it is the whole point of the command, and it only
    // opens a throw-away in-memory server on 127.0.0.1.
    ctx.out.data({ url: server.url, token: server.token, version: server.version }, () =>
      [
        `${c.bold('authentik stand-in')} playing authentik ${server.version}, listening on ${c.cyan(server.url)}`,
        `API token (user akadmin): ${server.token}`,
        '',
        'In another shell:',
        `  export AUTHENTIK_URL=${server.url} AUTHENTIK_TOKEN=${server.token}`,
        '  ak-avatars whoami',
        '',
        c.dim('Press Ctrl-C to stop. Nothing here touches a real authentik.'),
      ].join('\n'),
    );
    const signal = await stopped.signal;
    ctx.out.info(`Received ${signal}, stopping the stand-in.`);
    if (opts.dumpOnExit !== undefined) {
      await writeFile(opts.dumpOnExit, JSON.stringify(server.dump(), null, 2) + '\n', { mode: 0o600 });
      ctx.out.info(`State saved to ${opts.dumpOnExit}`);
    }
  } finally {
    stopped.dispose();
    await server.close();
  }
  return ExitCode.OK;
}

function stateAdminToken(state: unknown): string | undefined {
  const tokens = (state as { tokens?: unknown } | undefined)?.tokens;
  if (!Array.isArray(tokens)) return undefined;
  const t = tokens.find((x: { key?: unknown; superuser?: unknown }) => typeof x?.key === 'string' && x.superuser === true) as
    | { key: string }
    | undefined;
  return t?.key;
}

function waitForStop(deps: Deps): { signal: Promise<string>; dispose(): void } {
  const source = deps.signals ?? process;
  let dispose = () => undefined as void;
  const signal = new Promise<string>((resolve) => {
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    dispose = () => {
      source.removeListener('SIGINT', onInt);
      source.removeListener('SIGTERM', onTerm);
    };
    const done = (sig: string) => {
      dispose();
      resolve(sig);
    };
    source.once('SIGINT', onInt);
    source.once('SIGTERM', onTerm);
  });
  return { signal, dispose: () => dispose() };
}
