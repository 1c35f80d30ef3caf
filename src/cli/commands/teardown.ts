// `ak-avatars teardown`: remove what setup made (stage entries, prompts, policy, our avatar mode).
import { Option } from '@commander-js/extra-typings';
import type { TeardownOptions, TeardownReport } from '../../setup/teardown.js';
import { CliError, ExitCode } from '../../errors.js';
import { action, type Ctx, type Deps } from '../context.js';
import { examples, type Root } from '../program.js';
import { flowOption, nameOptions, printReport } from './setup.js';

interface TeardownFlags extends TeardownOptions {
  flow?: string[];
  dryRun?: boolean;
  check?: boolean;
}

export function registerTeardown(root: Root, deps: Deps): void {
  const cmd = root
    .command('teardown')
    .description("remove the avatar set-up (users' avatars stay unless --purge-avatars)")
    .addOption(flowOption());
  for (const o of nameOptions()) cmd.addOption(o);
  cmd
    .addOption(new Option('--purge-avatars', "also remove every user's avatar (asks first; --yes to confirm without a terminal)"))
    .addOption(new Option('--dry-run', 'print the plan; change nothing'))
    .addOption(new Option('--check', 'change nothing; exit 8 when something would be removed'))
    .addHelpText(
      'after',
      examples(
        ['ak-avatars teardown --dry-run', 'show what would be removed'],
        ['ak-avatars teardown', 'remove the prompts, the policy and attributes.avatar from the avatars setting'],
        ['ak-avatars teardown --flow default-source-enrollment', 'also clean an enrollment flow set up with --flow'],
        ['ak-avatars --yes teardown --purge-avatars', "also delete every user's avatar attribute"],
      ),
    )
    .action(action(deps, async (ctx, o: TeardownFlags) => teardown(ctx, o)));
}

export async function teardown(ctx: Ctx, o: TeardownFlags): Promise<number> {
  if (o.dryRun && o.check) throw new CliError('--dry-run and --check cannot be combined', ExitCode.USAGE);
  const { runTeardown } = await import('../../setup/teardown.js');
  const client = await ctx.client();
  const mode = o.dryRun ? 'dry-run' : o.check ? 'check' : 'apply';
  const spin = ctx.out.spinner('Reading the current state').start();
  let r: TeardownReport;
  try {
    const { flow, dryRun: _d, check: _c, ...rest } = o;
    r = await runTeardown(client, { ...rest, flows: flow ?? [] }, mode, {
      confirm: async (q) => {
        spin.stop();
        return ctx.confirm(q);
      },
      purgeUser: async (pk) => {
        const { changeAvatar } = await import('../../avatar/change.js');
        await changeAvatar(client, pk, { kind: 'remove' });
      },
      onStep: (a) => spin.text(`${a.kind} ${a.object} ${a.name}`),
    });
  } finally {
    spin.stop();
  }
  return printReport(ctx, r);
}
