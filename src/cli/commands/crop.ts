// `ak-avatars crop <user>`: square up the avatar a user already has (uploaded through authentik's
// settings flow, which cannot crop) and store the result the same way. An avatar already square at
// the target size is left alone.
import { Option } from '@commander-js/extra-typings';
import type { ChangeResult } from '../../avatar/index.js';
import { CliError, ExitCode } from '../../errors.js';
import { action, type Ctx, type Deps } from '../context.js';
import { examples, type Root } from '../program.js';
import {
  backgroundOption,
  byOption,
  changeDetails,
  changeJson,
  cropOption,
  findUser,
  formatOption,
  imageJson,
  kib,
  openStoresFor,
  positionOption,
  processOptions,
  publicUrlOption,
  qualityOption,
  reportWarnings,
  sizeOption,
  storeDirOption,
  storeOption,
  warnWebpInline,
  type ImageFlags,
  type StoreFlags,
  type UserFlags,
} from './upload.js';

interface CropFlags extends ImageFlags, StoreFlags, UserFlags {
  dryRun?: boolean;
}

export function registerCrop(root: Root, deps: Deps): void {
  root
    .command('crop')
    .description("crop a user's current avatar to a square and store it the same way")
    .argument('<user>', 'username, email, uuid or numeric id')
    .addOption(byOption())
    .addOption(sizeOption())
    .addOption(formatOption())
    .addOption(qualityOption())
    .addOption(positionOption())
    .addOption(cropOption())
    .addOption(backgroundOption())
    .addOption(storeOption())
    .addOption(storeDirOption())
    .addOption(publicUrlOption())
    .addOption(new Option('--dry-run', 'show what would change; change nothing'))
    .addHelpText(
      'after',
      examples(
        ['ak-avatars crop alice', 'the current avatar (data URI or URL), squared to 256 px'],
        ['ak-avatars crop alice --position attention --size 512'],
        ['ak-avatars crop bob --store dir --store-dir /srv/avatars --public-url https://auth.example.com/avatars/'],
        ['ak-avatars --json crop alice', '{changed, alreadySquare, old, new, ...}'],
      ) +
        '\nA URL avatar is fetched without any credentials, at most 10 MiB and 15 s. The result is stored like the\n' +
        'current avatar (data URI stays inline; one of our files in --store-dir stays a file) unless --store says otherwise.\n',
    )
    .action(action(deps, async (ctx, user: string, o: CropFlags) => crop(ctx, user, o)));
}

export async function crop(ctx: Ctx, userArg: string, o: CropFlags): Promise<number> {
  const popts = await processOptions(o);
  const stores = await openStoresFor(ctx, o);
  const { loadAvatarImage } = await import('../../avatar/source.js');
  const { pickStore } = await import('../../avatar/options.js');
  const { inspectImage, processImage } = await import('../../image/index.js');

  const { client, user } = await findUser(ctx, userArg, o.by);
  const value = user.attributes.avatar;
  const current = await loadAvatarImage(value, { apiBase: client.baseUrl, files: stores.dir });
  if (!current) {
    throw new CliError(`${user.username} has no avatar of their own to crop`, ExitCode.NOT_FOUND, {
      hint: `set one with: ak-avatars upload ${userArg} <image>`,
    });
  }
  const info = await inspectImage(current.data);
  const formatFits = popts.format === 'auto' || popts.format === info.type;
  if (info.width === info.height && info.width === popts.size && formatFits && popts.crop === undefined) {
    ctx.out.data(
      { command: 'crop', user: { pk: user.pk, username: user.username }, changed: false, alreadySquare: true, image: { type: info.type, width: info.width, height: info.height, bytes: info.bytes } },
      () => `The avatar of ${ctx.out.c.bold(user.username)} is already square at ${info.width}×${info.height} (${info.type}): nothing changed`,
    );
    return ExitCode.OK;
  }

  // Same store as the current avatar unless --store says otherwise: one of our files stays a file.
  const ours = current.file !== undefined;
  const kind = stores.requested ?? (ours ? 'dir' : 'inline');
  const store = pickStore(stores, kind);
  const img = await processImage(current.data, popts);
  warnWebpInline(ctx, img.format, store.kind);

  const { changeAvatar } = await import('../../avatar/change.js');
  let r: ChangeResult;
  const spin = ctx.out.spinner(`Cropping the avatar of ${user.username}`).start();
  try {
    r = await changeAvatar(client, user.pk, { kind: 'set', image: img, store }, { files: stores.dir, dryRun: Boolean(o.dryRun), expectCurrent: { value } });
  } finally {
    spin.stop();
  }
  reportWarnings(ctx, r);
  if (current.kind === 'url' && !ours && r.changed && !r.dryRun) {
    ctx.out.warn(`the previous avatar at ${current.url ?? 'its URL'} is not ours and was left where it is`);
  }
  const from = `${info.width}×${info.height} ${info.type}`;
  const to = `${img.width}×${img.height} ${img.format}, ${kib(img.bytes)}`;
  ctx.out.data({ command: 'crop', ...changeJson(r), alreadySquare: false, store: store.kind, image: imageJson(img) }, () => {
    const c = ctx.out.c;
    const head = r.dryRun
      ? `${c.cyan('Dry run:')} would crop the avatar of ${c.bold(user.username)} from ${from} to ${to}; nothing was changed`
      : r.changed
        ? `${c.green('✔')} Cropped the avatar of ${c.bold(user.username)}: ${from} → ${to}`
        : `The avatar of ${c.bold(user.username)} is already this image: nothing changed`;
    return [head, ...changeDetails(ctx, r)].join('\n');
  });
  return ExitCode.OK;
}
