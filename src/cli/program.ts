// The commander tree: the root with its global options, then every command from commands/index.ts.
// Only commander and the small command modules load here; command implementations, the authentik
// client (axios) and the image pipeline (sharp) are imported inside the actions.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { registerAll } from './commands/index.js';
import type { Deps } from './context.js';

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

export function createProgram(deps: Deps): Root {
  const root = createRoot(deps);
  registerAll(root, deps);
  return root;
}
