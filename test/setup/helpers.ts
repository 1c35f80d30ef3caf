// Shared helpers for the setup/status/teardown tests.
import type { Standin, StandinStateJson } from '../../src/standin/index.js';

export const AVATAR = 'default-user-settings-field-avatar';
export const RESET = 'default-user-settings-field-avatar-reset';
export const POLICY = 'default-user-settings-avatar';
export const STAGE = 'default-user-settings';
export const DEFAULT_FIELDS = ['username', 'name', 'email', 'locale'].map((f) => `default-user-settings-field-${f}`);
export const DEFAULT_POLICY = 'default-user-settings-authorization';

/** Every request the stand-in received that could change something. */
export function writes(s: Standin): Standin['requests'] {
  return s.requests.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method));
}

export function promptName(s: Standin | StandinStateJson, pk: string): string {
  const state = 'state' in s ? s.state : s;
  return state.prompts.find((p) => p.pk === pk)?.name ?? `?${pk}`;
}

export function policyName(s: Standin | StandinStateJson, pk: string): string {
  const state = 'state' in s ? s.state : s;
  return state.policies.find((p) => p.pk === pk)?.name ?? `?${pk}`;
}

/** The stage's lists by name, in order. */
export function stageLists(s: Standin, name = STAGE): { fields: string[]; policies: string[] } {
  const st = s.state.stages.find((x) => x.name === name);
  if (!st) throw new Error(`stage ${name} not in the stand-in`);
  return { fields: (st.fields ?? []).map((pk) => promptName(s, pk)), policies: (st.validation_policies ?? []).map((pk) => policyName(s, pk)) };
}

export function count<T>(items: T[], pred: (x: T) => boolean): number {
  return items.filter(pred).length;
}

/** Calls the stand-in's API directly (to build a hand-made "recipe install" like the blog posts do). */
export async function call<T = any>(s: Standin, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${s.url}/api/v3/${path}`, {
    method,
    headers: { Authorization: `Bearer ${s.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Recipe 000 (dev.to): our prompt names, its own policy name and code, a spaced avatars setting. */
export const RECIPE_POLICY_CODE = [
  'AK_DOMAIN = "authentik.company"',
  'FILE_PATH = "/media/user-avatars/"',
  'prompt_data = request.context.get("prompt_data")',
  'if "avatar" in prompt_data.get("attributes", {}):',
  '    pass',
  'return True',
  '',
].join('\n');

export async function recipeInstall(
  s: Standin,
  v: { avatarName: string; resetName: string; policyName: string; order: [number, number]; labels: [string, string] },
): Promise<{ avatar: string; reset: string; policy: string }> {
  const a = await call<{ pk: string }>(s, 'POST', 'stages/prompt/prompts/', {
    name: v.avatarName, field_key: 'attributes.avatar', label: v.labels[0], type: 'file', required: false, order: v.order[0],
  });
  const r = await call<{ pk: string }>(s, 'POST', 'stages/prompt/prompts/', {
    name: v.resetName, field_key: 'attributes.avatar_reset', label: v.labels[1], type: 'checkbox', required: false, order: v.order[1],
  });
  const p = await call<{ pk: string }>(s, 'POST', 'policies/expression/', { name: v.policyName, expression: RECIPE_POLICY_CODE });
  const stage = s.state.stages.find((x) => x.name === STAGE)!;
  await call(s, 'PATCH', `stages/prompt/stages/${stage.pk}/`, {
    fields: [...(stage.fields ?? []), a.pk, r.pk],
    validation_policies: [...(stage.validation_policies ?? []), p.pk],
  });
  return { avatar: a.pk, reset: r.pk, policy: p.pk };
}

/** The objects setup/teardown touch, for comparing with a fresh seed. */
export function touched(state: StandinStateJson): unknown {
  const stage = state.stages.find((x) => x.name === STAGE)!;
  return {
    avatars: state.settings['avatars'],
    fields: stage.fields,
    policies: stage.validation_policies,
    prompts: state.prompts.map((p) => p.name).sort(),
    policyNames: state.policies.map((p) => p.name).sort(),
    users: state.users.map((u) => ({ pk: u.pk, attributes: u.attributes })),
  };
}

export function parseJson(stdout: string): any {
  // exactly one document: JSON.parse fails on anything else on stdout
  return JSON.parse(stdout);
}
