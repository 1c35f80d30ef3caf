// `ak-avatars upload <user> <image|->`: process an image (square crop, resize, re-encode, metadata
// stripped) and make it the user's avatar, keeping every other attribute. Also home of the options
// and output helpers the other per-user commands (crop, reset, show) share.
// Heavy modules (the client/axios, the image pipeline/sharp) load inside the action only.
import { writeFile } from 'node:fs/promises';
import { Option } from '@commander-js/extra-typings';
import type { ChangeResult, Stores, ValueSummary } from '../../avatar/index.js';
import { CliError, ExitCode } from '../../errors.js';
import type { ProcessedImage } from '../../image/index.js';
import { action, type Ctx, type Deps } from '../context.js';
import { examples, type Root } from '../program.js';

// ---------------------------------------------------------------------------------------------
// shared options

export const byOption = () =>
  new Option('--by <field>', 'how to find the user (default: detected from the value)').choices(['username', 'email', 'uuid', 'id'] as const);
export const sizeOption = () => new Option('--size <px>', 'edge of the square avatar, 16..1024').default('256');
export const formatOption = () =>
  new Option('--format <format>', 'output format: auto = JPEG when opaque, PNG with transparency').choices(['auto', 'png', 'jpeg', 'webp'] as const).default('auto' as const);
export const qualityOption = () => new Option('--quality <1-100>', 'JPEG/WebP quality (default 85)');
export const positionOption = () =>
  new Option('--position <where>', 'what to keep when cropping: centre|attention|entropy|north|south|east|west|northeast|...');
export const cropOption = () => new Option('--crop <x,y,w,h>', 'crop this region (pixels, after EXIF rotation) instead of choosing one');
export const backgroundOption = () => new Option('--background <colour>', 'colour behind transparent areas for JPEG (default #ffffff)');
export const storeOption = () =>
  new Option('--store <kind>', 'inline = data URI in attributes.avatar; dir = file in --store-dir served under --public-url').choices(['inline', 'dir'] as const);
export const storeDirOption = () => new Option('--store-dir <dir>', 'dir store: the directory your reverse proxy serves (env AK_AVATARS_STORE_DIR)');
export const publicUrlOption = () => new Option('--public-url <url>', 'dir store: the URL prefix it is served under (env AK_AVATARS_PUBLIC_URL)');

export interface ImageFlags {
  size: string;
  format: 'auto' | 'png' | 'jpeg' | 'webp';
  quality?: string;
  position?: string;
  crop?: string;
  background?: string;
}
export interface StoreFlags {
  store?: 'inline' | 'dir';
  storeDir?: string;
  publicUrl?: string;
}
export interface UserFlags {
  by?: 'username' | 'email' | 'uuid' | 'id';
}

function intFlag(name: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new CliError(`${name} must be a whole number (got ${JSON.stringify(raw)})`, ExitCode.USAGE);
  return Number(raw);
}

/** Checks the image options before anything is read or sent. */
export async function processOptions(o: ImageFlags) {
  const { checkSize, checkQuality, parseCropFlag } = await import('../../avatar/options.js');
  return {
    size: checkSize(intFlag('--size', o.size)),
    format: o.format,
    ...(o.quality !== undefined ? { quality: checkQuality(intFlag('--quality', o.quality)) } : {}),
    ...(o.position !== undefined ? { position: o.position } : {}),
    ...(o.crop !== undefined ? { crop: parseCropFlag(o.crop) } : {}),
    ...(o.background !== undefined ? { background: o.background } : {}),
  };
}

export async function findUser(ctx: Ctx, value: string, by: UserFlags['by']) {
  const client = await ctx.client();
  const { resolveUser } = await import('../../authentik/users.js');
  const { toAvatarUser } = await import('../../avatar/user.js');
  const user = toAvatarUser(await resolveUser(client, value, by), `user ${value}`);
  return { client, user };
}

// ---------------------------------------------------------------------------------------------
// shared output

export function kib(n: number | undefined): string {
  if (n === undefined) return '?';
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
}

export function describeValue(v: ValueSummary): string {
  switch (v.kind) {
    case 'none':
      return 'none';
    case 'data-uri':
      return `inline data URI${v.mime ? ` (${v.mime}, ${kib(v.bytes)})` : ''}`;
    case 'url':
      return `${v.url ?? 'URL'}${v.bytes !== undefined ? ` (${kib(v.bytes)})` : ''}`;
    default:
      return 'a value that is neither a data URI nor a URL';
  }
}

