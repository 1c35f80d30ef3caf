// plan(snapshot, desired): the ordered list of actions that converges the instance. Pure: the same
// snapshot always gives the same plan, and a converged snapshot gives only "unchanged" actions.
import { readPolicyMarker } from '../policy/render.js';
import { desiredAvatars } from './avatars.js';
import { readPolicyConfig } from './policy-config.js';
import type { Action, Change, Desired, Plan, PolicyObj, PromptObj, PromptRole, PromptSpec, Ref, Snapshot } from './types.js';

const ROLES: PromptRole[] = ['avatar', 'reset'];
const PROMPT_FIELDS = ['name', 'field_key', 'label', 'type', 'required', 'order'] as const;

export function diffPrompt(cur: PromptObj, want: PromptSpec): Change[] {
  const out: Change[] = [];
  for (const f of PROMPT_FIELDS) if (cur[f] !== want[f]) out.push({ field: f, old: cur[f], new: want[f] });
  return out;
}

/** One line about a policy's code, for plans: ours with version and options, or someone else's. */
export function describeCode(expression: string): string {
  const marker = readPolicyMarker(expression);
  if (!marker) return `other code (${expression.split('\n').length} lines)`;
  const cfg = readPolicyConfig(expression);
  const parts = [`ak-avatars policy v${marker.version}`];
  if (cfg) {
    parts.push(`store=${cfg.store}`, `max ${Math.round(cfg.maxBytes / 1024)} KB`, cfg.allowedTypes.map((t) => t.replace('image/', '')).join('/'));
    if (cfg.store === 'dir') parts.push(`${cfg.storeDir ?? ''} -> ${cfg.publicUrl ?? ''}`);
  } else if (marker.store) parts.push(`store=${marker.store}`);
  return parts.join(', ');
}

export function diffPolicy(cur: PolicyObj, want: Desired['policy']): Change[] {
  const out: Change[] = [];
  if (cur.name !== want.name) out.push({ field: 'name', old: cur.name, new: want.name });
  if (cur.expression !== want.expression) {
    const o = describeCode(cur.expression);
    const n = describeCode(want.expression);
    out.push({ field: 'expression', old: o, new: o === n ? `${n} (regenerated)` : n });
  }
  if (cur.execution_logging !== want.execution_logging) out.push({ field: 'execution_logging', old: cur.execution_logging, new: want.execution_logging });
  return out;
}

function bodyFrom(changes: Change[]): Record<string, unknown> {
  return Object.fromEntries(changes.map((c) => [c.field, c.new]));
}

function promptBody(spec: PromptSpec): Record<string, unknown> {
  return { name: spec.name, field_key: spec.field_key, label: spec.label, type: spec.type, required: spec.required, order: spec.order };
}

/** Names of objects the snapshot knows, to show list entries by name instead of uuid. */
function knownNames(snap: Snapshot): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of [...snap.promptCandidates, ...Object.values(snap.prompts)]) m.set(p.pk, p.name);
  for (const p of [...snap.policyCandidates, ...(snap.policy ? [snap.policy] : [])]) m.set(p.pk, p.name);
  return m;
}

export function refsOf(pks: string[], names: Map<string, string>): Ref[] {
  return pks.map((pk) => {
    const name = names.get(pk);
    return name !== undefined ? { pk, name } : { pk };
  });
}

function inTargetStage(snap: Snapshot, pk: string): boolean {
  return snap.targets.some((t) => t.stage.fields.includes(pk));
}

