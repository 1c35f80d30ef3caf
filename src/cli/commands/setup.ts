// `ak-avatars setup`: converge the avatar feature (prompts, policy, stage lists, avatars setting).
// Parses options, calls src/setup (imported lazily), prints via ctx.out.
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import type { Action, SetupOptions, SetupReport, TeardownReport } from '../../setup/index.js';
import { CliError, ExitCode } from '../../errors.js';
import { action, type Ctx, type Deps } from '../context.js';
import type { Spinner } from '../output.js';
import { examples, Option, parsePositiveInt, type Root } from '../program.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

// ---------------------------------------------------------------------------------------------
// shared with status and teardown

/** What setup, status and teardown look at: --flow, and the names of our objects. */
export function flowOption() {
  return new Option('--flow <slug>', "also target this flow's prompt stage (repeatable; the brand's user settings flow is always targeted)").argParser(collect);
}
export function nameOptions() {
  return [
    new Option('--prompt-name <name>', 'name of the file prompt (default default-user-settings-field-avatar)'),
    new Option('--reset-prompt-name <name>', 'name of the checkbox prompt (default default-user-settings-field-avatar-reset)'),
    new Option('--policy-name <name>', 'name of the validation policy (default default-user-settings-avatar)'),
  ];
}

/** --flow then the names (status, teardown; setup lists its own options in between). */
export function addTargetOptions<C extends CommandUnknownOpts>(cmd: C): C {
  for (const o of [flowOption(), ...nameOptions()]) cmd.addOption(o);
  return cmd;
}

/** --dry-run and --check; `pending` says what --check reports with exit 8. */
export function addModeOptions<C extends CommandUnknownOpts>(cmd: C, pending: string): C {
  cmd.addOption(new Option('--dry-run', 'print the plan; change nothing'));
  cmd.addOption(new Option('--check', `change nothing; exit 8 when ${pending}`));
  return cmd;
}

/** The run mode the flags ask for; two modes at once are a usage error. */
export function runMode(o: { dryRun?: boolean; check?: boolean; blueprint?: boolean }): 'apply' | 'dry-run' | 'check' {
  const modes = [o.dryRun && '--dry-run', o.check && '--check', o.blueprint && '--blueprint'].filter(Boolean);
  if (modes.length > 1) throw new CliError(`${modes.join(' and ')} cannot be combined`, ExitCode.USAGE);
  return o.dryRun ? 'dry-run' : o.check ? 'check' : 'apply';
}

/** Reads (and maybe writes) under a "Reading the current state" spinner whose text follows the steps. */
export function withProgress<T>(ctx: Ctx, run: (onStep: (a: Action) => void, spin: Spinner) => Promise<T>): Promise<T> {
  return ctx.out.during('Reading the current state', (spin) => run((a) => spin.text(`${a.kind} ${a.object} ${a.name}`), spin));
}

// ---------------------------------------------------------------------------------------------

interface SetupFlags extends SetupOptions {
  flow?: string[];
  dryRun?: boolean;
  check?: boolean;
  blueprint?: boolean;
}

export function registerSetup(root: Root, deps: Deps): void {
  const cmd = root
    .command('setup')
    .description('set up avatar uploads in the user settings flow (idempotent; safe to re-run)')
    .addOption(flowOption())
    .addOption(new Option('--avatars <list>', 'set the avatars setting exactly to this comma list (default: attributes.avatar first, your other modes kept)'))
    .addOption(new Option('--store <store>', 'where the policy stores uploads: inline (data URI, default) or dir').choices(['inline', 'dir'] as const))
    .addOption(new Option('--store-dir <path>', "dir store: directory inside authentik's server container"))
    .addOption(new Option('--public-url <url>', 'dir store: URL your reverse proxy serves --store-dir under'))
    .addOption(new Option('--max-bytes <n>', 'largest accepted upload in bytes (default 512 KB inline, 5 MB dir)').argParser(parsePositiveInt))
    .addOption(new Option('--allow-svg', 'accept SVG uploads (off by default: SVG can carry scripts)'));
  for (const o of nameOptions()) cmd.addOption(o);
  cmd
    .addOption(new Option('--label <text>', 'label of the file prompt (default "Avatar")'))
    .addOption(new Option('--reset-label <text>', 'label of the checkbox prompt (default "Remove avatar")'));
  addModeOptions(cmd, 'something would change (CI after an authentik upgrade)')
    .addOption(new Option('--blueprint', 'print an authentik blueprint (YAML) with the same objects instead of applying'))
    .addHelpText(
      'after',
      examples(
        ['ak-avatars setup --dry-run', 'show what would change'],
        ['ak-avatars setup', 'create/adopt the prompts and the policy, add them to the stage, set the avatars setting'],
        ['ak-avatars setup --flow default-source-enrollment', 'also offer the upload in an enrollment flow'],
        ['ak-avatars setup --store dir --store-dir /media/avatars --public-url https://auth.example.com/avatars/', 'files served by your proxy'],
        ['ak-avatars setup --check', 'exit 8 when authentik reset the stage lists (e.g. after an upgrade)'],
        ['ak-avatars setup --blueprint > avatars.yaml', 'for admins who manage authentik by blueprints'],
        ['ak-avatars --json setup', 'plan, result and request counts as one JSON document'],
      ),
    )
    .action(action(deps, async (ctx, o: SetupFlags) => setup(ctx, o)));
}

