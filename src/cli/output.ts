// Everything the CLI writes goes through Output, so the output rules live in one place:
//  - human text on stdout, progress/warnings/errors on stderr;
//  - under --json exactly one JSON document on stdout, nothing else there;
//  - colour only when wanted (flag, NO_COLOR, FORCE_COLOR, TTY, TERM=dumb, CI), decided from the
//    injected env and streams, never from process.* (chalk ignores NO_COLOR, so we decide the level);
//  - spinners animate only on an interactive stderr (TTY with a size, not CI, not TERM=dumb).
// chalk and ora are not imported here (start-up time: --help, pipes, --json and NO_COLOR never load
// them): loadOutputExtras() imports each one only when a stream will really get colour or a spinner.
import type { Chalk, ChalkInstance } from 'chalk';
import { CliError, redact, toCliError } from '../errors.js';

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface OutputOptions {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  json: boolean;
  color: boolean; // false when --no-color was given
  verbose: boolean;
  /** ora's default export, loaded lazily by the caller only when stderr is interactive. */
  ora?: OraFactory;
  /** chalk's Chalk class, loaded lazily by the caller only when a stream gets colour (without it: plain text). */
  chalk?: ChalkFactory;
}

export type ChalkFactory = typeof Chalk;

/** The subset of ora we use; typed locally so this module never imports ora at start-up. */
export type OraFactory = (opts: {
  text: string;
  stream: OutStream;
  isEnabled: boolean;
  isSilent: boolean;
  discardStdin: boolean;
  color: 'cyan' | false;
}) => {
  start(): unknown;
  stop(): unknown;
  stopAndPersist(o: { symbol: string; text?: string }): unknown;
  text: string;
};

export interface Spinner {
  start(): Spinner;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
  text(text: string): void;
}

type Level = 0 | 1 | 2 | 3;

/** Colour level for one stream, following the usual conventions (no-color.org, FORCE_COLOR, TTY, CI). */
export function colorLevel(stream: OutStream, env: Record<string, string | undefined>, flag: boolean): Level {
  if (!flag) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2') return 2;
    if (force === '3') return 3;
    return 1;
  }
  if (!stream.isTTY) return 0;
  if (env.TERM === 'dumb' || env.CI !== undefined) return 0;
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return 3;
  if (env.TERM && /-256(color)?$/i.test(env.TERM)) return 2;
  return 1;
}

/** Whether a spinner may animate on this stream (ora would read process.env itself; we decide from deps). */
export function isInteractive(stream: OutStream, env: Record<string, string | undefined>): boolean {
  return Boolean(stream.isTTY) && Boolean(stream.columns) && env.CI === undefined && env.TERM !== 'dumb';
}

export class Output {
  readonly json: boolean;
  /** Colour for stdout text. */
  readonly c: ChalkInstance;
  /** Colour for stderr text (errors, warnings, spinner symbols): stderr may be a TTY when stdout is not. */
  readonly ce: ChalkInstance;
  readonly verbose: boolean;
  private readonly o: OutputOptions;
  private dataWritten = false;

  constructor(opts: OutputOptions) {
    this.o = opts;
    this.json = opts.json;
    this.verbose = opts.verbose;
    this.c = painter(colorLevel(opts.stdout, opts.env, opts.color), opts.chalk);
    this.ce = painter(colorLevel(opts.stderr, opts.env, opts.color), opts.chalk);
  }

  /** True when a spinner would animate (callers use it to preload ora). */
  get interactive(): boolean {
    return !this.json && isInteractive(this.o.stderr, this.o.env);
  }

  /** Whether data() already produced the one JSON document. */
  get hasWrittenData(): boolean {
    return this.dataWritten;
  }

  /** Human text to stdout; suppressed under --json so stdout stays one JSON document. */
  line(text = ''): void {
    if (this.json) return;
    this.o.stdout.write(text + '\n');
  }

  /** Progress or informational text to stderr; suppressed under --json (stderr stays quiet on success). */
  info(text: string): void {
    if (this.json) return;
    this.o.stderr.write(text + '\n');
  }

  /** "Warning: ..." on stderr, also under --json (warnings matter to scripts too). */
  warn(text: string): void {
    this.o.stderr.write(`${this.ce.yellow('Warning:')} ${redact(text)}\n`);
  }

  /** A --verbose diagnostic line on stderr (secrets redacted). */
  debug(text: string): void {
    if (!this.verbose) return;
    this.o.stderr.write(redact(text) + '\n');
  }

