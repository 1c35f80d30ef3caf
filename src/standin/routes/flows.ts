// /flows/instances/ (lookup by slug) and /flows/bindings/ (read-only in the stand-in: the CLI
// only reads flows and bindings; writes answer 405 through the router).
import { badRequest, notFound, ok } from '../http.js';
import { canonicalUuid } from '../ids.js';
import { paginate } from '../pagination.js';
import { renderBinding, renderFlow } from '../render.js';
import { filterExact, order, perms, search, type Route } from './common.js';

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
    handler: (req, ctx) => {
      const f = ctx.state.flows.find((x) => x.slug === req.params['slug']);
      if (!f) throw notFound('Flow');
      return ok(renderFlow(ctx.render, f));
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
];