function toOptions(o: SetupFlags): SetupOptions {
  const { flow, dryRun: _d, check: _c, blueprint: _b, ...rest } = o;
  return { ...rest, flows: flow ?? [] };
}

export async function setup(ctx: Ctx, o: SetupFlags): Promise<number> {
  const mode = runMode(o);
  const s = await import('../../setup/index.js');
  const opts = toOptions(o);
  s.validateSetupOptions(opts);
  if (o.blueprint) return blueprint(ctx, opts);

  const client = await ctx.client();
  return printReport(ctx, await withProgress(ctx, (onStep) => s.runSetup(client, opts, mode, onStep)));
}

/** Prints a setup/teardown report (text or one JSON document) and returns the exit code. */
export async function printReport(ctx: Ctx, r: SetupReport | TeardownReport): Promise<number> {
  const { formatPlan, planJson } = await import('../../setup/index.js');
  const changes = r.plan.actions.filter((a: Action) => a.kind !== 'unchanged').length;
  const doc = {
    command: r.command,
    authentik: r.authentik,
    mode: r.mode,
    pending: r.pending,
    plan: planJson(r.plan),
    result: r.result,
    ...(r.failure ? { error: { message: r.failure.message, exitCode: r.failure.exitCode } } : {}),
    requests: r.requests,
  };
  const c = ctx.out.c;
  ctx.out.data(doc, () => {
    const lines = [`authentik ${r.authentik.version}: ${r.command} plan`, ...formatPlan(r.plan, c)];
    if (r.plan.env) lines.push(c.yellow(`! set AUTHENTIK_AVATARS=${r.plan.env.AUTHENTIK_AVATARS} on the authentik server and worker (no avatars setting in this version's API)`));
    lines.push(summary(r, changes, c));
    if (ctx.opts.verbose) {
      const q = r.requests;
      lines.push(c.dim(`HTTP requests: ${q.total} (${q.reads} reads, ${q.writes} writes; discovery ${q.discovery}, apply ${q.apply})`));
    }
    return lines.join('\n');
  });
  if (r.failure) throw r.failure;
  if (r.mode === 'check' && r.pending) return ExitCode.CHANGES_PENDING;
  return ExitCode.OK;
}

function summary(r: SetupReport | TeardownReport, changes: number, c: Ctx['out']['c']): string {
  const n = `${changes} change${changes === 1 ? '' : 's'}`;
  if (!r.pending) return c.green(r.command === 'setup' ? '✔ Everything is up to date: nothing to change.' : '✔ Nothing to remove.');
  if (r.mode === 'dry-run') return `${c.cyan('Dry run:')} ${n} planned; nothing was changed.`;
  if (r.mode === 'check') return c.yellow(`${n} pending: run \`ak-avatars ${r.command}\` to apply them.`);
  if (r.failure) return c.red(`✖ Stopped after ${r.result?.applied.length ?? 0} of ${n}.`);
  return c.green(`✔ Applied ${n} and verified the result.`);
}

async function blueprint(ctx: Ctx, opts: SetupOptions): Promise<number> {
  const s = await import('../../setup/index.js');
  let input;
  let connected = true;
  try {
    await ctx.connection();
  } catch (e) {
    // no instance configured: fall back to authentik's default user settings stage
    if (!(e instanceof CliError) || e.exitCode !== ExitCode.USAGE || (opts.flows?.length ?? 0) > 0) throw e;
    connected = false;
  }
  if (connected) {
    const client = await ctx.client();
    const snap = await s.discoverForSetup(client, opts);
    input = await s.liveBlueprintInput(client, snap, s.desiredFor(snap, opts));
  } else {
    ctx.out.warn('no authentik instance configured: the blueprint assumes the default user settings stage');
    input = s.defaultBlueprintInput(s.desiredFrom(opts, s.namesFrom(opts)));
  }
  const yaml = s.renderBlueprint(input);
  ctx.out.info(`Note: a blueprint cannot set the avatars setting; after applying it run: ak-avatars setup --avatars ${input.avatars}`);
  ctx.out.data({ command: 'setup', mode: 'blueprint', source: input.source, avatars: input.avatars, settingCommand: `ak-avatars setup --avatars ${input.avatars}`, blueprint: yaml }, () => yaml);
  return ExitCode.OK;
}

