import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { CliError } from '../../src/errors.js';
import {
  POLICY_VERSION,
  defaultPolicyOptions,
  policyAssetPath,
  readPolicyMarker,
  renderPolicy,
  type PolicyOptions,
} from '../../src/policy/render.js';
import { compileAll, evaluatePolicy, tempDir } from './helpers.js';

const DIR: PolicyOptions = { ...defaultPolicyOptions('dir'), storeDir: '/data/avatars', publicUrl: 'https://auth.example.com/avatars/' };

function configLines(expression: string): string[] {
  const lines = expression.split('\n');
  return lines.slice(lines.indexOf('# --- ak-avatars config ---') + 1, lines.indexOf('# --- end config ---'));
}

describe('defaultPolicyOptions', () => {
  test('inline: PNG/JPEG, 512 KB, no SVG', () => {
    expect(defaultPolicyOptions('inline')).toEqual({ store: 'inline', maxBytes: 524288, allowedTypes: ['image/png', 'image/jpeg'], allowSvg: false });
  });
  test('dir: adds WebP and GIF, 5 MiB, no dir/url (the caller must give them)', () => {
    const d = defaultPolicyOptions('dir');
    expect(d).toEqual({ store: 'dir', maxBytes: 5 * 1024 * 1024, allowedTypes: ['image/png', 'image/jpeg', 'image/webp', 'image/gif'], allowSvg: false });
    expect(() => renderPolicy(d)).toThrow(CliError);
  });
});

