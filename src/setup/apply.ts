// apply(api, plan): executes the writes of a plan in a safe order and verifies each answer.
// Order: prompts and policy first (created by their unique name), then the stage lists (existing
// entries + ours, in order), then the setting, then users, and deletions last (after nothing
// references them). A failure part-way leaves only complete objects behind; the next run finds them
// by name and carries on, so there is never a duplicate and never a lost field or binding.
import type { ExpressionPolicy, Prompt, PromptStage, SystemSettings } from '../authentik/types.js';
import { CliError, ExitCode, toCliError } from '../errors.js';
import { guarded, invisibleObject, statusOf } from './permissions.js';
import type { Action, Plan, Ref, Role, SetupApi } from './types.js';

export interface AppliedStep {
  kind: Action['kind'];
  object: Action['object'];
  name: string;
  pk?: string;
}

export interface ApplyResult {
  applied: AppliedStep[];
  verified: boolean;
}

/** Raised when a write fails part-way: says what was done and that a re-run resumes. */
export class ApplyError extends CliError {
  readonly applied: AppliedStep[];
  constructor(message: string, exitCode: CliError['exitCode'], applied: AppliedStep[], hint: string, cause: unknown) {
    super(message, exitCode, { hint, cause });
    this.name = 'ApplyError';
    this.applied = applied;
  }
}

const PATHS = {
  prompt: 'stages/prompt/prompts/',
  policy: 'policies/expression/',
  'prompt stage': 'stages/prompt/stages/',
  setting: 'admin/settings/',
  user: 'core/users/',
} as const;

function phase(a: Action): number {
  if (a.kind === 'delete') return 5;
  switch (a.object) {
    case 'prompt':
    case 'policy':
      return 1;
    case 'prompt stage':
      return 2;
    case 'setting':
      return 3;
    default:
      return 4;
  }
}

export interface ApplyOptions {
  /** Called before each write (progress display). */
  onStep?: (a: Action) => void;
  /** The command to re-run, for the hint after a failure. */
  rerun?: string;
  /** Writes one 'user' action (teardown --purge-avatars passes the avatar module's safe write). */
  userStep?: (a: Action) => Promise<void>;
}

export async function apply(api: SetupApi, plan: Plan, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const pks: Partial<Record<Role, string>> = {};
  for (const a of plan.actions) if (a.role && a.pk) pks[a.role] = a.pk;
  const todo = plan.actions.map((a, i) => ({ a, i })).filter(({ a }) => a.kind !== 'unchanged');
  todo.sort((x, y) => phase(x.a) - phase(y.a) || x.i - y.i);

  const applied: AppliedStep[] = [];
  const fail = (a: Action, e: unknown): ApplyError => {
    const err = toCliError(e);
    const done = applied.length ? `${applied.length} change(s) made before it` : 'nothing was changed';
    // a permission message already names the object and the permission
    const msg = err.exitCode === ExitCode.AUTH ? err.message : `${a.kind} ${a.object} ${a.name} failed: ${err.message}`;
    const resume = `${done}; fix the cause and re-run \`${opts.rerun ?? 'ak-avatars setup'}\`: it resumes from the objects already written`;
    return new ApplyError(msg, err.exitCode, applied, err.hint ? `${err.hint}. Then: ${resume}` : resume, e);
  };
  const runOne = async (a: Action): Promise<AppliedStep> => {
    opts.onStep?.(a);
    const pk = a.object === 'user' && opts.userStep ? (await opts.userStep(a), a.pk) : await step(api, a, pks);
    if (a.role && pk) pks[a.role] = pk;
    return { kind: a.kind, object: a.object, name: a.name, ...(pk ? { pk } : {}) };
  };
  // phase 1 (prompts and policy) are independent objects: written in parallel to save round trips;
  // everything after depends on them or on each other and goes one by one
  const first = todo.filter(({ a }) => phase(a) === 1).map(({ a }) => a);
  const settled = await Promise.allSettled(first.map(runOne));
  for (const x of settled) if (x.status === 'fulfilled') applied.push(x.value); // plan order
  const bad = settled.findIndex((x) => x.status === 'rejected');
  if (bad >= 0) throw fail(first[bad]!, (settled[bad] as PromiseRejectedResult).reason);
  for (const { a } of todo.filter(({ a }) => phase(a) !== 1)) {
    try {
      applied.push(await runOne(a));
    } catch (e) {
      throw fail(a, e);
    }
  }
  return { applied, verified: true };
}

function verifyFailed(what: string, detail: string): CliError {
  return new CliError(`verification failed: ${what}: ${detail}`, ExitCode.ERROR, {
    hint: 'authentik answered the write with a different value; check the object in the admin interface and re-run',
  });
}

function expectFields(what: string, got: Record<string, unknown>, want: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(want)) {
    if (got[k] !== v) throw verifyFailed(what, `${k} is ${JSON.stringify(got[k])}, expected ${JSON.stringify(v)}`);
  }
}

