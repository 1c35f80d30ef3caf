// The per-run context every command handler gets: injected I/O (Deps), parsed global options,
// Output, and a lazily created authentik client. Every command module imports this file, so it loads
// for --help/--version too: its top-level imports stay light. The client (axios), the profiles file
// (config-store, env-paths), readline, chalk and ora load on first use.
import type { EventEmitter } from 'node:events';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import type { AuthentikClient, ClientOptions } from '../authentik/index.js';
import { CliError, ExitCode, redact, registerSecret } from '../errors.js';
import type { Profile } from './config-store.js';
import { loadOutputExtras, Output, type OutputOptions } from './output.js';

export interface Deps {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Overrides the XDG config dir (tests). */
  configDir?: string;
  /** Merged last into the client options (tests: { retryBaseMs: 1 }). */
  clientOptions?: Partial<ClientOptions>;
  /** Where SIGINT/SIGTERM come from (long-running commands such as `sandbox`); default: process. */
  signals?: Pick<EventEmitter, 'once' | 'removeListener'>;
}

export interface GlobalOptions {
  url?: string;
  token?: string;
  tokenFile?: string;
  tokenStdin?: boolean;
  profile?: string;
  caFile?: string;
  insecure?: boolean;
  timeout?: number;
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
  yes?: boolean;
}

export type Source = 'flag' | 'env' | 'profile' | 'stdin' | 'file';

/** Where the connection settings of this run come from (shown by `config show`). */
export interface Connection {
  url: string;
  urlSource: Source;
  token: string;
  tokenSource: Source;
  profile?: string;
  caFile?: string;
  insecure: boolean;
}

export interface Ctx {
  deps: Deps;
  opts: GlobalOptions;
  out: Output;
  /** The config directory in use (deps.configDir, XDG_CONFIG_HOME, or the platform default); loads the config store. */
  configDir(): Promise<string>;
  /** url/token/profile resolved with flag > env > profile; missing -> CliError(USAGE) with a hint. */
  connection(): Promise<Connection>;
  /** The authentik client, created on first call (lazy import). */
  client(): Promise<AuthentikClient>;
  /** --yes -> true; no interactive terminal -> CliError(USAGE, hint "re-run with --yes"); else asks on stderr. */
  confirm(question: string): Promise<boolean>;
  /** stdin for a command's own input (e.g. an image from `-`); refuses when the token was read from stdin. */
  stdin(): NodeJS.ReadableStream;
}

export function defaultDeps(): Deps {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

// ---------------------------------------------------------------------------------------------
// Exit codes returned by handlers are recorded per run (per Deps object) and read by runCli().
const exitCodes = new WeakMap<Deps, number>();

export function recordExitCode(deps: Deps, code: number): void {
  exitCodes.set(deps, code);
}

export function takeExitCode(deps: Deps): number | undefined {
  const code = exitCodes.get(deps);
  exitCodes.delete(deps);
  return code;
}

// ---------------------------------------------------------------------------------------------

function outputOptions(opts: GlobalOptions, deps: Deps): OutputOptions {
  return {
    stdout: deps.stdout,
    stderr: deps.stderr,
    env: deps.env,
    json: Boolean(opts.json),
    color: opts.color !== false,
    verbose: Boolean(opts.verbose),
  };
}

/** An Output without colour or spinner animation (nothing extra is loaded); see loadOutput(). */
export function makeOutput(opts: GlobalOptions, deps: Deps): Output {
  return new Output(outputOptions(opts, deps));
}

/** An Output with everything it may use: chalk when a stream gets colour, ora when a spinner can animate. */
export async function loadOutput(opts: GlobalOptions, deps: Deps, need: { spinner: boolean }): Promise<Output> {
  const o = outputOptions(opts, deps);
  return new Output({ ...o, ...(await loadOutputExtras(o, need)) });
}

export function makeCtx(opts: GlobalOptions, deps: Deps, out: Output = makeOutput(opts, deps)): Ctx {
  // stdin can carry the token or the command's input (e.g. an image), not both; decided from the
  // flags so the order in which a command asks does not matter
  const tokenOnStdin = opts.token === '-' || Boolean(opts.tokenStdin);
  let configDir: Promise<string> | undefined;
  let connection: Promise<Connection> | undefined;
  let client: Promise<AuthentikClient> | undefined;

  const ctx: Ctx = {
    deps,
    opts,
    out,
    // lazy: the config store (and env-paths) load only when a command needs the profiles file
    configDir: () => (configDir ??= import('./config-store.js').then((s) => s.configDirFor(deps.env, deps.configDir))),
    connection: () => (connection ??= resolveConnection(opts, deps, ctx.configDir, out, () => readTokenFromStdin(deps.stdin))),
    client: () =>
      (client ??= (async () => {
        const conn = await ctx.connection();
        if (conn.insecure) {
          out.warn('TLS certificate verification is disabled (--insecure): anyone on the network path can read the token.');
        }
        // lazy: axios & co. load only when a command talks to authentik
        const { AuthentikClient } = await import('../authentik/index.js');
        const log = opts.verbose ? (line: string) => void deps.stderr.write(redact(line) + '\n') : undefined;
        return new AuthentikClient({
          url: conn.url,
          token: conn.token,
          ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout } : {}),
          ...(conn.caFile !== undefined ? { caFile: conn.caFile } : {}),
          insecure: conn.insecure,
          ...(log ? { log } : {}),
          ...deps.clientOptions,
        });
      })()),
    confirm: async (question) => {
      if (opts.yes) return true;
      if (!deps.stdin.isTTY || !deps.stderr.isTTY || deps.env.CI !== undefined) {
        throw new CliError(`${question.replace(/\?\s*$/, '')}: confirmation needed, but no terminal to ask on`, ExitCode.USAGE, {
          hint: 're-run with --yes to confirm',
        });
      }
      const { createInterface } = await import('node:readline');
      const rl = createInterface({ input: deps.stdin, output: deps.stderr, terminal: true });
      try {
        // stdin closing (Ctrl-D) without an answer counts as "no"
        const answer = await new Promise<string>((res) => {
          rl.once('close', () => res(''));
          rl.question(`${question} [y/N] `, res);
        });
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
    stdin: () => {
      if (tokenOnStdin) {
        throw new CliError('stdin cannot carry both the token and the input', ExitCode.USAGE, {
          hint: 'pass the token with AUTHENTIK_TOKEN, --token-file or a profile when the input comes from stdin',
        });
      }
      return deps.stdin;
    },
  };
  return ctx;
}

/** Reads a token piped into stdin (refuses an interactive terminal: the token would be echoed). */
export async function readTokenFromStdin(stdin: Deps['stdin']): Promise<string> {
  if (stdin.isTTY) {
    throw new CliError('refusing to read the token from an interactive terminal', ExitCode.USAGE, {
      hint: 'pipe it in, e.g. `printf %s "$TOKEN" | ak-avatars ...`, or use --token-file',
    });
  }
  return cleanToken(await readAll(stdin), 'stdin');
}

async function readAll(stream: NodeJS.ReadableStream, max = 64 * 1024): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > max) throw new CliError('the token on stdin is implausibly large', ExitCode.USAGE);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readTokenFile(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read token file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, ExitCode.USAGE);
  }
}

