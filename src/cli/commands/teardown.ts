// `ak-avatars teardown`: remove what setup made (stage entries, prompts, policy, our avatar mode).
import type { TeardownOptions } from '../../setup/teardown.js';
import { action, type Ctx, type Deps } from '../context.js';
import { examples, Option, type Root } from '../program.js';
import { addModeOptions, addTargetOptions, printReport, runMode, withProgress } from './setup.js';

interface TeardownFlags extends TeardownOptions {
  flow?: string[];
  dryRun?: boolean;
  check?: boolean;
}

export function registerTeardown(root: Root, deps: Deps): void {
  const cmd = root.command('teardown').description("remove the avatar set-up (users' avatars stay unless --purge-avatars)");
  addTargetOptions(cmd).addOption(new Option('--purge-avatars', "also remove every user's avatar (asks first; --yes to confirm without a terminal)"));
  addModeOptions(cmd, 'something would be removed')
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
  const mode = runMode(o);
  const { runTeardown } = await import('../../setup/teardown.js');
  const client = await ctx.client();
  const { flow, dryRun: _d, check: _c, ...rest } = o;
  const r = await withProgress(ctx, (onStep, spin) =>
    runTeardown(client, { ...rest, flows: flow ?? [] }, mode, {
      confirm: async (q) => {
        spin.stop();
        return ctx.confirm(q);
      },
      purgeUser: async (pk) => {
        const { changeAvatar } = await import('../../avatar/change.js');
        await changeAvatar(client, pk, { kind: 'remove' });
      },
      onStep,
    }),
  );
  return printReport(ctx, r);
}
