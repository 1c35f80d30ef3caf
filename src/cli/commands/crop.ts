// `ak-avatars crop <user>`: square up the avatar a user already has (uploaded through authentik's
// settings flow, which cannot crop) and store the result the same way. An avatar already square at
// the target size is left alone. `crop --all` does this for every user with an avatar of their own
// (for CI: --dry-run, --check, --json, one failed user does not stop the others).
import { Option } from '@commander-js/extra-typings';
import type { BulkItem } from '../../avatar/index.js';
import { CliError, ExitCode } from '../../errors.js';
import { action, type Ctx, type Deps } from '../context.js';
import { examples, type Root } from '../program.js';
import {
  bulkSettings,
  byOption,
  countsLine,
  cropOption,
  dryRunOption,
  findUser,
  imageJson,
  imageLabel,
  kib,
  openStoresFor,
  printBulk,
  printChange,
  processOptions,
  warnWebpInline,
  withBulkOptions,
  withImageOptions,
  withSpinner,
  withStoreOptions,
  type BulkFlags,
  type ImageFlags,
  type StoreFlags,
  type UserFlags,
} from './avatar-options.js';

interface CropFlags extends ImageFlags, StoreFlags, UserFlags, BulkFlags {
  all?: boolean;
}

export function registerCrop(root: Root, deps: Deps): void {
  const cmd = root
    .command('crop')
    .description("crop a user's current avatar to a square and store it the same way")
    .argument('[user]', 'username, email, uuid or numeric id (or --all)')
    .addOption(new Option('--all', 'every user whose avatar is not square at the target size'))
    .addOption(byOption());
  withBulkOptions(withStoreOptions(withImageOptions(cmd).addOption(cropOption())).addOption(dryRunOption()), 'with --all: ')
    .addHelpText(
      'after',
      examples(
        ['ak-avatars crop alice', 'the current avatar (data URI or URL), squared to 256 px'],
        ['ak-avatars crop alice --position attention --size 512'],
        ['ak-avatars crop bob --store dir --store-dir /srv/avatars --public-url https://auth.example.com/avatars/'],
        ['ak-avatars --json crop alice', '{changed, alreadySquare, old, new, ...}'],
        ['ak-avatars crop --all --check', 'CI: exit 8 when some avatar is not square at 256 px'],
        ['ak-avatars --json crop --all', '{results: [{user, action: update|unchanged|failed, ...}], totals, requests}'],
      ) +
        '\nA URL avatar is fetched without any credentials, at most 10 MiB and 15 s. The result is stored like the\n' +
        'current avatar (data URI stays inline; one of our files in --store-dir stays a file) unless --store says otherwise.\n',
    )
    .action(action(deps, async (ctx, user: string | undefined, o: CropFlags) => crop(ctx, user, o)));
}

export async function crop(ctx: Ctx, userArg: string | undefined, o: CropFlags): Promise<number> {
  if (o.all) {
    if (userArg !== undefined) throw new CliError('give a user or --all, not both', ExitCode.USAGE);
    if (o.crop !== undefined) throw new CliError('--crop picks a region of one picture: it does not go with --all', ExitCode.USAGE);
    if (o.by !== undefined) throw new CliError('--by names one user: it does not go with --all', ExitCode.USAGE);
    return cropEveryone(ctx, o);
  }
  if (userArg === undefined) throw new CliError("missing required argument 'user'", ExitCode.USAGE, { hint: 'name a user, or pass --all for every user' });
  if (o.check) throw new CliError('--check goes with --all', ExitCode.USAGE, { hint: 'use --dry-run to see what cropping one user would do' });
  return cropOne(ctx, userArg, o);
}

async function cropOne(ctx: Ctx, userArg: string, o: CropFlags): Promise<number> {
  const popts = await processOptions(o);
  const stores = await openStoresFor(ctx, o);
  const { cropAvatar } = await import('../../avatar/crop.js');
  const { client, user } = await findUser(ctx, userArg, o.by);
  const out = await withSpinner(ctx, `Cropping the avatar of ${user.username}`, () => cropAvatar(client, user, { process: popts, stores, dryRun: Boolean(o.dryRun) }));
  const { info } = out;
  if (out.alreadySquare) {
    ctx.out.data(
      { command: 'crop', user: { pk: user.pk, username: user.username }, changed: false, alreadySquare: true, image: { type: info.type, width: info.width, height: info.height, bytes: info.bytes } },
      () => `The avatar of ${ctx.out.c.bold(user.username)} is already square at ${info.width}×${info.height} (${info.type}): nothing changed`,
    );
    return ExitCode.OK;
  }
  const { image: img, store, change: r, current } = out;
  warnWebpInline(ctx, img.format, store.kind);
  if (current.kind === 'url' && current.file === undefined && r.changed && !r.dryRun) {
    ctx.out.warn(`the previous avatar at ${current.url ?? 'its URL'} is not ours and was left where it is`);
  }
  const c = ctx.out.c;
  const from = `${info.width}×${info.height} ${info.type}`;
  const to = `${img.width}×${img.height} ${img.format}, ${kib(img.bytes)}`;
  const head = r.dryRun
    ? `${c.cyan('Dry run:')} would crop the avatar of ${c.bold(user.username)} from ${from} to ${to}; nothing was changed`
    : r.changed
      ? `${c.green('✔')} Cropped the avatar of ${c.bold(user.username)}: ${from} → ${to}`
      : `The avatar of ${c.bold(user.username)} is already this image: nothing changed`;
  printChange(ctx, 'crop', r, head, { alreadySquare: false, store: store.kind, image: imageJson(img) });
  return ExitCode.OK;
}

async function cropEveryone(ctx: Ctx, o: CropFlags): Promise<number> {
  const { popts, stores, concurrency, dryRun, check } = await bulkSettings(ctx, o);
  const client = await ctx.client();
  const { listUsers } = await import('../../authentik/users.js');
  const { cropAll, totalsOf } = await import('../../avatar/index.js');
  const { items, users } = await withSpinner(ctx, 'Listing users', async (say) => {
    const listed = await listUsers(client);
    say(`Cropping avatars: 0 done`);
    return cropAll(client, listed, { process: popts, stores, dryRun, concurrency, onProgress: (d, n) => say(`Cropping avatars: ${d}/${n}`) });
  });
  if (popts.format === 'webp' && stores.requested !== 'dir' && items.some((i) => i.action !== 'failed' && i.action !== 'unchanged')) {
    warnWebpInline(ctx, 'webp', 'inline');
  }
  const totals = totalsOf(items);
  return printBulk(
    ctx,
    { command: 'crop', items, totals, requests: { ...client.stats }, dryRun, check },
    { all: true, users, withAvatar: items.length },
    describeCrop,
    `${users} users, ${items.length} with an avatar of their own: ${countsLine(totals, dryRun, [['update', 'cropped']])}`,
  );
}

function describeCrop(i: BulkItem): string {
  const from = i.from ? `${i.from.width}×${i.from.height} ${i.from.type}` : '?';
  if (i.action === 'unchanged') return `already square at ${from}`;
  return `${i.dryRun ? 'would crop' : 'cropped'} ${from} → ${imageLabel(i)}`;
}
