// `ak-avatars status`: read-only health report. Exit 0 healthy, 8 drift, 1 error.
import type { StatusOptions, StatusReport } from '../../setup/status.js';
import { action, type Ctx, type Deps } from '../context.js';
import { examples, Option, parsePositiveInt, type Root } from '../program.js';
import { addTargetOptions, withProgress } from './setup.js';

interface StatusFlags extends StatusOptions {
  flow?: string[];
  users?: boolean;
  probeTimeout?: number;
}

export function registerStatus(root: Root, deps: Deps): void {
  const cmd = root.command('status').description('report the health of the avatar set-up (read-only; exit 8 on drift)');
  addTargetOptions(cmd)
    .addOption(new Option('--label <text>', 'expected label of the file prompt'))
    .addOption(new Option('--reset-label <text>', 'expected label of the checkbox prompt'))
    .addOption(new Option('--public-url <url>', 'dir store: the URL to check (default: the one in the installed policy)'))
    .addOption(new Option('--probe-timeout <ms>', 'time limit of the storage check').argParser(parsePositiveInt).default(5000))
    .addOption(new Option('--no-users', 'skip the scan of users (stale avatar_reset, avatars under /media)'))
    .addHelpText(
      'after',
      examples(
        ['ak-avatars status'],
        ['ak-avatars status --flow default-source-enrollment', 'also check an enrollment flow'],
        ['ak-avatars status --json', '{health, objects, flows, setting, policy, storage, warnings, requests}'],
        ['ak-avatars status || ak-avatars setup', 'repair drift (exit 8) in a cron job'],
      ),
    )
    .action(action(deps, async (ctx, o: StatusFlags) => status(ctx, o)));
}

export async function status(ctx: Ctx, o: StatusFlags): Promise<number> {
  const { runStatus, statusExitCode } = await import('../../setup/status.js');
  const client = await ctx.client();
  const { flow, users, probeTimeout, ...rest } = o;
  const r = await withProgress(ctx, () =>
    runStatus(client, { ...rest, flows: flow ?? [], skipUsers: users === false, ...(probeTimeout ? { probeTimeoutMs: probeTimeout } : {}) }),
  );
  for (const w of r.warnings) ctx.out.warn(w);
  ctx.out.data(r, () => human(ctx, r));
  return statusExitCode(r);
}

function human(ctx: Ctx, r: StatusReport): string {
  const c = ctx.out.c;
  const mark = (s: string) => (s === 'present' ? c.green('✔') : s === 'unknown' ? c.yellow('?') : c.red('✖'));
  const width = Math.max(...r.objects.map((x) => `${x.object} ${x.name}`.length));
  const lines = [`authentik ${r.authentik.version}`, '', 'Objects:'];
  for (const x of r.objects) {
    lines.push(`  ${mark(x.state)} ${`${x.object} ${x.name}`.padEnd(width)}  ${x.state}${x.detail ? `: ${x.detail}` : ''}`);
  }
  lines.push('', 'Flows:');
  for (const f of r.flows) {
    lines.push(`  ${f.slug} (prompt stage ${f.stage})`);
    for (const b of f.bindings) lines.push(`    ${String(b.order).padStart(4)}  ${b.stage} ${c.dim(`(${b.type})`)}`);
  }
  lines.push('');
  lines.push(`Avatars setting: ${r.setting.avatars ?? `not in the API: see ${r.setting.env ?? 'AUTHENTIK_AVATARS'}`}`);
  lines.push(`Policy: ${r.policy.installed ? `v${r.policy.installed} installed` : 'not installed (or not ours)'}, this CLI has v${r.policy.cli}`);
  const st = r.storage;
  lines.push(
    `Storage: ${st.store ?? 'unknown'}${st.check ? ` (${st.check.url}: ${st.check.ok ? c.green(`answers${st.check.status ? ` HTTP ${st.check.status}` : ''}`) : c.red(st.check.error ?? `HTTP ${st.check.status}`)})` : ''}`,
  );
  lines.push('');
  lines.push(
    r.health === 'healthy'
      ? c.green('✔ Healthy.')
      : r.health === 'drift'
        ? c.yellow('Drift: run `ak-avatars setup` to repair it (`ak-avatars setup --dry-run` shows how).')
        : c.red('✖ A check failed (see above).'),
  );
  if (ctx.opts.verbose) lines.push(c.dim(`HTTP requests: ${r.requests.total} (${r.requests.reads} reads, ${r.requests.writes} writes)`));
  return lines.join('\n');
}
