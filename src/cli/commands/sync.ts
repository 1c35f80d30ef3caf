// `ak-avatars sync <dir>`: avatars for many users from a directory of images named after them
// (alice.jpg, bob.png; --by email|uuid|id for other names), for provisioning scripts and CI. Each
// file goes through the upload pipeline; users whose avatar already is that picture get no write,
// so re-running a sync is free. One bad file or unknown user is reported and the others go on.
import { Option } from '@commander-js/extra-typings';
import type { BulkItem } from '../../avatar/index.js';
import { action, type Ctx, type Deps } from '../context.js';
import { examples, type Root } from '../program.js';
import {
  bulkSettings,
  countsLine,
  dryRunOption,
  imageLabel,
  printBulk,
  warnWebpInline,
  withBulkOptions,
  withImageOptions,
  withSpinner,
  withStoreOptions,
  type BulkFlags,
  type ImageFlags,
  type StoreFlags,
} from './avatar-options.js';

interface SyncFlags extends ImageFlags, StoreFlags, BulkFlags {
  by: 'username' | 'email' | 'uuid' | 'id';
}

export function registerSync(root: Root, deps: Deps): void {
  const cmd = root
    .command('sync')
    .description('set the avatars of many users from a directory of images named after them (idempotent)')
    .argument('<dir>', 'directory of images named <username>.<ext> (or by --by)')
    .addOption(
      new Option('--by <field>', 'what the file names are: username, email, uuid or id').choices(['username', 'email', 'uuid', 'id'] as const).default('username' as const),
    );
  withBulkOptions(withStoreOptions(withImageOptions(cmd)).addOption(dryRunOption('process every image and show what would change; change nothing')))
    .addHelpText(
      'after',
      examples(
        ['ak-avatars sync ./avatars', 'alice.jpg -> alice, bob.png -> bob; unchanged users get no write'],
        ['ak-avatars sync ./photos --by email --size 512', 'alice@example.com.jpg -> the user with that email'],
        ['ak-avatars sync ./avatars --check', 'CI: exit 8 when some avatar differs from its file'],
        ['ak-avatars --json sync ./avatars', '{results: [{user, file, action: create|update|unchanged|failed, bytes, sha256}], totals, requests}'],
        ['ak-avatars sync ./avatars --store dir --store-dir /srv/avatars --public-url https://auth.example.com/avatars/'],
      ) +
        '\nThe file name without its last extension names the user. Hidden files and sub-directories are skipped;\n' +
        'every other file must be an image. Exit 1 when any file failed (the others are still done).\n',
    )
    .action(action(deps, async (ctx, dir: string, o: SyncFlags) => sync(ctx, dir, o)));
}

export async function sync(ctx: Ctx, dir: string, o: SyncFlags): Promise<number> {
  // everything that can be wrong with the flags or the directory, before authentik is contacted
  const { popts, stores, concurrency, dryRun, check } = await bulkSettings(ctx, o);
  const { pickStore } = await import('../../avatar/options.js');
  const store = pickStore(stores, stores.requested ?? 'inline');
  const { listSyncFiles, syncAvatars, totalsOf } = await import('../../avatar/index.js');
  const { files, skipped } = await listSyncFiles(dir);
  if (files.length > 0) warnWebpInline(ctx, popts.format, store.kind);

  const client = await ctx.client();
  const { resolveUsers } = await import('../../authentik/users.js');
  const { readInput } = await import('../../image/index.js');
  const items = await withSpinner(ctx, `Syncing ${files.length} avatars`, (say) =>
    syncAvatars(client, files, {
      process: popts,
      store,
      files: stores.dir,
      dryRun,
      concurrency,
      resolve: (keys) => resolveUsers(client, keys, o.by),
      readImage: (file) => readInput(file, ctx.deps.stdin),
      onProgress: (d, n) => say(`Syncing avatars: ${d}/${n}`),
    }),
  );
  for (const s of skipped) ctx.out.debug(`skipped ${s.name}: ${s.reason}`);
  const totals = totalsOf(items);
  return printBulk(
    ctx,
    { command: 'sync', items, totals, requests: { ...client.stats }, dryRun, check },
    { dir, by: o.by, store: store.kind, skipped },
    describeSync,
    `${files.length} file${files.length === 1 ? '' : 's'}: ${countsLine(totals, dryRun, [['create', 'created'], ['update', 'updated']])}`,
  );
}

function describeSync(i: BulkItem): string {
  const what = i.action === 'create' ? 'created' : i.action === 'update' ? 'updated' : 'unchanged';
  const verb = i.dryRun ? `would be ${what}` : what;
  return `${i.file ?? ''}  ${verb}${i.action === 'unchanged' ? '' : ` (${imageLabel(i)})`}`;
}
