// /policies/expression/ (ExpressionPolicyViewSet: filterset "__all__", ordering ["name"], search name)
// and POST /policies/all/{policy_uuid}/test/ (PolicyViewSet.test).
import { badRequest, forbidden, noContent, notFound, ok, type ApiRequest } from '../http.js';
import { canonicalUuid, newUuid } from '../ids.js';
import { paginate } from '../pagination.js';
import { isSuperuser, renderPolicy } from '../render.js';
import type { PolicyRec } from '../types.js';
import { DRF, validateFields, type FieldSpec } from '../validate.js';
import { bodyObject, boolParam, filterExact, nowIso, order, perms, search, type HandlerCtx, type Route } from './common.js';

const SPEC: Record<string, FieldSpec> = {
  name: { type: 'string', required: true },
  execution_logging: { type: 'boolean' },
  expression: { type: 'string', required: true },
};

function findPolicy(ctx: HandlerCtx, id: string, objectName = 'ExpressionPolicy'): PolicyRec {
  const pk = canonicalUuid(id);
  const p = pk ? ctx.state.policies.find((x) => x.pk === pk) : undefined;
  if (!p) throw notFound(objectName);
  return p;
}

async function applyPolicy(ctx: HandlerCtx, req: ApiRequest, target: PolicyRec | null, partial: boolean): Promise<PolicyRec> {
  const data = validateFields(bodyObject(req), SPEC, partial);
  const errors: Record<string, string[]> = {};
  // Policy.name is unique across ALL policy types; the field lives on Policy (verbose_name "Policy")
  if (typeof data['name'] === 'string' && ctx.state.policies.some((p) => p.name === data['name'] && p !== target)) {
    errors['name'] = ['Policy with this name already exists.'];
  }
  if (typeof data['expression'] === 'string') {
    // ExpressionPolicySerializer.validate_expression: PolicyEvaluator(name).validate(expr)
    const filename = target ? target.name : 'temp-policy';
    const err = await ctx.python.syntaxError(data['expression'], filename);
    if (err) errors['expression'] = [err];
  }
  if (Object.keys(errors).length) throw badRequest(errors);
  const now = nowIso();
  const p: PolicyRec = target ?? { pk: newUuid(), name: '', kind: 'expression', execution_logging: false, expression: '', created: now, last_updated: now };
  Object.assign(p, data);
  p.last_updated = now;
  if (!target) ctx.state.policies.push(p);
  return p;
}

export const policyRoutes: Route[] = [
  {
    method: 'GET',
    template: '/policies/expression/',
    access: perms('authentik_policies_expression.view_expressionpolicy'),
    handler: (req, ctx) => {
      const q = req.query;
      let items = filterExact(ctx.state.policies, q, { name: (p) => p.name, expression: (p) => p.expression });
      const uuid = q.get('policy_uuid');
      if (uuid) {
        const canon = canonicalUuid(uuid);
        if (!canon) throw badRequest({ policy_uuid: ['Enter a valid UUID.'] });
        items = items.filter((p) => p.pk === canon);
      }
      if (q.get('execution_logging')) items = items.filter((p) => p.execution_logging === boolParam(q, 'execution_logging', false));
      items = search(items, q, [(p) => p.name]);
      items = order(items, q, { name: (p) => p.name, created: (p) => p.created }, 'name');
      return ok(paginate(items, q, ctx.page, (p) => renderPolicy(ctx.render, p)));
    },
  },
  {
    method: 'POST',
    template: '/policies/expression/',
    access: perms('authentik_policies_expression.add_expressionpolicy'),
    handler: async (req, ctx) => ok(renderPolicy(ctx.render, await applyPolicy(ctx, req, null, false)), 201),
  },
  {
    method: 'GET',
    template: '/policies/expression/{policy_uuid}/',
    access: perms('authentik_policies_expression.view_expressionpolicy'),
    handler: (req, ctx) => ok(renderPolicy(ctx.render, findPolicy(ctx, req.params['policy_uuid'] ?? ''))),
  },
  {
    method: 'PATCH',
    template: '/policies/expression/{policy_uuid}/',
    access: perms('authentik_policies_expression.change_expressionpolicy'),
    handler: async (req, ctx) =>
      ok(renderPolicy(ctx.render, await applyPolicy(ctx, req, findPolicy(ctx, req.params['policy_uuid'] ?? ''), true))),
  },
  {
    method: 'PUT',
    template: '/policies/expression/{policy_uuid}/',
    access: perms('authentik_policies_expression.change_expressionpolicy'),
    handler: async (req, ctx) =>
      ok(renderPolicy(ctx.render, await applyPolicy(ctx, req, findPolicy(ctx, req.params['policy_uuid'] ?? ''), false))),
  },
  {
    method: 'DELETE',
    template: '/policies/expression/{policy_uuid}/',
    access: perms('authentik_policies_expression.delete_expressionpolicy'),
    handler: (req, ctx) => {
      const p = findPolicy(ctx, req.params['policy_uuid'] ?? '');
      ctx.state.policies = ctx.state.policies.filter((x) => x !== p);
      for (const s of ctx.state.stages) if (s.validation_policies) s.validation_policies = s.validation_policies.filter((pk) => pk !== p.pk);
      return noContent();
    },
  },
  {
    method: 'POST',
    template: '/policies/all/{policy_uuid}/test/',
    access: perms('authentik_policies.view_policy'),
    handler: async (req, ctx) => {
      const policy = findPolicy(ctx, req.params['policy_uuid'] ?? '', 'Policy');
      const body = bodyObject(req);
      const data = validateFields(body, { user: { type: 'integer', required: true }, context: { type: 'dict' } }, false);
      const target = ctx.state.users.find((u) => u.pk === data['user']);
      if (!target) throw badRequest({ user: [DRF.pkMissing(body['user'])] });
      // "only allow policy testing for users that are readable"
      const p = req.principal;
      if (!p || (!p.superuser && !p.permissions.has('authentik_core.view_user'))) throw forbidden();
      const user = {
        pk: target.pk,
        username: target.username,
        name: target.name,
        email: target.email,
        is_active: target.is_active,
        is_superuser: isSuperuser(ctx.render, target),
        groups: ctx.state.groups.filter((g) => target.groups.includes(g.pk)).map((g) => g.name),
        attributes: structuredClone(target.attributes),
        uuid: target.uuid,
        type: target.type,
        path: target.path,
      };
      const result = await ctx.python.test(policy.expression, user, (data['context'] as Record<string, unknown> | undefined) ?? {});
      return ok(result);
    },
  },
];
