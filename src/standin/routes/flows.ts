// /flows/instances/ (FlowViewSet: lookup by slug, ordering ["slug", "name"]) and /flows/bindings/
// (FlowStageBindingViewSet, a plain ModelViewSet), with their writes: enough for a test to create a
// flow and bind a prompt stage to it. Model facts (authentik/flows/models.py): Flow.slug is unique;
// FlowStageBinding is unique_together (target, stage, order), so the same order may hold two
// different stages; deleting a flow deletes its bindings (FK CASCADE) and clears brand references
// (SET_NULL); deleting a stage deletes its bindings (routes/stages.ts).
import { badRequest, noContent, notFound, ok, type ApiRequest } from '../http.js';
import { canonicalUuid, newUuid } from '../ids.js';
import { paginate } from '../pagination.js';
import { renderBinding, renderFlow } from '../render.js';
import type { BindingRec, FlowRec, StandinVersion } from '../types.js';
import { SLUG_MESSAGE, validateFields, type FieldSpec } from '../validate.js';
import { atLeast } from '../versions.js';
import { bodyObject, filterExact, order, perms, search, type HandlerCtx, type Route } from './common.js';

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
  const pk = canonicalUuid(id);
  const b = pk ? ctx.state.bindings.find((x) => x.pk === pk) : undefined;
  if (!b) throw notFound('FlowStageBinding');
  return b;
}

function applyFlow(ctx: HandlerCtx, req: ApiRequest, target: FlowRec | null, partial: boolean): FlowRec {
  const data = validateFields(bodyObject(req), flowSpec(ctx.version), partial);
  if (typeof data['slug'] === 'string') {
    // SlugField, then the model's unique=True (DRF UniqueValidator with Django's message)
    if (!/^[-a-zA-Z0-9_]+$/.test(data['slug'])) throw badRequest({ slug: [SLUG_MESSAGE] });
    if (ctx.state.flows.some((f) => f.slug === data['slug'] && f !== target)) throw badRequest({ slug: ['Flow with this slug already exists.'] });
  }
  const f: FlowRec = target ?? {
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
  };
  Object.assign(f, data);
  if (!target) ctx.state.flows.push(f);
  return f;
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
  const b: BindingRec = target ?? {
    pk: newUuid(),
    pbm_uuid: newUuid(),
    target: '',
    stage: '',
    order: 0,
    evaluate_on_plan: false,
    re_evaluate_policies: true,
    policy_engine_mode: 'any',
    invalid_response_action: 'retry',
  };
  Object.assign(b, data);
  if (!target) ctx.state.bindings.push(b);
  return b;
}

/** UUID filters compare canonical forms; a malformed value is django-filter's 400. */
function uuidFilter(query: URLSearchParams, name: string): string | null {
  const raw = query.get(name);
  if (!raw) return null;
  const canon = canonicalUuid(raw);
  if (!canon) throw badRequest({ [name]: ['Enter a valid UUID.'] });
  return canon;
}

export const flowRoutes: Route[] = [
  {
    method: 'GET',
    template: '/flows/instances/',
    access: perms('authentik_flows.view_flow'),
    handler: (req, ctx) => {
      const q = req.query;
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
      flows = order(flows, q, { slug: (f) => f.slug, name: (f) => f.name, designation: (f) => f.designation }, 'slug');
      return ok(paginate(flows, q, ctx.page, (f) => renderFlow(ctx.render, f)));
    },
  },
  {
    method: 'GET',
    template: '/flows/instances/{slug}/',
    access: perms('authentik_flows.view_flow'),
    handler: (req, ctx) => ok(renderFlow(ctx.render, findFlow(ctx, req.params['slug'] ?? ''))),
  },
  {
    method: 'POST',
    template: '/flows/instances/',
    access: perms('authentik_flows.add_flow'),
    handler: (req, ctx) => ok(renderFlow(ctx.render, applyFlow(ctx, req, null, false)), 201),
  },
  {
    method: 'PATCH',
    template: '/flows/instances/{slug}/',
    access: perms('authentik_flows.change_flow'),
    handler: (req, ctx) => ok(renderFlow(ctx.render, applyFlow(ctx, req, findFlow(ctx, req.params['slug'] ?? ''), true))),
  },
  {
    method: 'PUT',
    template: '/flows/instances/{slug}/',
    access: perms('authentik_flows.change_flow'),
    handler: (req, ctx) => ok(renderFlow(ctx.render, applyFlow(ctx, req, findFlow(ctx, req.params['slug'] ?? ''), false))),
  },
  {
    method: 'DELETE',
    template: '/flows/instances/{slug}/',
    access: perms('authentik_flows.delete_flow'),
    handler: (req, ctx) => {
      const f = findFlow(ctx, req.params['slug'] ?? '');
      ctx.state.flows = ctx.state.flows.filter((x) => x !== f);
      ctx.state.bindings = ctx.state.bindings.filter((b) => b.target !== f.pk);
      const brand = ctx.state.brand as unknown as Record<string, unknown>;
      for (const k of Object.keys(brand)) if (k.startsWith('flow_') && brand[k] === f.pk) brand[k] = null;
      return noContent();
    },
  },
  {
    method: 'GET',
    template: '/flows/bindings/',
    access: perms('authentik_flows.view_flowstagebinding'),
    handler: (req, ctx) => {
      const q = req.query;
      let bindings = ctx.state.bindings;
      for (const [param, get] of [
        ['target', (b: (typeof bindings)[number]) => b.target],
        ['stage', (b: (typeof bindings)[number]) => b.stage],
        ['fsb_uuid', (b: (typeof bindings)[number]) => b.pk],
        ['pbm_uuid', (b: (typeof bindings)[number]) => b.pbm_uuid],
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
      bindings = order(bindings, q, { order: (b) => b.order, target: (b) => b.target }, 'order');
      return ok(paginate(bindings, q, ctx.page, (b) => renderBinding(ctx.render, b)));
    },
  },
  {
    method: 'POST',
    template: '/flows/bindings/',
    access: perms('authentik_flows.add_flowstagebinding'),
    handler: (req, ctx) => ok(renderBinding(ctx.render, applyBinding(ctx, req, null, false)), 201),
  },
  {
    method: 'GET',
    template: '/flows/bindings/{fsb_uuid}/',
    access: perms('authentik_flows.view_flowstagebinding'),
    handler: (req, ctx) => ok(renderBinding(ctx.render, findBinding(ctx, req.params['fsb_uuid'] ?? ''))),
  },
  {
    method: 'PATCH',
    template: '/flows/bindings/{fsb_uuid}/',
    access: perms('authentik_flows.change_flowstagebinding'),
    handler: (req, ctx) => ok(renderBinding(ctx.render, applyBinding(ctx, req, findBinding(ctx, req.params['fsb_uuid'] ?? ''), true))),
  },
  {
    method: 'PUT',
    template: '/flows/bindings/{fsb_uuid}/',
    access: perms('authentik_flows.change_flowstagebinding'),
    handler: (req, ctx) => ok(renderBinding(ctx.render, applyBinding(ctx, req, findBinding(ctx, req.params['fsb_uuid'] ?? ''), false))),
  },
  {
    method: 'DELETE',
    template: '/flows/bindings/{fsb_uuid}/',
    access: perms('authentik_flows.delete_flowstagebinding'),
    handler: (req, ctx) => {
      const b = findBinding(ctx, req.params['fsb_uuid'] ?? '');
      ctx.state.bindings = ctx.state.bindings.filter((x) => x !== b);
      return noContent();
    },
  },
];