describe('renderPolicy', () => {
  test('substitutes the config block and the marker, and nothing else', () => {
    const template = readFileSync(policyAssetPath('avatar_policy.py'), 'utf8');
    const out = renderPolicy(DIR);
    expect(out.split('\n')[0]).toBe(`# ak-avatars policy v${POLICY_VERSION} store=dir`);
    expect(configLines(out)).toEqual([
      'STORE = "dir"',
      'MAX_BYTES = 5242880',
      'ALLOWED_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"]',
      'ALLOW_SVG = False',
      'STORE_DIR = "/data/avatars"',
      'PUBLIC_URL = "https://auth.example.com/avatars/"',
    ]);
    const strip = (s: string) => {
      const l = s.split('\n');
      return [...l.slice(1, l.indexOf('# --- ak-avatars config ---')), ...l.slice(l.indexOf('# --- end config ---'))];
    };
    expect(strip(out)).toEqual(strip(template));
  });

  test('the template marker carries POLICY_VERSION (bump both together)', () => {
    const template = readFileSync(policyAssetPath('avatar_policy.py'), 'utf8');
    expect(readPolicyMarker(template)?.version).toBe(POLICY_VERSION);
  });

  test('output is ASCII without triple-quoted strings (authentik re-indents every line)', () => {
    for (const o of [defaultPolicyOptions('inline'), DIR, { ...DIR, storeDir: '/data/äva\u2028tars' }]) {
      const out = renderPolicy(o);
      expect(/^[\x20-\x7e\n]*$/.test(out)).toBe(true);
      expect(out).not.toMatch(/"""|'''/);
    }
  });

  test('allowSvg adds image/svg+xml; duplicates and case are normalised', () => {
    const out = renderPolicy({ ...defaultPolicyOptions('inline'), allowedTypes: ['IMAGE/PNG', 'image/png'], allowSvg: true });
    expect(configLines(out)).toContain('ALLOWED_TYPES = ["image/png", "image/svg+xml"]');
    expect(configLines(out)).toContain('ALLOW_SVG = True');
  });

  test('a store dir with quotes and backslashes stays a plain string in Python', async () => {
    const storeDir = '/data/a"b\\c\';import os';
    const out = renderPolicy({ ...DIR, storeDir });
    const probe = out.split('\n').slice(0, out.split('\n').indexOf('# --- end config ---') + 1).join('\n');
    const r = await evaluatePolicy({ expression: `${probe}\nak_message(STORE_DIR)\nreturn True`, context: {} });
    expect(r.error).toBeNull();
    expect(r.messages).toEqual([storeDir]);
  });

  test('the rendered policy compiles with authentik\'s wrapping for every option combination', async () => {
    const combos: PolicyOptions[] = [];
    for (const store of ['inline', 'dir'] as const) {
      for (const allowSvg of [false, true]) {
        for (const allowedTypes of [['image/png'], ['image/png', 'image/jpeg'], ['image/jpeg', 'image/webp', 'image/gif', 'image/png']]) {
          for (const maxBytes of [1024, 512 * 1024, 2 * 1024 * 1024]) {
            const base: PolicyOptions = { store, allowSvg, allowedTypes, maxBytes };
            combos.push(store === 'dir' ? { ...base, storeDir: '/srv/av', publicUrl: 'http://localhost:8080/a/' } : base);
          }
        }
      }
    }
    combos.push({ ...defaultPolicyOptions('inline'), storeDir: '/old/dir', publicUrl: 'https://x.example/' });
    const results = await compileAll(combos.map(renderPolicy));
    expect(results).toHaveLength(combos.length);
    expect(results.every((r) => r === null)).toBe(true);
  });

  test('compileAll does report a syntax error (the check can fail)', async () => {
    const [r] = await compileAll([`${renderPolicy(DIR)}\nreturn (True`]);
    expect(r).toMatch(/never closed|invalid syntax|unexpected EOF/);
  });
});

describe('renderPolicy refuses bad options with exit 2', () => {
  const cases: Array<[string, PolicyOptions]> = [
    ['unknown store', { ...DIR, store: 'bucket' as never }],
    ['url without trailing slash', { ...DIR, publicUrl: 'https://auth.example.com/avatars' }],
    ['ftp url', { ...DIR, publicUrl: 'ftp://auth.example.com/avatars/' }],
    ['url with query', { ...DIR, publicUrl: 'https://auth.example.com/a/?x=1/' }],
    ['url with fragment', { ...DIR, publicUrl: 'https://auth.example.com/a#/' }],
    ['url with credentials', { ...DIR, publicUrl: 'https://u:p@auth.example.com/a/' }],
    ['url with dot segments', { ...DIR, publicUrl: 'https://auth.example.com/a/../b/' }],
    ['url with encoded slash', { ...DIR, publicUrl: 'https://auth.example.com/a%2Fb/' }],
    ['url with a quote', { ...DIR, publicUrl: 'https://auth.example.com/a"b/' }],
    ['url with a space', { ...DIR, publicUrl: 'https://auth.example.com/a b/' }],
    ['relative dir', { ...DIR, storeDir: 'data/avatars' }],
    ['dir with ..', { ...DIR, storeDir: '/data/../etc' }],
    ['root dir', { ...DIR, storeDir: '/' }],
    ['dir with newline', { ...DIR, storeDir: '/data/a\nb' }],
    ['dir store without dir', { ...DIR, storeDir: undefined }],
    ['dir store without url', { ...DIR, publicUrl: undefined }],
    ['inline with only a dir', { ...defaultPolicyOptions('inline'), storeDir: '/data/avatars' }],
    ['maxBytes 0', { ...DIR, maxBytes: 0 }],
    ['maxBytes fraction', { ...DIR, maxBytes: 1500.5 }],
    ['maxBytes NaN', { ...DIR, maxBytes: Number.NaN }],
    ['maxBytes huge for inline', { ...defaultPolicyOptions('inline'), maxBytes: 10 * 1024 * 1024 }],
    ['maxBytes huge for dir', { ...DIR, maxBytes: 100 * 1024 * 1024 }],
    ['no types', { ...DIR, allowedTypes: [] }],
    ['unknown type', { ...DIR, allowedTypes: ['image/png', 'image/bmp'] }],
    ['svg listed but not enabled', { ...DIR, allowedTypes: ['image/png', 'image/svg+xml'] }],
  ];
  test.each(cases)('%s', (_name, opts) => {
    let err: unknown;
    try {
      renderPolicy(opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as CliError).message).not.toContain('\n');
  });
});

describe('readPolicyMarker', () => {
  test('round-trips what renderPolicy writes', () => {
    expect(readPolicyMarker(renderPolicy(defaultPolicyOptions('inline')))).toEqual({ version: POLICY_VERSION, store: 'inline' });
    expect(readPolicyMarker(renderPolicy(DIR))).toEqual({ version: POLICY_VERSION, store: 'dir' });
  });
  test('accepts CRLF text and a marker without store', () => {
    expect(readPolicyMarker('# ak-avatars policy v7 store=dir\r\nreturn True\r\n')).toEqual({ version: '7', store: 'dir' });
    expect(readPolicyMarker('# ak-avatars policy v2\nreturn True')).toEqual({ version: '2' });
  });
  test('null for code that is not ours', () => {
    expect(readPolicyMarker('')).toBeNull();
    expect(readPolicyMarker('# a hand-written avatar policy\nprompt_data = request.context.get("prompt_data")\nreturn True')).toBeNull();
    expect(readPolicyMarker('x = "# ak-avatars policy v1"\nreturn True')).toBeNull();
    expect(readPolicyMarker('# ak-avatars policy vX! store=dir')).toBeNull();
  });
});

describe('policyAssetPath', () => {
  test('a built copy in dist/policy/ finds the .py files in src/policy/', () => {
    const tmp = tempDir('akav-dist-');
    try {
      const emit = (from: string, to: string) => {
        const out = ts.transpileModule(readFileSync(from, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
        }).outputText;
        mkdirSync(join(tmp.path, to, '..'), { recursive: true });
        writeFileSync(join(tmp.path, to), out);
      };
      emit('src/policy/render.ts', 'dist/policy/render.js');
      emit('src/errors.ts', 'dist/errors.js');
      writeFileSync(join(tmp.path, 'package.json'), '{"type":"module"}');
      mkdirSync(join(tmp.path, 'src/policy'), { recursive: true });
      copyFileSync(policyAssetPath('avatar_policy.py'), join(tmp.path, 'src/policy/avatar_policy.py'));
      const script = `const m = await import(${JSON.stringify(join(tmp.path, 'dist/policy/render.js'))});
        process.stdout.write(JSON.stringify([m.policyAssetPath('avatar_policy.py'), m.renderPolicy(m.defaultPolicyOptions('inline'))]));`;
      const [path, text] = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 })) as [string, string];
      expect(path).toBe(join(tmp.path, 'src/policy/avatar_policy.py'));
      expect(text).toBe(renderPolicy(defaultPolicyOptions('inline')));
    } finally {
      tmp.cleanup();
    }
  });
});