export function cleanToken(raw: string, where: string): string {
  const t = raw.trim();
  if (t === '') throw new CliError(`the token from ${where} is empty`, ExitCode.USAGE);
  if (/\s/.test(t)) throw new CliError(`the token from ${where} contains whitespace`, ExitCode.USAGE);
  return t;
}

export function normaliseUrl(url: string, where: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`invalid authentik URL from ${where}: ${redact(url)}`, ExitCode.USAGE, {
      hint: 'give the base URL, e.g. https://auth.example.com',
    });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new CliError(`invalid authentik URL from ${where}: only http(s) is supported`, ExitCode.USAGE);
  }
  if (u.username || u.password) {
    throw new CliError(`the authentik URL from ${where} must not carry credentials`, ExitCode.USAGE, {
      hint: 'pass the API token with AUTHENTIK_TOKEN, --token-file or a profile',
    });
  }
  // keep a sub-path (https://host/auth/), drop query/fragment; compare URLs without the trailing slash
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

/**
 * flag > env > profile, per setting. The profile is --profile, else AK_AVATARS_PROFILE, else the
 * config's current profile. A profile's token, CA file and --insecure apply only to the profile's own
 * URL: `--url https://other` never sends a stored token to another host.
 */
async function resolveConnection(
  opts: GlobalOptions,
  deps: Deps,
  configDir: () => Promise<string>,
  out: Output,
  readStdinToken: () => Promise<string>,
): Promise<Connection> {
  const env = deps.env;
  // --- token given explicitly (flags)
  const tokenFlags = [
    opts.token !== undefined ? '--token' : undefined,
    opts.tokenFile !== undefined ? '--token-file' : undefined,
    opts.tokenStdin ? '--token-stdin' : undefined,
  ].filter(Boolean);
  if (tokenFlags.length > 1) {
    throw new CliError(`give the token one way only (got ${tokenFlags.join(' and ')})`, ExitCode.USAGE);
  }
  let token: string | undefined;
  let tokenSource: Source | undefined;
  if (opts.tokenStdin || opts.token === '-') {
    token = await readStdinToken();
    tokenSource = 'stdin';
  } else if (opts.tokenFile !== undefined) {
    token = cleanToken(await readTokenFile(opts.tokenFile), opts.tokenFile);
    tokenSource = 'file';
  } else if (opts.token !== undefined) {
    token = cleanToken(opts.token, '--token');
    tokenSource = 'flag';
  } else if (env.AUTHENTIK_TOKEN) {
    token = cleanToken(env.AUTHENTIK_TOKEN, 'AUTHENTIK_TOKEN');
    tokenSource = 'env';
  }
  if (token) registerSecret(token);

  // --- url (flag > env)
  let url: string | undefined;
  let urlSource: Source | undefined;
  if (opts.url !== undefined) {
    url = normaliseUrl(opts.url, '--url');
    urlSource = 'flag';
  } else if (env.AUTHENTIK_URL) {
    url = normaliseUrl(env.AUTHENTIK_URL, 'AUTHENTIK_URL');
    urlSource = 'env';
  }

  // --- profile (only read the config file when a profile can matter)
  const explicitProfile = opts.profile ?? (env.AK_AVATARS_PROFILE || undefined);
  let profileName: string | undefined;
  let profile: Profile | undefined;
  if (explicitProfile !== undefined || url === undefined || token === undefined) {
    const { loadConfig } = await import('./config-store.js');
    const { config, path, looseMode } = await loadConfig(await configDir());
    if (looseMode !== undefined) {
      out.warn(`${path} is readable by other users (mode ${looseMode.toString(8)}); run: chmod 600 ${path}`);
    }
    profileName = explicitProfile ?? config.current;
    if (profileName !== undefined) {
      profile = config.profiles[profileName];
      if (!profile) {
        const names = Object.keys(config.profiles);
        const from = opts.profile !== undefined ? '--profile' : explicitProfile !== undefined ? 'AK_AVATARS_PROFILE' : `the current profile in ${path}`;
        throw new CliError(`profile '${profileName}' (from ${from}) does not exist`, ExitCode.USAGE, {
          hint: names.length ? `known profiles: ${names.join(', ')}` : 'create one: ak-avatars config set NAME --url URL --token-stdin',
        });
      }
    }
  }

  let profileApplies = false;
  if (profile) {
    const purl = normaliseUrl(profile.url, `profile '${profileName}'`);
    if (url === undefined) {
      url = purl;
      urlSource = 'profile';
    }
    profileApplies = url === purl;
    if (token === undefined && profileApplies) {
      if (profile.token) {
        token = cleanToken(profile.token, `profile '${profileName}'`);
        tokenSource = 'profile';
      } else if (profile.tokenFile) {
        token = cleanToken(await readTokenFile(profile.tokenFile), profile.tokenFile);
        tokenSource = 'profile';
      }
      if (token) registerSecret(token);
    }
  }

  if (url === undefined || urlSource === undefined) {
    throw new CliError('no authentik URL given', ExitCode.USAGE, {
      hint: 'pass --url, set AUTHENTIK_URL, or save a profile: ak-avatars config set NAME --url URL --token-stdin',
    });
  }
  if (token === undefined || tokenSource === undefined) {
    throw new CliError(`no API token given for ${url}`, ExitCode.USAGE, {
      hint:
        profile && !profileApplies
          ? `profile '${profileName}' holds a token for ${profile.url} only; pass AUTHENTIK_TOKEN, --token-file or --token - for ${url}`
          : 'set AUTHENTIK_TOKEN, pass --token-file FILE or --token - (stdin), or save a profile with `ak-avatars config set`',
    });
  }
  const caFile = opts.caFile ?? (profileApplies ? profile?.caFile : undefined);
  const insecure = Boolean(opts.insecure) || (profileApplies && Boolean(profile?.insecure));
  return {
    url,
    urlSource,
    token,
    tokenSource,
    ...(profileName !== undefined && profileApplies ? { profile: profileName } : {}),
    ...(caFile !== undefined ? { caFile } : {}),
    insecure,
  };
}

