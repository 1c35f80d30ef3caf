// /flows/instances/ (FlowViewSet: lookup by slug, ordering ["slug", "name"]) and /flows/bindings/
// (FlowStageBindingViewSet, a plain ModelViewSet), with their writes: enough for a test to create a
// flow and bind a prompt stage to it. Model facts (authentik/flows/models.py): Flow.slug is unique;
// FlowStageBinding is unique_together (target, stage, order), so the same order may hold two
// different stages; deleting a flow deletes its bindings (FK CASCADE) and clears brand references
// (SET_NULL); deleting a stage deletes its bindings (routes/stages.ts).
import { badRequest, notFound, type ApiRequest } from '../http.js';
import { newUuid } from '../ids.js';
import { renderBinding, renderFlow } from '../render.js';
import type { BindingRec, FlowRec, StandinVersion } from '../types.js';
import { SLUG_MESSAGE, validateFields, type FieldSpec } from '../validate.js';
import { atLeast } from '../versions.js';
import { bodyObject, crudRoutes, filterExact, findByPk, holderOf, order, save, search, uuidFilter, type HandlerCtx, type Route } from './common.js';

const INT32 = { min: -2147483648, max: 2147483647 };
const POLICY_ENGINE_MODES = ['all', 'any'];

/** Enum values of each version's schema (FlowLayoutEnum, AuthenticationEnum). */
function flowSpec(v: StandinVersion): Record<string, FieldSpec> {
  const layouts = ['stacked', 'content_left', 'content_right', 'sidebar_left', 'sidebar_right'];
  if (atLeast(v, '2026.2')) layouts.push('sidebar_left_frame_background', 'sidebar_right_frame_background');
  const auth = ['none', 'require_authenticated', 'require_unauthenticated', 'require_superuser', 'require_redirect', 'require_outpost'];
  if (atLeast(v, '2026.5')) auth.push('require_token');
  return {
    name: { type: 'string', required: true },
    slug: { type: 'string', required: true },
    title: { type: 'string', required: true },
    designation: {
      type: 'string',
      required: true,
      choices: ['authentication', 'authorization', 'invalidation', 'enrollment', 'unenrollment', 'recovery', 'stage_configuration'],
    },
    policy_engine_mode: { type: 'string', choices: POLICY_ENGINE_MODES },
    compatibility_mode: { type: 'boolean' },
    layout: { type: 'string', choices: layouts },
    denied_action: { type: 'string', choices: ['message_continue', 'message', 'continue'] },
    authentication: { type: 'string', choices: auth },
  };
}

function bindingSpec(ctx: HandlerCtx): Record<string, FieldSpec> {
  return {
    target: { type: 'uuidRef', required: true, exists: (pk) => ctx.state.flows.some((f) => f.pk === pk) },
    // any stage kind (InheritanceForeignKey to Stage)
    stage: { type: 'uuidRef', required: true, exists: (pk) => ctx.state.stages.some((s) => s.pk === pk) },
    evaluate_on_plan: { type: 'boolean' },
    re_evaluate_policies: { type: 'boolean' },
    order: { type: 'integer', required: true, ...INT32 },
    policy_engine_mode: { type: 'string', choices: POLICY_ENGINE_MODES },
    invalid_response_action: { type: 'string', choices: ['retry', 'restart', 'restart_with_context'] },
  };
}

function findFlow(ctx: HandlerCtx, slug: string): FlowRec {
  const f = ctx.state.flows.find((x) => x.slug === slug);
  if (!f) throw notFound('Flow');
  return f;
}

function findBinding(ctx: HandlerCtx, id: string): BindingRec {
  return findByPk(ctx.state.bindings, id, 'FlowStageBinding');
}

function applyFlow(ctx: HandlerCtx, req: ApiRequest, target: FlowRec | null, partial: boolean): FlowRec {
  const data = validateFields(bodyObject(req), flowSpec(ctx.version), partial);
  if (typeof data['slug'] === 'string') {
    // SlugField, then the model's unique=True (DRF UniqueValidator with Django's message)
    if (!/^[-a-zA-Z0-9_]+$/.test(data['slug'])) throw badRequest({ slug: [SLUG_MESSAGE] });
    if (holderOf(ctx.state.flows, (f) => f.slug, data['slug'], target)) throw badRequest({ slug: ['Flow with this slug already exists.'] });
  }
  return save(ctx.state.flows, target, () => ({
    pk: newUuid(),
    pbm_uuid: newUuid(),
    name: '',
    slug: '',
    title: '',
    designation: '',
    layout: 'stacked',
    denied_action: 'message_continue',
    authentication: 'none',
    policy_engine_mode: 'any',
    compatibility_mode: false,
  }), data);
}

