// `ak-avatars show <user>`: where the user's avatar lives, which avatar mode authentik will actually
// use, and what the picture is (format, pixel size, bytes, square or not), with a small half-block
// preview on a colour terminal. Read-only: a broken avatar is reported, not an error.
import { Option } from '@commander-js/extra-typings';
import type { EffectiveMode, AvatarsSetting } from '../../avatar/index.js';
import { ExitCode } from '../../errors.js';
import { action, type Ctx, type Deps } from '../context.js';
import { examples, type Root } from '../program.js';
import { byOption, findUser, kib, openStoresFor, withDirOptions, type UserFlags } from './avatar-options.js';

interface ShowFlags extends UserFlags {
  storeDir?: string;
  publicUrl?: string;
  fetch?: boolean;
}

export interface ShowResult {
  user: { pk: number; username: string; name: string; email: string | null };
  avatar: {
    location: 'inline' | 'url' | 'none' | 'other';
    /** length of the attributes.avatar string: what travels in every user API response */
    valueBytes: number;
    declaredMime?: string;
    url?: string;
    /** the URL is one of our files in --store-dir */
    file?: string;
  };
  mode: {
    setting: string;
    settingSource: AvatarsSetting['source'];
    note?: string;
    effective: string;
    kind: EffectiveMode['kind'];
    description: string;
    chain: EffectiveMode['chain'];
    skipped: EffectiveMode['skipped'];
  };
  image: {
    format: string;
    mime: string;
    width: number;
    height: number;
    bytes: number;
    sha256: string;
    square: boolean;
    animated: boolean;
  } | null;
  problem?: string;
  staleReset: boolean;
  /** Things worth knowing about this avatar on this authentik version. */
  notes: string[];
}

export function registerShow(root: Root, deps: Deps): void {
  const cmd = root
    .command('show')
    .description("show a user's avatar: where it lives, the mode authentik uses, format and size")
    .argument('<user>', 'username, email, uuid or numeric id')
    .addOption(byOption());
  withDirOptions(cmd)
    .addOption(new Option('--no-fetch', 'do not download a URL avatar to inspect it'))
    .addHelpText(
      'after',
      examples(
        ['ak-avatars show alice'],
        ['ak-avatars show 42 --json', '{user, avatar: {location, ...}, mode: {effective, description, ...}, image: {format, width, height, bytes, square}}'],
        ['ak-avatars show bob --no-fetch', 'do not download a URL avatar'],
      ) + '\nA URL avatar is fetched without any credentials (at most 10 MiB, 15 s) to inspect it.\n',
    )
    .action(action(deps, async (ctx, user: string, o: ShowFlags) => show(ctx, user, o)));
}