function resolveRefs(refs: Ref[], pks: Partial<Record<Role, string>>, what: string): string[] {
  return refs.map((r) => {
    const pk = r.pk ?? (r.role ? pks[r.role] : undefined);
    if (!pk) throw new CliError(`internal error: ${what} references ${r.name ?? r.role ?? '?'} before it exists`, ExitCode.ERROR);
    return pk;
  });
}

function sameList(a: string[] | undefined, b: string[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** One write; returns the object's pk (created or existing). */
async function step(api: SetupApi, a: Action, pks: Partial<Record<Role, string>>): Promise<string | undefined> {
  const label = `${a.object} ${a.name}`;
  switch (a.object) {
    case 'prompt':
    case 'policy': {
      const base = PATHS[a.object];
      if (a.kind === 'delete') return del(api, `delete ${label}`, `${base}${a.pk}/`);
      const body = a.body ?? {};
      if (a.kind === 'create') return createByName(api, a.object, base, body, label);
      const path = `${base}${a.pk}/`;
      const got = await guarded(`${a.kind === 'adopt' ? 'adopting' : 'updating'} ${label}`, 'PATCH', path, () => api.patch<Prompt | ExpressionPolicy>(path, body));
      expectFields(label, got as unknown as Record<string, unknown>, body);
      return a.pk;
    }
    case 'prompt stage': {
      const path = `${PATHS['prompt stage']}${a.pk}/`;
      const body: { fields?: string[]; validation_policies?: string[] } = {};
      if (a.lists?.fields) body.fields = resolveRefs(a.lists.fields, pks, label);
      if (a.lists?.validation_policies) body.validation_policies = resolveRefs(a.lists.validation_policies, pks, label);
      const got = await guarded(`updating the lists of ${label}`, 'PATCH', path, () => api.patch<PromptStage>(path, body));
      if (body.fields && !sameList(got.fields, body.fields)) throw verifyFailed(label, 'fields differ from what was sent');
      if (body.validation_policies && !sameList(got.validation_policies, body.validation_policies)) {
        throw verifyFailed(label, 'validation_policies differ from what was sent');
      }
      return a.pk;
    }
    case 'setting': {
      const path = PATHS.setting;
      const value = a.value ?? '';
      const got = await guarded('changing the avatars setting', 'PATCH', path, () => api.patch<SystemSettings>(path, { avatars: value }));
      if (got.avatars !== value) throw verifyFailed('setting avatars', `is ${JSON.stringify(got.avatars)}, expected ${JSON.stringify(value)}`);
      return undefined;
    }
    case 'user': {
      // read fresh, drop only our keys, send the COMPLETE dict back (authentik replaces it whole)
      const path = `${PATHS.user}${a.pk}/`;
      const cur = await guarded(`reading user ${a.name}`, 'GET', path, () => api.get<{ attributes: Record<string, unknown> }>(path));
      const attributes = { ...(cur.attributes ?? {}) };
      delete attributes.avatar;
      delete attributes.avatar_reset;
      const got = await guarded(`changing the attributes of user ${a.name}`, 'PATCH', path, () => api.patch<{ attributes: Record<string, unknown> }>(path, { attributes }));
      if (JSON.stringify(Object.keys(got.attributes ?? {}).sort()) !== JSON.stringify(Object.keys(attributes).sort())) {
        throw verifyFailed(`user ${a.name}`, 'attributes differ from what was sent');
      }
      return a.pk;
    }
  }
}

/**
 * POST by unique name. A 400 "already exists" means an earlier run created it (or its answer was
 * lost): find it by name and bring it to the wanted state instead of failing.
 */
async function createByName(api: SetupApi, object: 'prompt' | 'policy', base: string, body: Record<string, unknown>, label: string): Promise<string> {
  try {
    const got = await guarded(`creating ${label}`, 'POST', base, () => api.post<{ pk: string } & Record<string, unknown>>(base, body));
    expectFields(label, got, body);
    return got.pk;
  } catch (e) {
    if (statusOf(e) !== 400 || !/already exists|unique/i.test((e as Error).message)) throw e;
    const name = String(body.name);
    const hits = await guarded(`looking up ${label}`, 'GET', base, () => api.paginate<{ pk: string; name: string } & Record<string, unknown>>(base, { name }));
    const found = hits.find((h) => h.name === name);
    if (!found) throw invisibleObject(`${object} ${name}`, base, e);
    const rest = Object.fromEntries(Object.entries(body).filter(([k, v]) => k !== 'name' && found[k] !== v));
    if (Object.keys(rest).length) {
      const path = `${base}${found.pk}/`;
      const got = await guarded(`updating ${label}`, 'PATCH', path, () => api.patch<Record<string, unknown>>(path, rest));
      expectFields(label, got, rest);
    }
    return found.pk;
  }
}

async function del(api: SetupApi, what: string, path: string): Promise<undefined> {
  try {
    await guarded(what, 'DELETE', path, () => api.delete(path));
  } catch (e) {
    // already gone (an earlier, interrupted teardown): that is the state we want
    if (statusOf(e) !== 404) throw e;
  }
  return undefined;
}
