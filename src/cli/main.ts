// The process boundary. runCli() parses and runs one command with injected I/O and returns the exit
// code (tests call it in-process); main() binds it to the real process. Nothing below calls process.exit.
import { CliError, ExitCode, toCliError, redact } from '../errors.js';
import { defaultDeps, loadOutput, takeExitCode, type Deps, type GlobalOptions } from './context.js';
import { BIN, CommanderError, createProgram, type Root } from './program.js';

export async function runCli(args: string[], deps: Deps): Promise<number> {
  const program = await createProgram(deps, args);
  if (args.length === 0) {
    // no command: show what exists, but as a usage error (scripts calling us bare are broken)
    deps.stderr.write(program.helpInformation());
    return ExitCode.USAGE;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
    return takeExitCode(deps) ?? ExitCode.OK;
  } catch (e) {
    // --help / --version: commander printed them already (and nothing else needs loading)
    if (e instanceof CommanderError && e.exitCode === 0) return ExitCode.OK;
    const out = await loadOutput(jsonFromArgs(args, program), deps, { spinner: false });
    if (e instanceof CommanderError) {
      // a command (group) called without a subcommand: commander printed its help on stderr
      if (e.code === 'commander.help') {
        if (!out.json) return ExitCode.USAGE;
        const path = commandPath(args, program);
        return out.error(
          new CliError(`${[BIN, ...path].join(' ')}: a command is required`, ExitCode.USAGE, {
            hint: `run '${[BIN, ...path, '--help'].join(' ')}' for the list`,
          }),
        );
      }
      return out.error(usageError(e, args, program));
    }
    return out.error(e);
  }
}

/** A commander usage error as our one-line Error + Hint, exit 2. */
function usageError(e: CommanderError, args: string[], program: Root) {
  const lines = e.message.split('\n').filter((l) => l.trim() !== '');
  const first = (lines[0] ?? 'invalid usage').replace(/^error:\s*/i, '');
  const suggestion = lines.slice(1).join(' ').replace(/^\((.*)\)$/, '$1');
  const path = commandPath(args, program);
  const help = `run '${[BIN, ...path, '--help'].join(' ')}' for usage`;
  const hint = suggestion ? `${suggestion} ${help[0]!.toUpperCase()}${help.slice(1)}` : help;
  return new CliError(redact(first), ExitCode.USAGE, { hint: redact(hint) });
}

/** The subcommand path named in args (e.g. ['config', 'set']) so the hint points at the right --help. */
function commandPath(args: string[], program: Root): string[] {
  type Cmd = {
    commands: readonly Cmd[];
    options: readonly { long?: string; short?: string; required: boolean; optional: boolean }[];
    name(): string;
    aliases(): string[];
  };
  const path: string[] = [];
  const chain: Cmd[] = [program as unknown as Cmd];
  const takesValue = (flag: string) =>
    chain.some((c) => c.options.some((o) => (o.long === flag || o.short === flag) && (o.required || o.optional)));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (!a.includes('=') && takesValue(a)) i++; // skip the option's value
      continue;
    }
    const next = chain[chain.length - 1]!.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!next) break;
    path.push(next.name());
    chain.push(next);
  }
  return path;
}

/** --json before the usage error happened (commander may not have stored option values yet). */
function jsonFromArgs(args: string[], program: Root): GlobalOptions {
  const end = args.indexOf('--');
  const json = (end === -1 ? args : args.slice(0, end)).includes('--json') || Boolean(program.opts().json);
  const color = !args.includes('--no-color');
  const verbose = args.includes('-v') || args.includes('--verbose');
  return { json, color, verbose };
}

/** Entry point for bin/ak-avatars.js. */
export async function main(argv: string[] = process.argv): Promise<number> {
  // `ak-avatars ... | head -1` closes stdout early: ignore EPIPE so the command still finishes its
  // work (a write half-done because a reader went away is worse than output nobody reads).
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  const deps = defaultDeps();
  try {
    return await runCli(argv.slice(2), deps);
  } catch (e) {
    // last resort: never print a stack with a token in it
    deps.stderr.write(`Error: ${redact(toCliError(e).message)}\n`);
    return ExitCode.ERROR;
  }
}
