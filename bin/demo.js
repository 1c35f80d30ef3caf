#!/usr/bin/env node
// `npm run demo`: starts the authentik stand-in in this process, runs every ak-avatars command that
// exists so far against it (each as a child process of bin/ak-avatars.js, the way an admin would),
// prints what each did, and exits non-zero if any step did not end as expected.
// Works without a terminal and without stdin (CI=true). Options: --authentik-version V, --page-size N.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'ak-avatars.js');
const STEP_TIMEOUT_MS = 60_000;

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** A small non-square PNG (a colour gradient), written by hand so the demo needs no image library. */
function gradientPng(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = Math.round((255 * x) / width);
      raw[row + 2 + x * 3] = Math.round((255 * y) / height);
      raw[row + 3 + x * 3] = 160;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Runs bin/ak-avatars.js with a clean environment; never inherits a terminal or stdin. */
function cli(args, env, input) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), STEP_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

function clip(text, maxLines) {
  const lines = text.replace(/\s+$/, '').split('\n');
  if (!maxLines || lines.length <= maxLines) return text;
  return [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`].join('\n');
}

const indent = (text) =>
  text
    .replace(/\s+$/, '')
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

async function main() {
  let standinMod;
  try {
    standinMod = await import('../dist/standin/index.js');
  } catch (e) {
    console.error(`Error: cannot load the stand-in from dist/ (${e.message.split('\n')[0]})\nHint: run \`npm run build\` first`);
    return 1;
  }
  const version = arg('--authentik-version', '2026.8');
  const pageSize = Number(arg('--page-size', '3'));
  const sandbox = await standinMod.startStandin({ version, pageSize, maxPageSize: pageSize });
  const home = mkdtempSync(join(tmpdir(), 'ak-avatars-demo-'));
  const image = join(home, 'portrait.png');
  writeFileSync(image, gradientPng(96, 64));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home, // profiles of the demo never touch the real ~/.config
    XDG_CONFIG_HOME: join(home, '.config'),
    AUTHENTIK_URL: sandbox.url,
    AUTHENTIK_TOKEN: sandbox.token,
    CI: 'true',
    NO_COLOR: '1',
  };

  console.log(`ak-avatars demo against the built-in stand-in: authentik ${sandbox.version} at ${sandbox.url} (page size ${pageSize})`);
  console.log(`AUTHENTIK_URL and AUTHENTIK_TOKEN are set for every step; HOME is ${home}\n`);

  // Which commands exist so far: read them from the CLI's own help (its "Commands:" section).
  const help = await cli(['--help'], env);
  if (help.code !== 0) {
    console.error(`Error: ak-avatars --help failed (exit ${help.code})\n${help.stderr}`);
    await sandbox.close();
    return 1;
  }
  const commandsSection = help.stdout.split(/^Commands:$/m)[1]?.split(/^\S/m)[0] ?? '';
  const available = new Set([...commandsSection.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]));
  const exists = async (name) => available.has(name);

  /** [title, args, expected exit codes, check(stdout) -> error text | undefined, stdin, max lines shown] */
  const steps = [
    ['Who am I? (token, user, authentik version)', ['whoami'], [0]],
    ['The same as JSON', ['--json', 'whoami'], [0], jsonCheck((d) => d.user?.username === 'akadmin' || 'user.username is not akadmin')],
    ['A wrong token is refused with exit 4 (and the token is never printed)', ['--token', 'wrong-token-000000000000', 'whoami'], [4]],
    ['Save a profile (token from stdin) and list it (token masked)', ['config', 'set', 'sandbox', '--url', sandbox.url, '--token-stdin'], [0], undefined, sandbox.token],
    ['', ['config', 'list'], [0], (out) => (out.includes(sandbox.token) ? 'the token was printed' : undefined)],
    ['Before setup: --check reports pending changes (exit 8)', ['setup', '--check'], [8]],
    ['Plan the setup without changing anything', ['setup', '--dry-run'], [0]],
    ['Set up avatar uploads', ['--yes', 'setup'], [0]],
    ['Run it again: everything unchanged', ['--yes', 'setup'], [0]],
    ['Health report', ['status'], [0]],
    ['The same as a blueprint, for admins who use blueprints (first lines)', ['setup', '--blueprint'], [0], undefined, undefined, 14],
    ["Upload alice's avatar from a 96×64 PNG (cropped square, re-encoded)", ['upload', 'alice', image], [0]],
    ['Show it', ['show', 'alice'], [0]],
    ['Crop it (already square: nothing to do)', ['crop', 'alice'], [0]],
    ['Reset it (authentik falls back to the next avatar mode)', ['reset', 'alice'], [0]],
    ['A user that does not exist: exit 5', ['show', 'nobody-here'], [5]],
    ['Remove the setup again', ['--yes', 'teardown'], [0]],
    ['After teardown, status reports what is missing (exit 8: drift)', ['status'], [8]],
  ];

  const results = { ok: 0, failed: 0, skipped: new Set() };
  for (const [title, args, expected, check, input, maxLines] of steps) {
    const command = args.find((a, i) => !a.startsWith('-') && !['--token', '--url'].includes(args[i - 1]));
    if (!(await exists(command))) {
      results.skipped.add(command);
      continue;
    }
    if (title) console.log(`# ${title}`);
    const shown = args.map((a) => (a === sandbox.token ? '"$AUTHENTIK_TOKEN"' : a.includes(' ') ? `'${a}'` : a));
    console.log(`$ ${input === sandbox.token ? 'printf %s "$AUTHENTIK_TOKEN" | ' : ''}ak-avatars ${shown.join(' ')}`);
    const r = await cli(args, env, input);
    const problem = !expected.includes(r.code)
      ? `exit ${r.code}, expected ${expected.join(' or ')}`
      : check?.(r.stdout) ?? undefined;
    if (r.stdout.trim()) console.log(indent(clip(r.stdout, maxLines)));
    if (r.stderr.trim() && (problem || r.code !== 0)) console.log(indent(r.stderr));
    if (problem) {
      results.failed++;
      console.log(`  ✖ ${problem}\n`);
    } else {
      results.ok++;
      console.log(`  ✔ exit ${r.code}\n`);
    }
  }

  await sandbox.close();
  rmSync(home, { recursive: true, force: true });
  const skipped = [...results.skipped];
  console.log(
    `${results.ok} step(s) ok, ${results.failed} failed` +
      (skipped.length ? `; skipped (command not there yet): ${skipped.join(', ')}` : ''),
  );
  if (results.ok === 0) {
    console.log('No step ran at all: is the CLI built?');
    return 1;
  }
  return results.failed ? 1 : 0;
}

function jsonCheck(pred) {
  return (out) => {
    let doc;
    try {
      doc = JSON.parse(out);
    } catch {
      return 'stdout is not one JSON document';
    }
    const r = pred(doc);
    return r === true ? undefined : r;
  };
}

process.exitCode = await main();
