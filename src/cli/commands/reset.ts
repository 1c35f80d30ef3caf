// `ak-avatars reset <user>`: remove the user's own avatar so authentik falls back to the next avatar
// mode (gravatar, initials, ...). Every other attribute is kept; a stale `avatar_reset` left by the
// blog recipes goes too; with the dir store our file is deleted once the user no longer points at it.
import { ExitCode } from '../../errors.js';
import { action, type Ctx, type Deps } from '../context.js';
import { examples, type Root } from '../program.js';
import { byOption, dryRunOption, findUser, openStoresFor, printChange, withDirOptions, type UserFlags } from './avatar-options.js';

interface ResetFlags extends UserFlags {
  storeDir?: string;
  publicUrl?: string;
  dryRun?: boolean;
}

export function registerReset(root: Root, deps: Deps): void {
  const cmd = root
    .command('reset')
    .description("remove a user's avatar so authentik falls back to the next avatar mode")
    .argument('<user>', 'username, email, uuid or numeric id')
    .addOption(byOption());
  withDirOptions(cmd)
    .addOption(dryRunOption())
    .addHelpText(
      'after',
      examples(
        ['ak-avatars reset alice'],
        ['ak-avatars reset 42 --store-dir /srv/avatars --public-url https://auth.example.com/avatars/', 'also delete our file'],
        ['ak-avatars --json reset alice@example.com', '{changed, old, new, removedReset, deletedFiles, ...}'],
      ),
    )
    .action(action(deps, async (ctx, user: string, o: ResetFlags) => reset(ctx, user, o)));
}

export async function reset(ctx: Ctx, userArg: string, o: ResetFlags): Promise<number> {
  const stores = await openStoresFor(ctx, o);
  const { client, user } = await findUser(ctx, userArg, o.by);
  const { changeAvatar } = await import('../../avatar/change.js');
  const r = await changeAvatar(client, user.pk, { kind: 'remove' }, { files: stores.dir, dryRun: Boolean(o.dryRun) });
  const c = ctx.out.c;
  const head = !r.changed
    ? `${c.bold(user.username)} has no avatar of their own: nothing to reset`
    : r.dryRun
      ? `${c.cyan('Dry run:')} would remove the avatar of ${c.bold(user.username)}; nothing was changed`
      : r.old.kind === 'none'
        ? `${c.green('✔')} ${c.bold(user.username)} had no avatar of their own; removed the stale avatar_reset attribute`
        : `${c.green('✔')} Removed the avatar of ${c.bold(user.username)}: authentik now falls back to the next avatar mode`;
  printChange(ctx, 'reset', r, head);
  return ExitCode.OK;
}
