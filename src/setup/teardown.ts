// `teardown`: the reverse of setup. Our prompts leave the stages' fields and our policy their
// validation policies (everything else stays, in order), then our prompts and policy are deleted and
// attributes.avatar leaves the avatars setting. Users' avatars stay unless purging was asked for.
import type { User } from '../authentik/types.js';
import { CliError, ExitCode } from '../errors.js';
import { AVATAR_MODE, parseModes, removeAvatarMode } from './avatars.js';
import { namesFrom, type SetupOptions } from './desired.js';
import { discover } from './discover.js';
import { refsOf } from './plan.js';
import { guarded } from './permissions.js';
import { applyPlanned, type RunMode, type RunReport } from './report.js';
import type { Action, Change, Plan, SetupApi, Snapshot } from './types.js';

export interface PurgeUser {
  pk: number;
  username: string;
  /** What the avatar holds, for the plan: data-uri / url / other; "avatar_reset only" for the stale key alone. */
  holds: string;
}

export function planTeardown(snap: Snapshot, purge: PurgeUser[] = []): Plan {
  const actions: Action[] = [];
  const notes: string[] = [];
  const mine = [snap.prompts.avatar, snap.prompts.reset].filter((p) => p !== undefined);
  const minePks = new Set(mine.map((p) => p.pk));
  const policyPk = snap.policy?.pk;
  const names = new Map<string, string>([...mine.map((p) => [p.pk, p.name] as const), ...(snap.policy ? [[snap.policy.pk, snap.policy.name] as const] : [])]);

  for (const t of snap.targets) {
    const s = t.stage;
    const fields = s.fields.filter((pk) => !minePks.has(pk));
    const policies = s.validation_policies.filter((pk) => pk !== policyPk);
    const changes: Change[] = [];
    const lists: NonNullable<Action['lists']> = {};
    if (fields.length !== s.fields.length) {
      changes.push({ field: 'fields', old: refsOf(s.fields, names), new: refsOf(fields, names) });
      lists.fields = refsOf(fields, names);
    }
    if (policies.length !== s.validation_policies.length) {
      changes.push({ field: 'validation_policies', old: refsOf(s.validation_policies, names), new: refsOf(policies, names) });
      lists.validation_policies = refsOf(policies, names);
    }
    actions.push({ kind: changes.length ? 'update' : 'unchanged', object: 'prompt stage', name: s.name, pk: s.pk, flow: t.flow.slug, changes, ...(changes.length ? { lists } : {}) });
  }
  for (const p of mine) actions.push({ kind: 'delete', object: 'prompt', name: p.name, pk: p.pk, changes: [] });
  if (snap.policy) actions.push({ kind: 'delete', object: 'policy', name: snap.policy.name, pk: snap.policy.pk, changes: [] });

  if (snap.settings) {
    const cur = snap.settings.avatars;
    const has = parseModes(cur).includes(AVATAR_MODE);
    const next = has ? removeAvatarMode(cur) : cur;
    actions.push({ kind: has ? 'update' : 'unchanged', object: 'setting', name: 'avatars', changes: has ? [{ field: 'avatars', old: cur, new: next }] : [], ...(has ? { value: next } : {}) });
  } else {
    notes.push(`this authentik has no avatars setting in its API: remove ${AVATAR_MODE} from AUTHENTIK_AVATARS on the server and worker`);
  }
  for (const u of purge) {
    actions.push({ kind: 'update', object: 'user', name: u.username, pk: String(u.pk), changes: [{ field: 'attributes.avatar', old: u.holds, new: null }] });
  }
  if (purge.length) notes.push('files of a dir store stay on the server: delete them there if you want them gone');
  return { actions, notes };
}

export type TeardownReport = RunReport<'teardown'>;

export interface TeardownOptions extends Pick<SetupOptions, 'flows' | 'promptName' | 'resetPromptName' | 'policyName'> {
  purgeAvatars?: boolean;
}

export interface TeardownHooks {
  /** Asked before purging users' avatars; false cancels (exit 3). */
  confirm?: (question: string) => Promise<boolean>;
  /** Removes one user's avatar (the avatar module's read-modify-verify write). */
  purgeUser?: (pk: number) => Promise<void>;
  onStep?: (a: Action) => void;
}

async function usersWithAvatars(api: SetupApi): Promise<PurgeUser[]> {
  const users = await guarded('listing users', 'GET', 'core/users/', () => api.paginate<Pick<User, 'pk' | 'username' | 'attributes'>>('core/users/', { include_groups: false }));
  const out: PurgeUser[] = [];
  for (const u of users) {
    const a = u.attributes ?? {};
    const v = a.avatar;
    const hasAvatar = typeof v === 'string' ? v !== '' : v !== undefined && v !== null;
    if (!hasAvatar && !Object.hasOwn(a, 'avatar_reset')) continue;
    const holds = !hasAvatar ? 'avatar_reset only' : typeof v === 'string' && v.startsWith('data:') ? 'data-uri' : typeof v === 'string' && /^https?:/i.test(v) ? 'url' : 'other';
    out.push({ pk: u.pk, username: u.username, holds });
  }
  return out;
}

export async function runTeardown(api: SetupApi, o: TeardownOptions, mode: RunMode, hooks: TeardownHooks = {}): Promise<TeardownReport> {
  const names = namesFrom(o);
  const start = api.stats.total;
  const snap = await discover(api, { names, userSettings: true, flows: o.flows ?? [], adoption: false });
  const purge = o.purgeAvatars ? await usersWithAvatars(api) : [];
  const confirmPurge = async () => {
    if (!purge.length) return;
    const ok = hooks.confirm ? await hooks.confirm(`Remove the avatars of ${purge.length} user(s)?`) : false;
    if (!ok) throw new CliError('cancelled: nothing was changed', ExitCode.CANCELLED);
  };
  return applyPlanned(
    api,
    'teardown',
    mode,
    { version: snap.version, plan: planTeardown(snap, purge), start },
    {
      ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
      ...(hooks.purgeUser ? { userStep: (a: Action) => hooks.purgeUser!(Number(a.pk)) } : {}),
    },
    confirmPurge,
  );
}
