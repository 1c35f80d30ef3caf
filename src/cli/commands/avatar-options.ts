// What the avatar commands (upload, crop, reset, show, sync) share: their options (declared once,
// added in groups so the commands cannot drift apart), turning flags into pipeline/store settings,
// and printing one change or a bulk run's results.
// Loaded by those commands at registration (also for their --help): only commander's Option and
// types at the top; the avatar/image modules load inside the functions.
import { Option, type Command, type OptionValues } from '@commander-js/extra-typings';
import type { BulkItem, BulkTotals, ChangeResult, Stores, ValueSummary } from '../../avatar/index.js';
import { CliError, ExitCode } from '../../errors.js';
import type { ProcessedImage } from '../../image/index.js';
import type { Ctx } from '../context.js';

// ---------------------------------------------------------------------------------------------
// options

const SELECTORS = ['username', 'email', 'uuid', 'id'] as const;

export const byOption = () => new Option('--by <field>', 'how to find the user (default: detected from the value)').choices(SELECTORS);
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
export const dryRunOption = (what = 'show what would change; change nothing') => new Option('--dry-run', what);

/** --size --format --quality --position --background: how a picture is squared and encoded. */
export function withImageOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Command<A, O, G>) {
  return cmd.addOption(sizeOption()).addOption(formatOption()).addOption(qualityOption()).addOption(positionOption()).addOption(backgroundOption());
}

/** --store-dir --public-url: what every avatar command needs to recognise (and delete) our files. */
export function withDirOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Command<A, O, G>) {
  return cmd.addOption(storeDirOption()).addOption(publicUrlOption());
}

/** --store --store-dir --public-url: where a new picture goes. */
export function withStoreOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Command<A, O, G>) {
  return withDirOptions(cmd.addOption(storeOption()));
}