export function imageJson(img: ProcessedImage) {
  return {
    format: img.format,
    mime: img.mime,
    width: img.width,
    height: img.height,
    bytes: img.bytes,
    sha256: img.sha256,
    source: { type: img.source.type, width: img.source.width, height: img.source.height, bytes: img.source.bytes, animated: img.source.animated },
  };
}

export function changeJson(r: ChangeResult) {
  return {
    user: r.user,
    changed: r.changed,
    dryRun: r.dryRun,
    old: r.old,
    new: r.new,
    removedReset: r.removedReset,
    deletedFiles: r.deletedFiles,
    orphans: r.orphans,
  };
}

/** The lines every changing command prints after its headline. */
export function changeDetails(ctx: Ctx, r: ChangeResult): string[] {
  const lines: string[] = [];
  if (r.changed || r.dryRun) lines.push(`  before: ${describeValue(r.old)}`);
  if (r.changed) lines.push(`  after:  ${describeValue(r.new)}${r.new.sha256 ? `  sha256 ${r.new.sha256.slice(0, 12)}…` : ''}`);
  if (r.removedReset) lines.push(`  ${r.dryRun ? 'would remove' : 'removed'} the stale avatar_reset attribute`);
  for (const f of r.deletedFiles) lines.push(`  deleted the previous file ${f}`);
  for (const f of r.orphans) lines.push(ctx.out.c.yellow(`  left behind: ${f}`));
  return lines;
}

export function reportWarnings(ctx: Ctx, r: ChangeResult): void {
  for (const w of r.warnings) ctx.out.warn(w);
}

export function warnWebpInline(ctx: Ctx, format: string, storeKind: string): void {
  if (format === 'webp' && storeKind === 'inline') {
    ctx.out.warn("a WebP data URI is not read by Nextcloud's user_oidc (it takes PNG/JPEG data URIs): prefer --format auto, png or jpeg");
  }
}

export async function openStoresFor(ctx: Ctx, o: StoreFlags): Promise<Stores> {
  const { openStores } = await import('../../avatar/options.js');
  return openStores(o, ctx.deps.env);
}

// ---------------------------------------------------------------------------------------------

interface UploadFlags extends ImageFlags, StoreFlags, UserFlags {
  dryRun?: boolean;
  out?: string;
}

export function registerUpload(root: Root, deps: Deps): void {
  root
    .command('upload')
    .description("set a user's avatar from an image file (or stdin), cropped square and re-encoded")
    .argument('<user>', 'username, email, uuid or numeric id')
    .argument('<image>', 'image file, or - to read it from stdin')
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
    .addOption(new Option('--dry-run', 'process the image and show what would change; change nothing'))
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
  const spin = ctx.out.spinner(`Updating the avatar of ${user.username}`).start();
  let r: ChangeResult;
  try {
    r = await changeAvatar(client, user.pk, { kind: 'set', image: img, store }, { files: stores.dir, dryRun: Boolean(o.dryRun) });
  } finally {
    spin.stop();
  }
  reportWarnings(ctx, r);
  const size = `${img.width}×${img.height} ${img.format}, ${kib(img.bytes)}`;
  ctx.out.data({ command: 'upload', ...changeJson(r), store: store.kind, image: imageJson(img), ...(o.out !== undefined ? { out: o.out } : {}) }, () => {
    const c = ctx.out.c;
    const head = o.dryRun
      ? `${c.cyan('Dry run:')} ${r.changed ? `would set the avatar of ${c.bold(user.username)} to ${size}` : `the avatar of ${c.bold(user.username)} is already this image`}; nothing was changed`
      : r.changed
        ? `${c.green('✔')} Set the avatar of ${c.bold(user.username)}: ${size}, ${store.kind === 'inline' ? 'inline data URI' : 'file'}`
        : `The avatar of ${c.bold(user.username)} is already this image: nothing changed`;
    const lines = [head, ...changeDetails(ctx, r)];
    if (o.out !== undefined) lines.push(`  wrote the processed image to ${o.out}`);
    return lines.join('\n');
  });
  // leftover files were reported as warnings; the user's avatar itself is fine
  return ExitCode.OK;
}
