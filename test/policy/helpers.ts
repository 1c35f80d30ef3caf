// Runs policies through src/policy/evaluate.py (authentik's wrapping, re-created) with python3.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyAssetPath } from '../../src/policy/render.js';

export interface EvalResult {
  passing: boolean;
  messages: string[];
  context: Record<string, unknown> | null;
  error: string | null;
  logs: Array<Record<string, unknown>>;
}

export interface EvalInput {
  expression: string;
  user?: Record<string, unknown> | null;
  context?: Record<string, unknown>;
  request_user_authenticated?: boolean;
  timeout?: number;
}

/** Runs a python3 process with `stdin`, killing it after `timeoutMs`. */
export function runPython(args: string[], stdin: string, timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python3 ${args.join(' ')} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // a crashed child closes stdin early; 'close' reports it
    child.stdin.end(stdin);
  });
}

export async function evaluatePolicy(input: EvalInput): Promise<EvalResult> {
  const { code, stdout, stderr } = await runPython([policyAssetPath('evaluate.py')], JSON.stringify(input));
  if (code !== 0) throw new Error(`evaluate.py exited ${String(code)}: ${stdout}${stderr}`);
  return JSON.parse(stdout) as EvalResult;
}

/** Compiles each expression with authentik's wrapping; returns null (ok) or the error text per expression. */
export async function compileAll(expressions: string[]): Promise<Array<string | null>> {
  const script = [
    'import json, sys',
    'sys.path.insert(0, sys.argv[1])',
    'import evaluate',
    'out = []',
    'for e in json.load(sys.stdin):',
    '    try:',
    '        evaluate.compile_expression(e)',
    '        out.append(None)',
    '    except (SyntaxError, ValueError) as exc:',
    '        out.append(str(exc))',
    'print(json.dumps(out))',
  ].join('\n');
  const dir = policyAssetPath('evaluate.py').replace(/\/evaluate\.py$/, '');
  const { code, stdout, stderr } = await runPython(['-c', script, dir], JSON.stringify(expressions));
  if (code !== 0) throw new Error(`compile failed: ${stderr}`);
  return JSON.parse(stdout) as Array<string | null>;
}

export function tempDir(prefix: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export function dataUri(mime: string, data: Buffer | string): string {
  return `data:${mime};base64,${Buffer.from(data).toString('base64')}`;
}

/** Prompt data as authentik's prompt stage builds it: DRF nests the dotted field keys. */
export function nestedPrompt(avatar: unknown, reset: unknown = false): Record<string, unknown> {
  const attributes: Record<string, unknown> = { avatar_reset: reset };
  if (avatar !== undefined) attributes.avatar = avatar;
  return { prompt_data: { username: 'alice', attributes } };
}

export const EMPTY_UPLOAD = 'data:application/octet-stream;base64,';
