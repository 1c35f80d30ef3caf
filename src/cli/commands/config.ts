// `ak-avatars config ...`: saved connection profiles (URL + token + TLS settings), kubectl-style.
// The profile's fields come from the global options (--url, --token-stdin/--token -, --token-file,
// --ca-file, --insecure), so they are spelled the same everywhere.
// The profiles file code (config-store, env-paths) loads inside the actions only: --help stays light.
import { resolve } from 'node:path';
import { CliError, ExitCode, registerSecret } from '../../errors.js';
import type { ConfigFile, Profile } from '../config-store.js';
import { action, cleanToken, normaliseUrl, readTokenFromStdin, type Ctx, type Deps } from '../context.js';
import { examples, Option, type Root } from '../program.js';

type Store = typeof import('../config-store.js');

export interface ProfileView {
  name: string;
  current: boolean;
  url: string;
  token: string | null; // masked
  tokenFile: string | null;
  caFile: string | null;
  insecure: boolean;
}

function view(store: Store, name: string, p: Profile, current: boolean): ProfileView {
  return {
    name,
    current,
    url: p.url,
    token: p.token ? store.maskToken(p.token) : null,
    tokenFile: p.tokenFile ?? null,
    caFile: p.caFile ?? null,
    insecure: Boolean(p.insecure),
  };
}

/** The profiles file, with the store's functions and the config dir (the store is imported here, lazily). */
async function load(ctx: Ctx): Promise<{ config: ConfigFile; path: string; store: Store; dir: string }> {
  const store = await import('../config-store.js');
  const dir = await ctx.configDir();
  const loaded = await store.loadConfig(dir);
  if (loaded.looseMode !== undefined) {
    ctx.out.warn(`${loaded.path} is readable by other users (mode ${loaded.looseMode.toString(8)}); run: chmod 600 ${loaded.path}`);
  }
  return { ...loaded, store, dir };
}

/** Loads the profiles file, lets edit change it (the profile `name` must exist), saves it. */
async function editProfiles(ctx: Ctx, name: string, edit: (cfg: ConfigFile) => void): Promise<ConfigFile> {
  const { config: cfg, store, dir } = await load(ctx);
  profileNamed(cfg, name);
  edit(cfg);
  await store.saveConfig(dir, cfg);
  return cfg;
}

/** The saved profile called name, else exit 5 listing the known ones. */
function profileNamed(config: ConfigFile, name: string): Profile {
  const p = config.profiles[name];
  if (p) return p;
  const names = Object.keys(config.profiles);
  throw new CliError(`no profile named '${name}'`, ExitCode.NOT_FOUND, {
    hint: names.length ? `known profiles: ${names.join(', ')}` : 'create one: ak-avatars config set NAME --url URL --token-stdin',
  });
}

