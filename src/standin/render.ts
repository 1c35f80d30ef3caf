// Serializers: state records -> API JSON. Each emits the union of the fields the versions in
// scope send (the schemas do not forbid extra properties), so one shape conforms everywhere;
// the few version differences that matter are switched on the version.
import { avatarFor } from './avatar.js';
import { userUid } from './ids.js';
import type { FlowRec, PolicyRec, PromptRec, StageRec, StandinState, StandinVersion, UserRec } from './types.js';
import { atLeast } from './versions.js';

export interface RenderCtx {
  state: StandinState;
  version: StandinVersion;
}

// ---- stages ----

const STAGE_META: Record<StageRec['kind'], { app: string; model: string; verbose: string; component: string }> = {
  prompt: { app: 'authentik_stages_prompt', model: 'promptstage', verbose: 'Prompt Stage', component: 'ak-stage-prompt-form' },
  user_write: { app: 'authentik_stages_user_write', model: 'userwritestage', verbose: 'User Write Stage', component: 'ak-stage-user-write-form' },
  user_login: { app: 'authentik_stages_user_login', model: 'userloginstage', verbose: 'User Login Stage', component: 'ak-stage-user-login-form' },
  identification: {
    app: 'authentik_stages_identification',
    model: 'identificationstage',
    verbose: 'Identification Stage',
    component: 'ak-stage-identification-form',
  },
  password: { app: 'authentik_stages_password', model: 'passwordstage', verbose: 'Password Stage', component: 'ak-stage-password-form' },
};

/** FlowSetSerializer: a flow as listed in a stage's flow_set (FlowSerializer's fields, fewer of them). */
export function flowSet(ctx: RenderCtx, stagePk: string): Record<string, unknown>[] {
  const flowPks = new Set(ctx.state.bindings.filter((b) => b.stage === stagePk).map((b) => b.target));
  return ctx.state.flows
    .filter((f) => flowPks.has(f.pk))
    .map((f) => ({ ...flowHead(f), ...flowTail(f) }));
}

const FLOW_BACKGROUND = '/static/dist/assets/images/flow_background.jpg';

/** The fields FlowSerializer and FlowSetSerializer share, in their order: the first ones ... */
function flowHead(f: FlowRec): Record<string, unknown> {
  return {
    pk: f.pk,
    policybindingmodel_ptr_id: f.pbm_uuid,
    name: f.name,
    slug: f.slug,
    title: f.title,
    designation: f.designation,
    background: FLOW_BACKGROUND,
    background_url: FLOW_BACKGROUND,
  };
}

/** ... and the last ones. */
function flowTail(f: FlowRec): Record<string, unknown> {
  return {
    policy_engine_mode: f.policy_engine_mode,
    compatibility_mode: f.compatibility_mode,
    export_url: `/api/v3/flows/instances/${f.slug}/export/`,
    layout: f.layout,
    denied_action: f.denied_action,
  };
}

/** StageSerializer (the base): used for binding.stage_obj and for prompt stages. */
export function renderStage(ctx: RenderCtx, s: StageRec): Record<string, unknown> {
  const meta = STAGE_META[s.kind];
  return {
    pk: s.pk,
    name: s.name,
    component: meta.component,
    verbose_name: meta.verbose,
    verbose_name_plural: `${meta.verbose}s`,
    meta_model_name: `${meta.app}.${meta.model}`,
    flow_set: flowSet(ctx, s.pk),
  };
}

export function renderPromptStage(ctx: RenderCtx, s: StageRec): Record<string, unknown> {
  return { ...renderStage(ctx, s), fields: [...(s.fields ?? [])], validation_policies: [...(s.validation_policies ?? [])] };
}

// ---- prompts ----

export function renderPrompt(ctx: RenderCtx, p: PromptRec): Record<string, unknown> {
  const stages = ctx.state.stages.filter((s) => s.kind === 'prompt' && (s.fields ?? []).includes(p.pk));
  return {
    pk: p.pk,
    name: p.name,
    field_key: p.field_key,
    label: p.label,
    type: p.type,
    required: p.required,
    placeholder: p.placeholder,
    initial_value: p.initial_value,
    order: p.order,
    prompt_stages_obj: stages.map((s) => renderPromptStage(ctx, s)),
    sub_text: p.sub_text,
    placeholder_expression: p.placeholder_expression,
    initial_value_expression: p.initial_value_expression,
  };
}

// ---- policies ----

