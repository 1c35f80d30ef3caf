// The stand-in ("sandbox") runs inside the bench process; the CLI runs as a separate, timed process
// against it, exactly as an admin would run it. The bench process must stay idle while a CLI child runs
// (runTimed is asynchronous), else the stand-in's answers would be delayed by the bench itself.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runTimed } from './proc.js';

export function cliPaths(root) {
  return {
    bin: join(root, 'bin', 'ak-avatars.js'),
    main: join(root, 'dist', 'cli', 'main.js'),
    standin: join(root, 'dist', 'standin', 'index.js'),
  };
}

/** Throws a readable error when the pieces a section needs are not built. */
export function requireBuilt(root, what) {
  const p = cliPaths(root);
  const missing = what.filter((k) => !existsSync(p[k])).map((k) => p[k].slice(root.length + 1));
  if (missing.length) throw new Error(`not built: ${missing.join(', ')} (run \`npm run build\`)`);
  return p;
}

export async function startSandbox(root, opts = {}) {
  const { startStandin } = await import(pathToFileURL(cliPaths(root).standin).href);
  return startStandin(opts);
}

/** Environment for CLI children: the sandbox's URL and token, no colour, an empty config dir, no profile. */
export function cliEnv(outDir, sandbox) {
  const configHome = join(outDir, 'config');
  rmSync(configHome, { recursive: true, force: true });
  mkdirSync(configHome, { recursive: true });
  const env = { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: configHome, CI: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('AK_AVATARS_') || k.startsWith('AUTHENTIK_')) delete env[k];
  if (sandbox) {
    env.AUTHENTIK_URL = sandbox.url;
    env.AUTHENTIK_TOKEN = sandbox.token;
  }
  return env;
}

/** One timed run of the CLI: `node bin/ak-avatars.js ...args`. */
export function runCli(root, args, { env, input, timeoutMs = 120_000, sampleTree = false } = {}) {
  return runTimed(process.execPath, [cliPaths(root).bin, ...args], { env, input, timeoutMs, cwd: root, sampleTree });
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Requests the sandbox received since `from` (an index into its request log). */
export function requestsSince(sandbox, from) {
  const list = sandbox.requests.slice(from);
  return { total: list.length, writes: list.filter((r) => WRITE_METHODS.has(r.method.toUpperCase())).length, list };
}

/** GET through the sandbox's API (not timed; used to verify results). */
export async function api(sandbox, path) {
  const res = await fetch(new URL(`/api/v3/${path}`, sandbox.url), { headers: { Authorization: `Bearer ${sandbox.token}`, Accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  return res.json();
}

export async function getUser(sandbox, username) {
  const page = await api(sandbox, `core/users/?username=${encodeURIComponent(username)}`);
  const u = page.results?.[0];
  if (!u) throw new Error(`sandbox has no user ${username}`);
  return u;
}