export async function show(ctx: Ctx, userArg: string, o: ShowFlags): Promise<number> {
  const stores = await openStoresFor(ctx, o);
  const { client, user } = await findUser(ctx, userArg, o.by);
  const { effectiveMode, readAvatarsSetting, summarizeValue, loadAvatarImage, sha256Hex } = await import('../../avatar/index.js');

  const value = user.attributes.avatar;
  const summary = await summarizeValue(value, { apiBase: client.baseUrl, files: stores.dir });
  const setting = await readAvatarsSetting(client);
  const mode = effectiveMode(setting.value, user);
  const location = summary.kind === 'data-uri' ? 'inline' : summary.kind;

  const result: ShowResult = {
    user: { pk: user.pk, username: user.username, name: user.name, email: user.email || null },
    avatar: {
      location,
      valueBytes: typeof value === 'string' ? Buffer.byteLength(value) : 0,
      ...(summary.mime !== undefined ? { declaredMime: summary.mime } : {}),
      ...(summary.url !== undefined ? { url: summary.url } : {}),
      ...(summary.file !== undefined ? { file: summary.file } : {}),
    },
    mode: {
      setting: setting.value,
      settingSource: setting.source,
      ...(setting.note !== undefined ? { note: setting.note } : {}),
      effective: mode.mode,
      kind: mode.kind,
      description: mode.description,
      chain: mode.chain,
      skipped: mode.skipped,
    },
    image: null,
    staleReset: Object.hasOwn(user.attributes, 'avatar_reset'),
    notes: [],
  };
  const features = await client.features();
  const usesAttribute = [...mode.chain, ...mode.skipped].some((s) => s.mode === 'attributes.avatar');
  if (location !== 'none' && !usesAttribute) {
    result.notes.push('the avatars setting does not use attributes.avatar, so authentik ignores this avatar (ak-avatars setup adds it)');
  }
  if (location === 'inline' && features.oidcPictureClaim) {
    result.notes.push("on this authentik version a data-URI avatar also travels in the OIDC 'picture' claim of every token");
  }
  if (location === 'url' && !features.mediaPublic && summary.url !== undefined && /\/media\//.test(new URL(summary.url).pathname)) {
    result.notes.push('this URL points into /media, which authentik 2025.12+ no longer serves publicly: re-upload with ak-avatars upload');
  }

  let data: Buffer | undefined;
  if (location === 'inline' || (location === 'url' && (o.fetch !== false || summary.file !== undefined))) {
    try {
      const current = await loadAvatarImage(value, { apiBase: client.baseUrl, files: stores.dir });
      if (current) {
        const { inspectImage } = await import('../../image/index.js');
        const info = await inspectImage(current.data);
        data = current.data;
        result.image = {
          format: info.type,
          mime: info.mime,
          width: info.width,
          height: info.height,
          bytes: current.data.length,
          sha256: sha256Hex(current.data),
          square: info.width === info.height,
          animated: info.animated,
        };
      }
    } catch (e) {
      result.problem = (e as Error).message;
    }
  } else if (location === 'other') {
    result.problem = 'attributes.avatar holds neither a data URI nor a URL';
  }
  if (result.problem === undefined && summary.problem !== undefined) result.problem = summary.problem;

  let preview = '';
  const stdout = ctx.deps.stdout;
  if (!ctx.out.json && data && ctx.out.c.level > 0 && stdout.isTTY) {
    try {
      const { renderPreview } = await import('../../image/index.js');
      preview = await renderPreview(data, Math.min(24, Math.max(8, (stdout.columns ?? 80) - 4)));
    } catch {
      preview = ''; // a preview is a nicety; the facts above are what matter
    }
  }

  ctx.out.data(result, () => human(ctx, result, preview));
  return ExitCode.OK;
}

function human(ctx: Ctx, r: ShowResult, preview: string): string {
  const c = ctx.out.c;
  const lines = [`${c.bold(r.user.username)}${r.user.name ? ` (${r.user.name})` : ''}${r.user.email ? ` <${r.user.email}>` : ''}, user id ${r.user.pk}`];
  const where =
    r.avatar.location === 'inline'
      ? `inline data URI in attributes.avatar (${kib(r.avatar.valueBytes)} in every user API response)`
      : r.avatar.location === 'url'
        ? `${r.avatar.url}${r.avatar.file ? ` (our file ${r.avatar.file})` : ''}`
        : r.avatar.location === 'none'
          ? 'none (attributes.avatar is not set)'
          : 'attributes.avatar holds something that is neither a data URI nor a URL';
  lines.push(`  avatar:    ${where}`);
  lines.push(`  shown:     ${r.mode.description}`);
  lines.push(`  setting:   avatars=${r.mode.setting}${r.mode.settingSource === 'assumed' ? ` (assumed: ${r.mode.note ?? ''})` : ''}`);
  for (const s of r.mode.skipped) lines.push(c.dim(`             skipped ${JSON.stringify(s.mode)}: ${s.reason}`));
  if (r.image) {
    const i = r.image;
    lines.push(`  image:     ${i.format}, ${i.width}×${i.height}, ${kib(i.bytes)}, ${i.square ? 'square' : c.yellow('not square')}${i.animated ? ', animated' : ''}`);
    if (!i.square) lines.push(c.dim(`             fix it with: ak-avatars crop ${r.user.username}`));
  }
  if (r.problem) lines.push(c.yellow(`  problem:   ${r.problem}`));
  if (r.staleReset) lines.push(c.yellow('  stale:     an avatar_reset attribute left by the blog recipes (any change by this tool removes it)'));
  for (const n of r.notes) lines.push(c.yellow(`  note:      ${n}`));
  if (preview) lines.push('', preview);
  return lines.join('\n');
}
