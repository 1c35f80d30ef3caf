// `ak-avatars upload <user> <image|->`: process an image (square crop, resize, re-encode, metadata
// stripped) and make it the user's avatar, keeping every other attribute.
// Heavy modules (the client/axios, the image pipeline/sharp) load inside the action only.
import { writeFile } from 'node:fs/promises';
import { Option } from '@commander-js/extra-typings';
import { CliError, ExitCode } from '../../errors.js';
import { action, type Ctx, type Deps } from '../context.js';
import { examples, type Root } from '../program.js';
import {
  byOption,
  cropOption,
  dryRunOption,
  findUser,
  imageJson,
  kib,
  openStoresFor,
  printChange,
  processOptions,
  warnWebpInline,
  withImageOptions,
  withSpinner,
  withStoreOptions,
  type ImageFlags,
  type StoreFlags,
  type UserFlags,
} from './avatar-options.js';

interface UploadFlags extends ImageFlags, StoreFlags, UserFlags {
  dryRun?: boolean;
  out?: string;
}

export function registerUpload(root: Root, deps: Deps): void {
  const cmd = root
    .command('upload')
    .description("set a user's avatar from an image file (or stdin), cropped square and re-encoded")
    .argument('<user>', 'username, email, uuid or numeric id')
    .argument('<image>', 'image file, or - to read it from stdin')
    .addOption(byOption());
  withStoreOptions(withImageOptions(cmd).addOption(cropOption()))
    .addOption(dryRunOption('process the image and show what would change; change nothing'))
    .addOption(new Option('--out <file>', 'with --dry-run: write the processed image to this file'))
    .addHelpText(
      'after',
      examples(
        ['ak-avatars upload alice ./alice.jpg', 'a 256 px JPEG as a data URI in attributes.avatar'],
        ['ak-avatars upload alice@example.com photo.png --size 512 --position attention', 'find the user by email; keep the interesting part'],
        ['curl -s https://example.com/me.png | ak-avatars upload 42 -', 'user by numeric id, image from stdin'],
        ['ak-avatars upload alice group.jpg --crop 820,140,400,400', 'pick the square by hand'],
        ['ak-avatars upload alice a.png --store dir --store-dir /srv/avatars --public-url https://auth.example.com/avatars/', 'a file your reverse proxy serves'],
        ['ak-avatars upload alice a.png --dry-run --out /tmp/preview.jpg', 'see the result first; change nothing'],
        ['ak-avatars --json upload bob b.jpg', '{user, changed, old, new: {kind, bytes, sha256}, image, ...}'],
      ),
    )
    .action(action(deps, async (ctx, user: string, image: string, o: UploadFlags) => upload(ctx, user, image, o)));
}

export async function upload(ctx: Ctx, userArg: string, imageArg: string, o: UploadFlags): Promise<number> {
  if (o.out !== undefined && !o.dryRun) {
    throw new CliError('--out goes with --dry-run', ExitCode.USAGE, { hint: 'add --dry-run to write the processed image locally without changing the user' });
  }
  // 1. everything that can be wrong with the flags, before reading or sending anything
  const popts = await processOptions(o);
  const stores = await openStoresFor(ctx, o);
  const storeKind = stores.requested ?? 'inline';
  const { pickStore } = await import('../../avatar/options.js');
  const store = pickStore(stores, storeKind);

  // 2. the image: refused here (too large, damaged, wrong type, unsafe SVG) before authentik is contacted
  const { readInput, processImage } = await import('../../image/index.js');
  const input = await readInput(imageArg, imageArg === '-' ? ctx.stdin() : ctx.deps.stdin);
  const img = await processImage(input, popts);
  warnWebpInline(ctx, img.format, store.kind);

  // 3. the user, and the change
  const { client, user } = await findUser(ctx, userArg, o.by);
  if (o.out !== undefined) {
    try {
      await writeFile(o.out, img.data, { mode: 0o644 });
    } catch (e) {
      throw new CliError(`cannot write ${o.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const { changeAvatar } = await import('../../avatar/change.js');
  const r = await withSpinner(ctx, `Updating the avatar of ${user.username}`, () =>
    changeAvatar(client, user.pk, { kind: 'set', image: img, store }, { files: stores.dir, dryRun: Boolean(o.dryRun) }),
  );
  const size = `${img.width}×${img.height} ${img.format}, ${kib(img.bytes)}`;
  const c = ctx.out.c;
  const head = o.dryRun
    ? `${c.cyan('Dry run:')} ${r.changed ? `would set the avatar of ${c.bold(user.username)} to ${size}` : `the avatar of ${c.bold(user.username)} is already this image`}; nothing was changed`
    : r.changed
      ? `${c.green('✔')} Set the avatar of ${c.bold(user.username)}: ${size}, ${store.kind === 'inline' ? 'inline data URI' : 'file'}`
      : `The avatar of ${c.bold(user.username)} is already this image: nothing changed`;
  printChange(
    ctx,
    'upload',
    r,
    head,
    { store: store.kind, image: imageJson(img), ...(o.out !== undefined ? { out: o.out } : {}) },
    o.out !== undefined ? [`  wrote the processed image to ${o.out}`] : [],
  );
  // leftover files were reported as warnings; the user's avatar itself is fine
  return ExitCode.OK;
}
