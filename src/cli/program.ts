// The commander tree: the root with its global options, then the commands of commands/index.ts.
// Only commander loads here; a command's module loads when the run names it (createProgram), and
// command implementations, the authentik client (axios) and the image pipeline (sharp) are imported
// inside the actions.
import { readFileSync } from 'node:fs';
import * as commander from 'commander';
import type * as typed from '@commander-js/extra-typings';
import { COMMANDS, type CommandEntry, type Register } from './commands/index.js';
import type { Deps } from './context.js';

// commander's classes with @commander-js/extra-typings' types (options and arguments typed from their
// flags). That package is types plus a thin runtime wrapper around these very classes; importing the
// classes from commander itself skips the wrapper at start-up. Commands take Command/Option from here.
export const Command = commander.Command as unknown as typeof typed.Command;
export const Option = commander.Option as unknown as typeof typed.Option;
export const { CommanderError, InvalidArgumentError } = commander;
export type CommanderError = commander.CommanderError;

export const BIN = 'ak-avatars';

/** The package version, read at run time (package.json lies outside the compiled tree). */
export function packageVersion(): string {
  // src/cli/program.ts and dist/cli/program.js both sit two levels below the package root
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a positive integer');
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** Formats an "Examples:" block for addHelpText('after', ...). */
export function examples(...lines: Array<[string, string?]>): string {
  const body = lines.map(([cmd, what]) => (what ? `  # ${what}\n  $ ${cmd}` : `  $ ${cmd}`)).join('\n');
  return `\nExamples:\n${body}\n`;
}

const ROOT_HELP_AFTER = `${examples(
  ['ak-avatars sandbox', 'try everything against the built-in authentik stand-in'],
  ['export AUTHENTIK_URL=https://auth.example.com AUTHENTIK_TOKEN=...', 'point at an instance (or use a profile)'],
  ['ak-avatars whoami', 'check the token and the authentik version'],
  ['printf %s "$TOKEN" | ak-avatars config set prod --url https://auth.example.com --token-stdin', 'save a profile'],
  ['ak-avatars --profile prod --json whoami', 'machine-readable output'],
)}
Environment:
  AUTHENTIK_URL        authentik base URL (--url wins over it)
  AUTHENTIK_TOKEN      API token (--token/--token-file win over it)
  AK_AVATARS_PROFILE   profile to use (--profile wins over it)
  NO_COLOR             disable colour;  HTTPS_PROXY / NO_PROXY  proxy;  NODE_EXTRA_CA_CERTS  extra CAs

Exit codes: 0 ok, 1 error, 2 usage, 3 cancelled, 4 authentication/permission, 5 not found, 8 changes pending.
`;

export function createRoot(deps: Deps) {
  return (
    new Command()
      .name(BIN)
      .description('Give authentik users real profile pictures: set up avatar uploads and manage avatars over the API.')
      .version(packageVersion(), '-V, --version', 'print the version')
      .helpOption('-h, --help', 'show help')
      // env vars are resolved from deps.env in context.ts (commander's Option.env() would read process.env)
      .addOption(new Option('--url <url>', 'authentik base URL (env: AUTHENTIK_URL)'))
      .addOption(new Option('--token <token>', 'API token, or - to read it from stdin (env: AUTHENTIK_TOKEN; prefer the env var or a file)'))
      .addOption(new Option('--token-file <path>', 'read the API token from a file'))
      .addOption(new Option('--token-stdin', 'read the API token from stdin'))
      .addOption(new Option('--profile <name>', 'use a saved profile (env: AK_AVATARS_PROFILE)'))
      .addOption(new Option('--ca-file <path>', 'trust this CA certificate (PEM) for authentik'))
      .addOption(new Option('--insecure', 'skip TLS certificate verification (prints a warning)'))
      .addOption(new Option('--timeout <ms>', 'HTTP timeout per request in ms').argParser(parsePositiveInt).default(30_000))
      .addOption(new Option('--json', 'print one JSON document on stdout'))
      .addOption(new Option('--no-color', 'disable colour (also NO_COLOR=1)'))
      .addOption(new Option('-v, --verbose', 'log each HTTP request on stderr (token redacted); stack traces'))
      .addOption(new Option('-y, --yes', 'answer yes to confirmations'))
      // both must be set before children are created: children copy them at .command()
      .exitOverride()
      .configureOutput({
        writeOut: (s) => void deps.stdout.write(s),
        writeErr: (s) => void deps.stderr.write(s),
        // runCli prints usage errors itself (one `Error:` line + a hint, and JSON under --json)
        outputError: () => undefined,
      })
      .showSuggestionAfterError(true)
      .addHelpText('after', ROOT_HELP_AFTER)
  );
}

export type Root = ReturnType<typeof createRoot>;

/**
 * The program for one run. Given the run's args, only the commands they name are loaded (none for
 * --help or --version); every other command is a placeholder that shows in the root help exactly as
 * the real one would (see commands/index.ts). Without args: every command, fully (tests walk the tree).
 */
export async function createProgram(deps: Deps, args?: readonly string[]): Promise<Root> {
  const root = createRoot(deps);
  const named = args === undefined ? undefined : namedCommands(args, root);
  // a word that names no command (a typo, an alias) loads them all: commander then suggests or dispatches
  const all = named === undefined || !named.every((n) => n === 'help' || COMMANDS.some((e) => e.name === n));
  const load = (e: CommandEntry) => all || e.help === undefined || named.includes(e.name);
  // one after the other: jest's ESM loader fails on concurrent imports of shared modules
  const registers: Array<Register | undefined> = [];
  for (const e of COMMANDS) registers.push(load(e) ? await e.load() : undefined);
  const terms = new Map<unknown, string>();
  COMMANDS.forEach((e, i) => {
    const register = registers[i];
    if (register) register(root, deps);
    else if (e.help) terms.set(placeholder(root, e.name, e.help.description), e.help.term);
  });
  if (terms.size > 0) {
    // commander derives a command's term from its options and arguments, which a placeholder lacks
    root.configureHelp({
      subcommandTerm(this: typed.Help, cmd) {
        return terms.get(cmd) ?? (commander.Help.prototype as unknown as typed.Help).subcommandTerm.call(this, cmd);
      },
    });
  }
  return root;
}

const placeholders = new WeakSet<object>();

/** Whether cmd stands in for a command whose module createProgram did not load. */
export function isPlaceholder(cmd: object): boolean {
  return placeholders.has(cmd);
}

function placeholder(root: Root, name: string, description: string) {
  const cmd = root
    .command(name)
    .description(description)
    .action(() => {
      // createProgram loads every command args name, so commander never dispatches to a placeholder
      throw new Error(`internal error: the ${name} command was not loaded`);
    });
  placeholders.add(cmd);
  return cmd;
}

/**
 * The commands args name: the first operand (a word that is neither a root option nor its value),
 * and with `help <command>` also the one after it. Options after the command belong to it.
 */
function namedCommands(args: readonly string[], root: Root): string[] {
  const takesValue = new Set(root.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short]));
  const named: string[] = [];
  let optionsEnded = false;
  for (let i = 0; i < args.length && named.length < 2; i++) {
    const a = args[i]!;
    if (!optionsEnded && a === '--') {
      optionsEnded = true; // commander takes every word after -- as an operand
    } else if (!optionsEnded && a.startsWith('-') && a !== '-') {
      if (!a.includes('=') && takesValue.has(a)) i++; // skip the option's value
    } else {
      named.push(a);
      if (a !== 'help') break;
    }
  }
  return named;
}