export function plan(snap: Snapshot, desired: Desired): Plan {
  const actions: Action[] = [];
  const notes: string[] = [];
  const names = knownNames(snap);
  /** pk of each of our objects once it exists (undefined: created by this plan). */
  const resolved: Partial<Record<PromptRole | 'policy', string>> = {};
  const adoptedPrompts = new Set<string>();

  // 1. prompts: ours by name, else adopt a prompt with our field key that sits in a target stage
  for (const role of ROLES) {
    const spec = desired.prompts[role];
    const mine = snap.prompts[role];
    if (mine) {
      const changes = diffPrompt(mine, spec);
      actions.push({ kind: changes.length ? 'update' : 'unchanged', object: 'prompt', name: mine.name, pk: mine.pk, role, changes, ...(changes.length ? { body: bodyFrom(changes) } : {}) });
      resolved[role] = mine.pk;
      continue;
    }
    const taken = new Set(Object.values(snap.prompts).map((p) => p.pk));
    const cand = snap.promptCandidates.find((p) => p.field_key === spec.field_key && !taken.has(p.pk) && !adoptedPrompts.has(p.pk) && inTargetStage(snap, p.pk));
    if (cand) {
      const changes = diffPrompt(cand, spec);
      adoptedPrompts.add(cand.pk);
      actions.push({ kind: 'adopt', object: 'prompt', name: cand.name, pk: cand.pk, role, changes, note: `reuse the hand-made ${spec.field_key} prompt`, ...(changes.length ? { body: bodyFrom(changes) } : {}) });
      resolved[role] = cand.pk;
      names.set(cand.pk, spec.name);
      continue;
    }
    actions.push({ kind: 'create', object: 'prompt', name: spec.name, role, changes: [], body: promptBody(spec) });
  }

  // 2. the policy: ours by name (replacing foreign code under our name), else adopt an avatar policy bound to a target stage
  const pol = desired.policy;
  const mine = snap.policy;
  const cand = mine ? undefined : snap.policyCandidates[0];
  const existing = mine ?? cand;
  if (existing) {
    const changes = diffPolicy(existing, pol);
    const foreign = readPolicyMarker(existing.expression) === null;
    const kind = cand || foreign ? 'adopt' : changes.length ? 'update' : 'unchanged';
    const action: Action = { kind, object: 'policy', name: existing.name, pk: existing.pk, role: 'policy', changes };
    // the change list shows a one-line summary of the code; the body carries the code itself
    if (changes.length) action.body = Object.fromEntries(changes.map((c) => [c.field, c.field === 'expression' ? pol.expression : c.new]));
    if (foreign) action.note = 'replace recipe code';
    else if (cand) action.note = 'reuse the policy bound to the stage';
    actions.push(action);
    resolved.policy = existing.pk;
    names.set(existing.pk, pol.name);
    if (cand && snap.policyCandidates.length > 1) {
      notes.push(`other avatar policies stay bound: ${snap.policyCandidates.slice(1).map((p) => p.name).join(', ')} (remove them from the stage if they duplicate ours)`);
    }
  } else {
    actions.push({ kind: 'create', object: 'policy', name: pol.name, role: 'policy', changes: [], body: { name: pol.name, expression: pol.expression, execution_logging: pol.execution_logging } });
  }

  // 3. the prompt stages: existing lists kept in order, ours appended at the end
  const ourPks = new Set(Object.values(resolved));
  const ourKeys = new Set(ROLES.map((r) => desired.prompts[r].field_key));
  for (const t of snap.targets) {
    const s = t.stage;
    // a second prompt with one of our field keys in the same stage would render twice: drop it from the stage (not deleted)
    const strays = snap.promptCandidates.filter((p) => s.fields.includes(p.pk) && ourKeys.has(p.field_key) && !ourPks.has(p.pk));
    const strayPks = new Set(strays.map((p) => p.pk));
    const fields: Ref[] = refsOf(s.fields.filter((pk) => !strayPks.has(pk)), names);
    for (const role of ROLES) {
      const pk = resolved[role];
      if (pk === undefined) fields.push({ role, name: desired.prompts[role].name });
      else if (!s.fields.includes(pk)) fields.push({ pk, role, name: desired.prompts[role].name });
    }
    const policies: Ref[] = refsOf(s.validation_policies, names);
    if (resolved.policy === undefined) policies.push({ role: 'policy', name: pol.name });
    else if (!s.validation_policies.includes(resolved.policy)) policies.push({ pk: resolved.policy, role: 'policy', name: pol.name });

    const changes: Change[] = [];
    const lists: NonNullable<Action['lists']> = {};
    if (fields.length !== s.fields.length || strays.length) {
      changes.push({ field: 'fields', old: refsOf(s.fields, names), new: fields });
      lists.fields = fields;
    }
    if (policies.length !== s.validation_policies.length) {
      changes.push({ field: 'validation_policies', old: refsOf(s.validation_policies, names), new: policies });
      lists.validation_policies = policies;
    }
    actions.push({ kind: changes.length ? 'update' : 'unchanged', object: 'prompt stage', name: s.name, pk: s.pk, flow: t.flow.slug, changes, ...(changes.length ? { lists } : {}) });
    if (strays.length) notes.push(`stage ${s.name}: removing duplicate ${strays.map((p) => `${p.name} (${p.field_key})`).join(', ')} from its fields (the prompts themselves are kept)`);
    if (t.otherPromptStages.length) notes.push(`flow ${t.flow.slug}: using its first prompt stage ${s.name}; not touching ${t.otherPromptStages.join(', ')}`);
  }

  // 4. the avatars setting
  if (desired.avatars.mode === 'exact' && !desired.avatars.list.includes(desired.prompts.avatar.field_key)) {
    notes.push(`--avatars does not contain ${desired.prompts.avatar.field_key}: uploaded avatars will not be shown`);
  }
  if (snap.settings) {
    const cur = snap.settings.avatars;
    const next = desiredAvatars(cur, desired.avatars);
    const changes = cur === next ? [] : [{ field: 'avatars', old: cur, new: next }];
    actions.push({ kind: changes.length ? 'update' : 'unchanged', object: 'setting', name: 'avatars', changes, ...(changes.length ? { value: next } : {}) });
  } else {
    const value = desiredAvatars(null, desired.avatars);
    notes.push(`this authentik has no avatars setting in its API: set AUTHENTIK_AVATARS=${value} on the server and worker`);
    return { actions, notes, env: { AUTHENTIK_AVATARS: value } };
  }
  return { actions, notes };
}

/** True when applying the plan would change something (--check exits 8). */
export function isPending(p: Plan): boolean {
  return p.actions.some((a) => a.kind !== 'unchanged');
}