function applyBinding(ctx: HandlerCtx, req: ApiRequest, target: BindingRec | null, partial: boolean): BindingRec {
  const data = validateFields(bodyObject(req), bindingSpec(ctx), partial);
  // UniqueTogetherValidator: a partial update fills the missing fields from the instance
  const flow = (data['target'] as string | undefined) ?? target?.target;
  const stage = (data['stage'] as string | undefined) ?? target?.stage;
  const ord = (data['order'] as number | undefined) ?? target?.order;
  if (ctx.state.bindings.some((b) => b !== target && b.target === flow && b.stage === stage && b.order === ord)) {
    throw badRequest({ non_field_errors: ['The fields target, stage, order must make a unique set.'] });
  }
  return save(ctx.state.bindings, target, () => ({
    pk: newUuid(),
    pbm_uuid: newUuid(),
    target: '',
    stage: '',
    order: 0,
    evaluate_on_plan: false,
    re_evaluate_policies: true,
    policy_engine_mode: 'any',
    invalid_response_action: 'retry',
  }), data);
}

export const flowRoutes: Route[] = [
  ...crudRoutes<FlowRec>({
    path: '/flows/instances/',
    lookup: 'slug',
    perm: 'authentik_flows.%s_flow',
    list: (q, ctx) => {
      let flows = ctx.state.flows;
      const flowUuid = uuidFilter(q, 'flow_uuid');
      if (flowUuid) flows = flows.filter((f) => f.pk === flowUuid);
      flows = filterExact(flows, q, {
        slug: (f) => f.slug,
        name: (f) => f.name,
        designation: (f) => f.designation,
        denied_action: (f) => f.denied_action,
      });
      flows = search(flows, q, [(f) => f.name, (f) => f.slug, (f) => f.designation, (f) => f.title]);
      return order(flows, q, { slug: (f) => f.slug, name: (f) => f.name, designation: (f) => f.designation }, 'slug');
    },
    find: findFlow,
    render: (ctx, f) => renderFlow(ctx.render, f),
    write: applyFlow,
    remove: (ctx, f) => {
      ctx.state.flows = ctx.state.flows.filter((x) => x !== f);
      ctx.state.bindings = ctx.state.bindings.filter((b) => b.target !== f.pk);
      const brand = ctx.state.brand as unknown as Record<string, unknown>;
      for (const k of Object.keys(brand)) if (k.startsWith('flow_') && brand[k] === f.pk) brand[k] = null;
    },
  }),
  ...crudRoutes<BindingRec>({
    path: '/flows/bindings/',
    lookup: 'fsb_uuid',
    perm: 'authentik_flows.%s_flowstagebinding',
    list: (q, ctx) => {
      let bindings = ctx.state.bindings;
      for (const [param, get] of [
        ['target', (b: BindingRec) => b.target],
        ['stage', (b: BindingRec) => b.stage],
        ['fsb_uuid', (b: BindingRec) => b.pk],
        ['pbm_uuid', (b: BindingRec) => b.pbm_uuid],
      ] as const) {
        const v = uuidFilter(q, param);
        if (v) bindings = bindings.filter((b) => get(b) === v);
      }
      bindings = filterExact(bindings, q, {
        order: (b) => String(b.order),
        policy_engine_mode: (b) => b.policy_engine_mode,
        invalid_response_action: (b) => b.invalid_response_action,
        evaluate_on_plan: (b) => String(b.evaluate_on_plan),
        re_evaluate_policies: (b) => String(b.re_evaluate_policies),
      });
      const stageName = (pk: string) => ctx.state.stages.find((s) => s.pk === pk)?.name ?? '';
      bindings = search(bindings, q, [(b) => stageName(b.stage)]);
      // FlowStageBindingViewSet.ordering = ["order"]; ties keep the model ordering (target, order)
      return order(bindings, q, { order: (b) => b.order, target: (b) => b.target }, 'order');
    },
    find: findBinding,
    render: (ctx, b) => renderBinding(ctx.render, b),
    write: applyBinding,
    remove: (ctx, b) => {
      ctx.state.bindings = ctx.state.bindings.filter((x) => x !== b);
    },
  }),
];
