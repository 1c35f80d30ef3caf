// /policies/expression/ (ExpressionPolicyViewSet: filterset "__all__", ordering ["name"], search name)
// and POST /policies/all/{policy_uuid}/test/ (PolicyViewSet.test).
import { badRequest, forbidden, ok, type ApiRequest } from '../http.js';
import { newUuid } from '../ids.js';
import { isSuperuser, renderPolicy } from '../render.js';
import type { PolicyRec } from '../types.js';
import { DRF, validateFields, type FieldSpec } from '../validate.js';
import { bodyObject, boolParam, crudRoutes, filterExact, findByPk, holderOf, nowIso, order, perms, save, search, uuidFilter, type HandlerCtx, type Route } from './common.js';

const SPEC: Record<string, FieldSpec> = {
  name: { type: 'string', required: true },
  execution_logging: { type: 'boolean' },
  expression: { type: 'string', required: true },
};

function findPolicy(ctx: HandlerCtx, id: string, objectName = 'ExpressionPolicy'): PolicyRec {
  return findByPk(ctx.state.policies, id, objectName);
}

async function applyPolicy(ctx: HandlerCtx, req: ApiRequest, target: PolicyRec | null, partial: boolean): Promise<PolicyRec> {
  const data = validateFields(bodyObject(req), SPEC, partial);
  const errors: Record<string, string[]> = {};
  // Policy.name is unique across ALL policy types; the field lives on Policy (verbose_name "Policy")
  if (holderOf(ctx.state.policies, (p) => p.name, data['name'], target)) errors['name'] = ['Policy with this name already exists.'];
  if (typeof data['expression'] === 'string') {
    // ExpressionPolicySerializer.validate_expression: PolicyEvaluator(name).validate(expr)
    const filename = target ? target.name : 'temp-policy';
    const err = await ctx.python.syntaxError(data['expression'], filename);
    if (err) errors['expression'] = [err];
  }
  if (Object.keys(errors).length) throw badRequest(errors);
  const now = nowIso();
  const fresh = (): PolicyRec => ({ pk: newUuid(), name: '', kind: 'expression', execution_logging: false, expression: '', created: now, last_updated: now });
  const p = save(ctx.state.policies, target, fresh, data);
  p.last_updated = now;
  return p;
}

export const policyRoutes: Route[] = [
  ...crudRoutes<PolicyRec>({
    path: '/policies/expression/',
    lookup: 'policy_uuid',
    perm: 'authentik_policies_expression.%s_expressionpolicy',
    list: (q, ctx) => {
      let items = filterExact(ctx.state.policies, q, { name: (p) => p.name, expression: (p) => p.expression });
      const uuid = uuidFilter(q, 'policy_uuid');
      if (uuid) items = items.filter((p) => p.pk === uuid);
      if (q.get('execution_logging')) items = items.filter((p) => p.execution_logging === boolParam(q, 'execution_logging', false));
      items = search(items, q, [(p) => p.name]);
      return order(items, q, { name: (p) => p.name, created: (p) => p.created }, 'name');
    },
    find: (ctx, id) => findPolicy(ctx, id),
    render: (ctx, p) => renderPolicy(ctx.render, p),
    write: applyPolicy,
    remove: (ctx, p) => {
      ctx.state.policies = ctx.state.policies.filter((x) => x !== p);
      for (const s of ctx.state.stages) if (s.validation_policies) s.validation_policies = s.validation_policies.filter((pk) => pk !== p.pk);
    },
  }),
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