  /**
   * The command's result: under --json exactly one JSON document on stdout, else human() on stdout.
   * Calling it twice under --json is a programming error (stdout would hold two documents).
   */
  data(value: unknown, human: () => string): void {
    if (this.json) {
      if (this.dataWritten) throw new Error('internal error: a command produced two JSON documents');
      this.dataWritten = true;
      this.o.stdout.write(JSON.stringify(value, null, 2) + '\n');
      return;
    }
    this.dataWritten = true;
    const text = human();
    if (text !== '') this.o.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  /**
   * Prints an error the CLI way and returns its exit code: one `Error: ...` line and an optional
   * `Hint: ...` line on stderr; the stack only with --verbose; under --json also
   * {"error": {message, exitCode, hint}} on stdout unless a document was already written.
   */
  error(e: unknown): number {
    const err = toCliError(e);
    let text = `${this.ce.red('Error:')} ${err.message}\n`;
    if (err.hint) text += `${this.ce.dim('Hint:')} ${redact(err.hint)}\n`;
    if (this.verbose) {
      const stack = stackOf(e);
      if (stack) text += this.ce.dim(redact(stack)) + '\n';
    }
    this.o.stderr.write(text);
    if (this.json && !this.dataWritten) {
      this.dataWritten = true;
      const doc = { error: { message: err.message, exitCode: err.exitCode, ...(err.hint ? { hint: redact(err.hint) } : {}) } };
      this.o.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    }
    return err.exitCode;
  }

  /** Runs fn with a started spinner (see spinner()) that stops however fn ends. */
  async during<T>(text: string, fn: (spin: Spinner) => Promise<T>): Promise<T> {
    const spin = this.spinner(text).start();
    try {
      return await fn(spin);
    } finally {
      spin.stop();
    }
  }

  /**
   * A spinner on stderr. Interactive stderr: an animated ora spinner. Otherwise (pipe, CI, TERM=dumb):
   * no animation and no start line; succeed/fail print their text once. Under --json: silent.
   */
  spinner(text: string): Spinner {
    const ce = this.ce;
    const err = this.o.stderr;
    if (this.interactive && this.o.ora) {
      const o = this.o.ora({
        text,
        stream: err,
        isEnabled: true,
        isSilent: false,
        discardStdin: false, // never touch process.stdin (it may carry a token or an image)
        color: ce.level > 0 ? 'cyan' : false,
      });
      const s: Spinner = {
        start: () => (o.start(), s),
        // ora's own ✔/✖ ignore NO_COLOR/--no-color: pass our own symbols
        succeed: (t) => void o.stopAndPersist({ symbol: ce.green('✔'), ...(t !== undefined ? { text: t } : {}) }),
        fail: (t) => void o.stopAndPersist({ symbol: ce.red('✖'), ...(t !== undefined ? { text: t } : {}) }),
        stop: () => void o.stop(),
        text: (t) => void (o.text = t),
      };
      return s;
    }
    const quiet = this.json;
    const s: Spinner = {
      start: () => s,
      succeed: (t) => {
        if (!quiet && t) err.write(`${ce.green('✔')} ${t}\n`);
      },
      fail: (t) => {
        if (!quiet && t) err.write(`${ce.red('✖')} ${t}\n`);
      },
      stop: () => undefined,
      text: () => undefined,
    };
    return s;
  }
}

/** Whether any of the output's streams gets colour, i.e. whether chalk is worth loading. */
export function wantsColour(opts: Pick<OutputOptions, 'stdout' | 'stderr' | 'env' | 'color'>): boolean {
  return colorLevel(opts.stdout, opts.env, opts.color) > 0 || colorLevel(opts.stderr, opts.env, opts.color) > 0;
}

/**
 * Imports what an Output for these options needs and nothing more: chalk when a stream gets colour,
 * ora when a spinner can animate (interactive stderr, no --json).
 */
export async function loadOutputExtras(
  opts: Pick<OutputOptions, 'stdout' | 'stderr' | 'env' | 'color' | 'json'>,
  need: { spinner: boolean },
): Promise<Pick<OutputOptions, 'chalk' | 'ora'>> {
  const extras: Pick<OutputOptions, 'chalk' | 'ora'> = {};
  if (wantsColour(opts)) extras.chalk = (await import('chalk')).Chalk;
  if (need.spinner && !opts.json && isInteractive(opts.stderr, opts.env)) {
    extras.ora = (await import('ora')).default as unknown as OraFactory;
  }
  return extras;
}

function painter(level: Level, chalk: ChalkFactory | undefined): ChalkInstance {
  return level > 0 && chalk ? new chalk({ level }) : PLAIN;
}

// chalk's model methods take a colour and return a painter (chalk.hex('#f00')('text')).
const MODEL_METHODS = new Set(['rgb', 'hex', 'ansi256', 'bgRgb', 'bgHex', 'bgAnsi256']);

/**
 * What a chalk instance of level 0 does, without loading chalk: every style (chained or not) returns
 * the text unchanged, `visible` returns '' (chalk prints it only with colour), `level` is 0.
 */
function plainPainter(visible: boolean): ChalkInstance {
  const paint = (...text: unknown[]) => (visible ? (text.length === 1 ? String(text[0]) : text.join(' ')) : '');
  const self: ChalkInstance = new Proxy(paint, {
    get(target, prop, receiver) {
      if (prop === 'level') return 0;
      if (typeof prop !== 'string') return Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'visible') return INVISIBLE;
      if (MODEL_METHODS.has(prop)) return () => self;
      return self;
    },
    // chalk allows `instance.level = n`; a plain painter stays plain
    set: () => true,
  }) as unknown as ChalkInstance;
  return self;
}

const INVISIBLE = plainPainter(false);
const PLAIN = plainPainter(true);

function stackOf(e: unknown): string | undefined {
  if (e instanceof CliError && e.cause instanceof Error) return e.cause.stack ?? e.stack;
  if (e instanceof Error) return e.stack;
  return undefined;
}