export function registerConfig(root: Root, deps: Deps): void {
  const config = root
    .command('config')
    .description('manage saved connection profiles (URL, token, TLS settings)')
    .addHelpText(
      'after',
      examples(
        ['printf %s "$TOKEN" | ak-avatars config set prod --url https://auth.example.com --token-stdin'],
        ['ak-avatars config use prod'],
        ['ak-avatars config list'],
        ['ak-avatars config show', 'which URL/token this run would use, and where each comes from'],
      ) + `\nProfiles live in $XDG_CONFIG_HOME/ak-avatars/config.json (default ~/.config/ak-avatars), mode 0600.\n`,
    );

  config
    .command('set')
    .description('create or update a profile from --url, --token-stdin | --token-file, --ca-file, --insecure')
    .argument('<name>', 'profile name')
    .addOption(new Option('--use', 'also make it the current profile'))
    .addOption(new Option('--verify-tls', 'turn TLS verification back on (undo --insecure)'))
    .addHelpText(
      'after',
      examples(
        ['printf %s "$TOKEN" | ak-avatars config set prod --url https://auth.example.com --token-stdin', 'token from stdin'],
        ['ak-avatars config set prod --url https://auth.example.com --token-file /run/secrets/ak', 'remember a token file (read at each run)'],
        ['ak-avatars config set lab --url https://lab.internal --ca-file ./lab-ca.pem --use', 'a private CA'],
      ) + '\nThe first profile becomes the current one. Only the given settings change on an existing profile.\n',
    )
    .action(action(deps, async (ctx, name, opts) => configSet(ctx, name, opts)));

  config
    .command('use')
    .description('make a profile the current one')
    .argument('<name>', 'profile name')
    .addHelpText('after', examples(['ak-avatars config use prod']))
    .action(
      action(deps, async (ctx, name) => {
        await editProfiles(ctx, name, (cfg) => void (cfg.current = name));
        ctx.out.data({ current: name }, () => `Current profile: ${name}`);
      }),
    );

  config
    .command('list')
    .alias('ls')
    .description('list profiles (tokens masked)')
    .addHelpText('after', examples(['ak-avatars config list'], ['ak-avatars config list --json']))
    .action(
      action(deps, async (ctx) => {
        const { config: cfg, path, store } = await load(ctx);
        const profiles = Object.entries(cfg.profiles)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([n, p]) => view(store, n, p, n === cfg.current));
        ctx.out.data({ configFile: path, current: cfg.current ?? null, profiles }, () => {
          if (profiles.length === 0) return `No profiles yet (${path}).\nCreate one: ak-avatars config set NAME --url URL --token-stdin`;
          const rows = profiles.map((p) => [
            p.current ? '*' : ' ',
            p.name,
            p.url,
            p.token ?? (p.tokenFile ? `file:${p.tokenFile}` : '(none)'),
            [p.caFile ? `ca:${p.caFile}` : '', p.insecure ? 'insecure' : ''].filter(Boolean).join(' '),
          ]);
          return table([[' ', 'NAME', 'URL', 'TOKEN', 'TLS'], ...rows], ctx.out.c.bold);
        });
      }),
    );

  config
    .command('remove')
    .alias('rm')
    .description('delete a profile')
    .argument('<name>', 'profile name')
    .addHelpText('after', examples(['ak-avatars config remove lab']))
    .action(
      action(deps, async (ctx, name) => {
        let wasCurrent = false;
        const cfg = await editProfiles(ctx, name, (c) => {
          delete c.profiles[name];
          wasCurrent = c.current === name;
          if (wasCurrent) delete c.current;
        });
        ctx.out.data({ removed: name, current: cfg.current ?? null }, () =>
          `Removed profile ${name}.${wasCurrent ? ' No profile is current now: run `ak-avatars config use NAME`.' : ''}`,
        );
      }),
    );

  config
    .command('show')
    .description('show the settings this run would use and where each comes from (or one profile)')
    .argument('[name]', 'show this saved profile instead')
    .addHelpText(
      'after',
      examples(
        ['ak-avatars config show', 'effective URL/token (flag > env > profile)'],
        ['AUTHENTIK_URL=https://other.example ak-avatars config show'],
        ['ak-avatars config show prod'],
      ),
    )
    .action(
      action(deps, async (ctx, name) => {
        if (name !== undefined) {
          const { config: cfg, store } = await load(ctx);
          const v = view(store, name, profileNamed(cfg, name), cfg.current === name);
          ctx.out.data(v, () => describe([
            ['profile', `${v.name}${v.current ? ' (current)' : ''}`],
            ['url', v.url],
            ['token', v.token ?? (v.tokenFile ? `read from ${v.tokenFile}` : '(none)')],
            ['ca file', v.caFile ?? '-'],
            ['tls', v.insecure ? 'NOT verified (--insecure)' : 'verified'],
          ]));
          return;
        }
        const conn = await ctx.connection();
        const { configPath, maskToken } = await import('../config-store.js');
        const result = {
          configFile: configPath(await ctx.configDir()),
          profile: conn.profile ?? null,
          url: { value: conn.url, source: conn.urlSource },
          token: { value: maskToken(conn.token), source: conn.tokenSource },
          caFile: conn.caFile ?? null,
          insecure: conn.insecure,
          timeoutMs: ctx.opts.timeout ?? 30000,
        };
        ctx.out.data(result, () => describe([
          ['url', `${conn.url}  (from ${conn.urlSource})`],
          ['token', `${maskToken(conn.token)}  (from ${conn.tokenSource})`],
          ['profile', conn.profile ?? '-'],
          ['ca file', conn.caFile ?? '-'],
          ['tls', conn.insecure ? 'NOT verified (--insecure)' : 'verified'],
          ['config file', result.configFile],
        ]));
      }),
    );
}