// ---------------------------------------------------------------------------------------------

type HandlerResult = number | void | undefined;
// Blocks inference from the handler's own parameter list, so A comes from commander's .action()
// signature (positional args + the command's typed options) and the handler's parameters get typed
// from it. (TS's built-in NoInfer<> does not work in a rest-parameter position.)
type Deferred<T> = [T][T extends unknown ? 0 : never];

/**
 * Wraps a command handler for commander's .action(): builds the ctx from cmd.optsWithGlobals(),
 * runs the handler, prints any error the CLI way, records the exit code for runCli(), and makes sure
 * --json produced exactly one document (commands with nothing to report get {"ok": true}).
 * Usage: `.action(action(deps, async (ctx, arg1, localOpts) => { ...; return ExitCode.OK; }))`
 */
export function action<A extends unknown[]>(
  deps: Deps,
  handler: (ctx: Ctx, ...args: Deferred<A>) => Promise<HandlerResult>,
): (...all: [...A, CommandUnknownOpts]) => Promise<void> {
  return async (...all) => {
    const cmd = all[all.length - 1] as CommandUnknownOpts;
    const args = all.slice(0, -1) as unknown as A;
    const opts = cmd.optsWithGlobals() as GlobalOptions;
    let out = makeOutput(opts, deps);
    let code: number;
    try {
      // chalk and ora load only when this run will really print colour or animate a spinner
      out = await loadOutput(opts, deps, { spinner: true });
      const ctx = makeCtx(opts, deps, out);
      code = (await handler(ctx, ...args)) ?? ExitCode.OK;
      if (out.json && !out.hasWrittenData) out.data({ ok: code === ExitCode.OK, exitCode: code }, () => '');
    } catch (e) {
      code = out.error(e);
    }
    recordExitCode(deps, code);
  };
}
