// Runs Python for the two places authentik does: the syntax check on saving an expression
// policy (BaseEvaluator.validate: wrap in `def handler(...)`, compile()) and the policy test
// endpoint (through src/policy/evaluate.py, written by the policy helper).
// Without python3 the syntax check is skipped and the test endpoint says it cannot evaluate.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface PolicyTestResult {
  passing: boolean;
  messages: string[];
  log_messages: Record<string, unknown>[];
}

export interface PolicyRunner {
  /** null = valid, a string = authentik's "Expression Syntax Error: ..." text, undefined = not checked */
  syntaxError(expression: string, filename: string): Promise<string | null | undefined>;
  test(expression: string, user: Record<string, unknown>, context: Record<string, unknown>): Promise<PolicyTestResult>;
}

const SYNTAX_CHECK = `
import json, sys, textwrap
d = json.load(sys.stdin)
args = "request,context,ak_message,ak_logger,ak_is_sso_flow,ak_client_ip,ak_call_policy"
src = "def handler(" + args + "):\\n" + textwrap.indent(d["expression"], "    ") + "\\nresult = handler(" + args + ")"
try:
    compile(src, d["filename"], "exec")
    print(json.dumps({"ok": True}))
except (SyntaxError, ValueError) as exc:
    print(json.dumps({"ok": False, "error": str(exc)}))
`;

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  spawnError?: Error;
}

function run(cmd: string, args: string[], input: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      resolve({ code: null, stdout, stderr, spawnError: err });
    });
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // child may exit before reading everything
    child.stdin.end(input);
  });
}

/** src/policy/evaluate.py, seen from src/standin/ (ts-jest) or dist/standin/ (built). */
export function findEvaluator(): string | null {
  const candidates = ['../policy/evaluate.py', '../../src/policy/evaluate.py'];
  for (const rel of candidates) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

let pythonAvailable: Promise<boolean> | null = null;

export function hasPython(python = 'python3'): Promise<boolean> {
  pythonAvailable ??= run(python, ['-c', 'print(1)'], '', 5000).then((r) => r.code === 0 && r.stdout.trim() === '1');
  return pythonAvailable;
}

export function createPolicyRunner(opts: { python?: string; timeoutMs?: number } = {}): PolicyRunner {
  const python = opts.python ?? 'python3';
  const timeoutMs = opts.timeoutMs ?? 15000;
  return {
    async syntaxError(expression, filename) {
      if (!(await hasPython(python))) return undefined;
      const r = await run(python, ['-c', SYNTAX_CHECK], JSON.stringify({ expression, filename }), timeoutMs);
      try {
        const parsed = JSON.parse(r.stdout) as { ok: boolean; error?: string };
        return parsed.ok ? null : `Expression Syntax Error: ${parsed.error ?? ''}`;
      } catch {
        return undefined; // python misbehaved: do not block the save on the stand-in's own problem
      }
    },
    async test(expression, user, context) {
      const evaluator = findEvaluator();
      if (!evaluator || !(await hasPython(python))) {
        return {
          passing: false,
          messages: [
            evaluator
              ? 'ak-standin: python3 is not available, so this policy was not evaluated.'
              : 'ak-standin: src/policy/evaluate.py is missing, so this policy was not evaluated.',
          ],
          log_messages: [],
        };
      }
      const r = await run(python, [evaluator], JSON.stringify({ expression, user, context }), timeoutMs);
      try {
        const parsed = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { passing?: unknown; messages?: unknown; logs?: unknown };
        return {
          passing: parsed.passing === true,
          messages: Array.isArray(parsed.messages) ? parsed.messages.map(String) : [],
          // authentik captures the policy's log events into log_messages
          log_messages: Array.isArray(parsed.logs) ? parsed.logs.filter((l): l is Record<string, unknown> => !!l && typeof l === 'object') : [],
        };
      } catch {
        // PolicyProcess turns an exception into PolicyResult(False, str(exc))
        const last = (r.stderr.trim().split('\n').pop() ?? '').trim() || `evaluate.py exited with ${r.code}`;
        return { passing: false, messages: [last], log_messages: [] };
      }
    },
  };
}