export async function configSet(ctx: Ctx, name: string, opts: { use?: true; verifyTls?: true }): Promise<number> {
  const { validateProfileName } = await import('../config-store.js');
  validateProfileName(name);
  const g = ctx.opts;
  const given = [g.token !== undefined && '--token', g.tokenFile !== undefined && '--token-file', g.tokenStdin && '--token-stdin'].filter(Boolean);
  if (given.length > 1) throw new CliError(`give the token one way only (got ${given.join(' and ')})`, ExitCode.USAGE);
  if (g.insecure && opts.verifyTls) throw new CliError('--insecure and --verify-tls contradict each other', ExitCode.USAGE);

  const { config: cfg, store, dir } = await load(ctx);
  const existing = cfg.profiles[name];
  if (!existing && g.url === undefined) {
    throw new CliError(`profile '${name}' does not exist yet: --url is required`, ExitCode.USAGE, {
      hint: `ak-avatars config set ${name} --url https://auth.example.com --token-stdin`,
    });
  }
  const p: Profile = existing ? { ...existing } : { url: '' };
  if (g.url !== undefined) p.url = normaliseUrl(g.url, '--url');

  if (g.tokenStdin || g.token === '-') {
    p.token = await readTokenFromStdin(ctx.deps.stdin);
    delete p.tokenFile;
  } else if (g.token !== undefined) {
    p.token = cleanToken(g.token, '--token');
    delete p.tokenFile;
    ctx.out.warn('a token given on the command line ends up in shell history and `ps`; prefer --token-stdin or --token-file');
  } else if (g.tokenFile !== undefined) {
    // remember the path, not the token: the secret stays where the admin manages it
    p.tokenFile = resolve(g.tokenFile);
    delete p.token;
  } else if (existing && g.url !== undefined && normaliseUrl(existing.url, 'profile') !== p.url && (existing.token || existing.tokenFile)) {
    // a stored token must not silently follow the profile to another host
    delete p.token;
    delete p.tokenFile;
    ctx.out.warn(`the URL changed, so the stored token was dropped; add one with --token-stdin or --token-file`);
  }
  if (p.token) registerSecret(p.token);
  if (g.caFile !== undefined) p.caFile = resolve(g.caFile);
  if (g.insecure) {
    p.insecure = true;
    ctx.out.warn(`profile '${name}' skips TLS certificate verification (--insecure)`);
  }
  if (opts.verifyTls) delete p.insecure;

  cfg.profiles[name] = p;
  const makeCurrent = Boolean(opts.use) || cfg.current === undefined || !cfg.profiles[cfg.current];
  if (makeCurrent) cfg.current = name;
  const path = await store.saveConfig(dir, cfg);
  const v = view(store, name, p, cfg.current === name);
  ctx.out.data({ ...v, created: !existing, configFile: path }, () => {
    const lines = [`${existing ? 'Updated' : 'Saved'} profile ${name} (${p.url})${v.current ? ', now the current profile' : ''}.`];
    if (!p.token && !p.tokenFile) lines.push('It has no token yet: add one with --token-stdin or --token-file.');
    lines.push(`Check it: ak-avatars --profile ${name} whoami`);
    return lines.join('\n');
  });
  return ExitCode.OK;
}

function describe(rows: Array<[string, string]>): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${(k + ':').padEnd(w + 2)}${v}`).join('\n');
}

function table(rows: string[][], bold: (s: string) => string): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r, ri) => {
      const line = r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
      return ri === 0 ? bold(line) : line;
    })
    .join('\n');
}