export function renderPolicy(_ctx: RenderCtx, p: PolicyRec): Record<string, unknown> {
  return {
    pk: p.pk,
    name: p.name,
    execution_logging: p.execution_logging,
    component: 'ak-policy-expression-form',
    verbose_name: 'Expression Policy',
    verbose_name_plural: 'Expression Policies',
    meta_model_name: 'authentik_policies_expression.expressionpolicy',
    // PolicyBinding count; the stand-in models no policy bindings (validation_policies are not bindings)
    bound_to: 0,
    expression: p.expression,
  };
}

// ---- flows ----

export function renderFlow(ctx: RenderCtx, f: FlowRec): Record<string, unknown> {
  const bindings = ctx.state.bindings.filter((b) => b.target === f.pk).sort((a, b) => a.order - b.order);
  return {
    ...flowHead(f),
    background_themed_urls: null,
    stages: bindings.map((b) => b.stage),
    policies: [],
    cache_count: 0,
    ...flowTail(f),
    authentication: f.authentication,
  };
}

export function renderBinding(ctx: RenderCtx, b: StandinState['bindings'][number]): Record<string, unknown> {
  const stage = ctx.state.stages.find((s) => s.pk === b.stage);
  return {
    pk: b.pk,
    policybindingmodel_ptr_id: b.pbm_uuid,
    target: b.target,
    stage: b.stage,
    stage_obj: stage ? renderStage(ctx, stage) : null,
    evaluate_on_plan: b.evaluate_on_plan,
    re_evaluate_policies: b.re_evaluate_policies,
    order: b.order,
    policy_engine_mode: b.policy_engine_mode,
    invalid_response_action: b.invalid_response_action,
  };
}

// ---- users ----

export function isSuperuser(ctx: RenderCtx, u: UserRec): boolean {
  return ctx.state.groups.some((g) => g.is_superuser && u.groups.includes(g.pk));
}

export function avatarsSetting(ctx: RenderCtx): string {
  const v = ctx.state.settings['avatars'];
  return typeof v === 'string' ? v : 'gravatar,initials';
}

export interface UserRenderOpts {
  includeGroups?: boolean; // ?include_groups= (default true)
  includeRoles?: boolean; // ?include_roles= (default true)
}

export function renderUser(ctx: RenderCtx, u: UserRec, opts: UserRenderOpts = {}): Record<string, unknown> {
  const includeGroups = opts.includeGroups ?? true;
  const includeRoles = opts.includeRoles ?? true;
  const groups = ctx.state.groups.filter((g) => u.groups.includes(g.pk));
  const roles = ctx.state.roles.filter((r) => u.roles.includes(r.pk));
  const out: Record<string, unknown> = {
    pk: u.pk,
    username: u.username,
    name: u.name,
    is_active: u.is_active,
    last_login: u.last_login,
    date_joined: u.date_joined,
    is_superuser: isSuperuser(ctx, u),
    groups: [...u.groups],
    groups_obj: includeGroups
      ? groups.map((g) => ({
          pk: g.pk,
          num_pk: g.num_pk,
          name: g.name,
          is_superuser: g.is_superuser,
          parent: null,
          parent_name: null,
          attributes: g.attributes,
        }))
      : null,
    email: u.email,
    avatar: avatarFor(u, avatarsSetting(ctx)),
    attributes: u.attributes,
    uid: userUid(u.pk),
    path: u.path,
    type: u.type,
    uuid: u.uuid,
    password_change_date: u.password_change_date,
    last_updated: u.last_updated,
  };
  if (atLeast(ctx.version, '2025.12')) {
    out['roles'] = [...u.roles];
    out['roles_obj'] = includeRoles ? roles.map((r) => ({ pk: r.pk, name: r.name })) : null;
  }
  return out;
}

export function renderUserSelf(ctx: RenderCtx, u: UserRec, systemPermissions: string[]): Record<string, unknown> {
  const settings = u.attributes['settings'];
  const out: Record<string, unknown> = {
    pk: u.pk,
    username: u.username,
    name: u.name,
    is_active: u.is_active,
    is_superuser: isSuperuser(ctx, u),
    groups: ctx.state.groups
      .filter((g) => u.groups.includes(g.pk))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((g) => ({ name: g.name, pk: g.pk })),
    email: u.email,
    avatar: avatarFor(u, avatarsSetting(ctx)),
    uid: userUid(u.pk),
    settings: settings && typeof settings === 'object' && !Array.isArray(settings) ? settings : {},
    type: u.type,
    system_permissions: systemPermissions,
  };
  if (atLeast(ctx.version, '2025.12')) {
    out['roles'] = ctx.state.roles.filter((r) => u.roles.includes(r.pk)).map((r) => ({ name: r.name, pk: r.pk }));
  }
  if (atLeast(ctx.version, '2026.8')) out['is_current'] = true;
  return out;
}