/** --check --concurrency: the bulk commands' extra options (with --dry-run). */
export function withBulkOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Command<A, O, G>, only = '') {
  return cmd
    .addOption(new Option('--check', `${only}change nothing; exit 8 when anything would change (for CI)`))
    .addOption(new Option('--concurrency <n>', `${only}how many users to work on at once, 1..16 (image work is CPU-bound)`).default('2'));
}

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
  by?: (typeof SELECTORS)[number];
}
export interface BulkFlags {
  dryRun?: boolean;
  check?: boolean;
  concurrency: string;
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

export function concurrencyFlag(raw: string): number {
  const n = intFlag('--concurrency', raw);
  if (n < 1 || n > 16) throw new CliError(`--concurrency must be between 1 and 16 (got ${n})`, ExitCode.USAGE);
  return n;
}

/** Everything a bulk command needs from its flags, checked before anything is read or sent. */
export async function bulkSettings(ctx: Ctx, o: ImageFlags & StoreFlags & BulkFlags) {
  return {
    popts: await processOptions(o),
    stores: await openStoresFor(ctx, o),
    concurrency: concurrencyFlag(o.concurrency),
    // --check is a dry run that also tells by its exit code
    dryRun: Boolean(o.dryRun || o.check),
    check: Boolean(o.check),
  };
}

export async function openStoresFor(ctx: Ctx, o: StoreFlags): Promise<Stores> {
  const { openStores } = await import('../../avatar/options.js');
  return openStores(o, ctx.deps.env);
}

export async function findUser(ctx: Ctx, value: string, by: UserFlags['by']) {
  const client = await ctx.client();
  const { resolveUser } = await import('../../authentik/users.js');
  const { toAvatarUser } = await import('../../avatar/user.js');
  const user = toAvatarUser(await resolveUser(client, value, by), `user ${value}`);
  return { client, user };
}

export function warnWebpInline(ctx: Ctx, format: string, storeKind: string): void {
  if (format === 'webp' && storeKind === 'inline') {
    ctx.out.warn("a WebP data URI is not read by Nextcloud's user_oidc (it takes PNG/JPEG data URIs): prefer --format auto, png or jpeg");
  }
}

// ---------------------------------------------------------------------------------------------
// output: one change

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

/**
 * Prints one changeAvatar() outcome the way every per-user command does: its warnings on stderr,
 * then `{command, user, changed, dryRun, old, new, ...extra}` under --json, else the headline and
 * the before/after lines (plus `more`).
 */
export function printChange(ctx: Ctx, command: string, r: ChangeResult, headline: string, extra: Record<string, unknown> = {}, more: string[] = []): void {
  for (const w of r.warnings) ctx.out.warn(w);
  ctx.out.data({ command, ...changeJson(r), ...extra }, () => [headline, ...changeDetails(ctx, r), ...more].join('\n'));
}

/** Runs `work` under a spinner that stops whatever happens. */
export async function withSpinner<T>(ctx: Ctx, text: string, work: (setText: (t: string) => void) => Promise<T>): Promise<T> {
  const spin = ctx.out.spinner(text).start();
  try {
    return await work((t) => spin.text(t));
  } finally {
    spin.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// output: a bulk run (sync, crop --all)

export interface BulkSummary {
  command: string;
  items: BulkItem[];
  totals: BulkTotals;
  requests: { total: number; reads: number; writes: number };
  dryRun: boolean;
  check: boolean;
}

/** 1 when any user failed, else 8 under --check when anything would change, else 0. */
export function bulkExitCode(s: Pick<BulkSummary, 'totals' | 'check'>): number {
  if (s.totals.failed > 0) return ExitCode.ERROR;
  if (s.check && s.totals.create + s.totals.update > 0) return ExitCode.CHANGES_PENDING;
  return ExitCode.OK;
}

/**
 * One JSON document `{command, dryRun, check, ...extra, results, totals, requests, exitCode}`, or one
 * line per user (`describe` words the successful ones) and `summary`. Each user's warnings go to
 * stderr, and when users failed, one `Error:` line says how many (the results name them).
 */
export function printBulk(ctx: Ctx, s: BulkSummary, extra: Record<string, unknown>, describe: (i: BulkItem) => string, summary: string): number {
  const code = bulkExitCode(s);
  for (const i of s.items) for (const w of i.warnings) ctx.out.warn(`${i.user}: ${w}`);
  ctx.out.data({ command: s.command, dryRun: s.dryRun, check: s.check, ...extra, results: s.items, totals: s.totals, requests: s.requests, exitCode: code }, () => {
    const c = ctx.out.c;
    const width = Math.min(24, Math.max(0, ...s.items.map((i) => i.user.length)));
    const lines = s.items.map((i) => {
      const mark = i.action === 'failed' ? c.red('✖') : i.action === 'unchanged' ? c.dim('=') : i.dryRun ? c.cyan('~') : c.green('✔');
      const text = i.action === 'failed' ? `${i.file ? `${i.file}  ` : ''}${c.red(`failed: ${i.error ?? 'unknown error'}`)}` : describe(i);
      return `${mark} ${c.bold(i.user.padEnd(width))}  ${text}`;
    });
    const requests = `${s.requests.total} requests, ${s.requests.writes} writes`;
    lines.push(`${summary} (${requests})${s.dryRun ? '; nothing was changed' : ''}`);
    if (code === ExitCode.CHANGES_PENDING) lines.push(c.yellow('Changes pending (--check): exit 8'));
    return lines.join('\n');
  });
  if (s.totals.failed > 0) {
    const err = new CliError(`${s.totals.failed} of ${s.items.length} ${s.command === 'sync' ? 'files' : 'users'} failed`, ExitCode.ERROR, {
      hint: `the others were ${s.dryRun ? 'checked' : 'done'}; fix the failed ones and run again (unchanged users cost nothing)`,
    });
    err.stack = ''; // a summary, not a crash: no stack trace under --verbose
    ctx.out.error(err);
  }
  return code;
}

/** "2 created, 1 updated, 3 unchanged, 1 failed" (or "would be created" ... in a dry run). */
export function countsLine(t: BulkTotals, dryRun: boolean, words: Array<[keyof BulkTotals, string]>): string {
  const changed = words.map(([k, w]) => `${t[k]} ${dryRun ? `would be ${w}` : w}`);
  return [...changed, `${t.unchanged} unchanged`, `${t.failed} failed`].join(', ');
}

/** "256×256 jpeg, 12.3 KiB" for a result line. */
export function imageLabel(i: Pick<BulkItem, 'width' | 'height' | 'format' | 'bytes'>): string {
  return `${i.width ?? '?'}×${i.height ?? '?'} ${i.format ?? ''}, ${kib(i.bytes)}`;
}
