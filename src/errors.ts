// The one place that defines exit codes and the error type every layer throws.
// Layers below the CLI (client, setup plan, image pipeline, storage) throw CliError (or a subclass)
// so the CLI can print one line and exit with the right code without knowing where it came from.

export const ExitCode = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  CANCELLED: 3,
  AUTH: 4,
  NOT_FOUND: 5,
  CHANGES_PENDING: 8,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface CliErrorOptions {
  /** Optional second line: the fix, the flag, or where to look. */
  hint?: string;
  cause?: unknown;
}

export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint?: string;
  constructor(message: string, exitCode: ExitCodeValue = ExitCode.ERROR, opts: CliErrorOptions = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'CliError';
    this.exitCode = exitCode;
    if (opts.hint !== undefined) this.hint = opts.hint;
  }
}

/** Secrets registered here are masked in every message that passes through redact(). */
const secrets = new Set<string>();

export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 4) secrets.add(secret);
}

/** Removes bearer tokens and every registered secret from a string. */
export function redact(text: string): string {
  let out = text.replace(/(Bearer\s+)[^\s"',;]+/gi, '$1***');
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

/** Turns anything thrown into a CliError with a one-line, secret-free message. */
export function toCliError(e: unknown): CliError {
  if (e instanceof CliError) {
    const msg = redact(firstLine(e.message));
    if (msg === e.message) return e;
    const copy = new CliError(msg, e.exitCode, e.hint !== undefined ? { hint: redact(e.hint) } : {});
    copy.stack = e.stack;
    return copy;
  }
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    const base = code && !e.message.includes(code) ? `${code} ${e.message}` : e.message;
    const err = new CliError(redact(firstLine(base)), ExitCode.ERROR, { cause: e });
    err.stack = e.stack;
    return err;
  }
  return new CliError(redact(firstLine(String(e))), ExitCode.ERROR);
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? s;
  return line.trim();
}
