// /core/object_attributes/ (authentik 2026.8, authentik/core/api/object_attributes.py
// ObjectAttributeViewSet: filterset object_type__model, object_type__app_label, enabled;
// search key, label, group, model, app_label; ordering ["key"]). The stand-in keeps the
// definitions; user writes are checked against them in ../attributes.ts. Older versions do not
// route this path (the schema, or pathExists() without it, answers the 404 page).
import { ATTRIBUTE_MODELS } from '../attributes.js';
import { badRequest, type ApiRequest } from '../http.js';
import { newUuid } from '../ids.js';
import type { ObjectAttributeRec } from '../types.js';
import { DRF, validateFields, type FieldSpec } from '../validate.js';
import { bodyObject, boolParam, crudRoutes, filterExact, findByPk, holderOf, nowIso, order, save, search, type HandlerCtx, type Route } from './common.js';

const SPEC: Record<string, FieldSpec> = {
  object_type: { type: 'string', required: true },
  enabled: { type: 'boolean' },
  key: { type: 'string', required: true },
  label: { type: 'string', required: true },
  regex: { type: 'string', allowBlank: true },
  type: { type: 'string', required: true, choices: ['text', 'number', 'boolean'] },
  group: { type: 'string', allowBlank: true },
  is_unique: { type: 'boolean' },
  is_required: { type: 'boolean' },
};

const split = (fqm: string): [string, string] => {
  const i = fqm.indexOf('.');
  return i < 0 ? [fqm, ''] : [fqm.slice(0, i), fqm.slice(i + 1)];
};

function render(a: ObjectAttributeRec): Record<string, unknown> {
  const [appLabel, model] = split(a.object_type);
  const ct = ATTRIBUTE_MODELS[a.object_type];
  return {
    pk: a.pk,
    object_type: a.object_type,
    object_type_obj: {
      id: ct?.id ?? 0,
      app_label: appLabel,
      model,
      verbose_name_plural: ct?.verbose_name_plural ?? model,
      fully_qualified_model: a.object_type,
    },
    enabled: a.enabled,
    created: a.created,
    key: a.key,
    label: a.label,
    last_updated: a.last_updated,
    regex: a.regex,
    type: a.type,
    group: a.group,
    managed: a.managed,
    is_unique: a.is_unique,
    is_required: a.is_required,
  };
}

function find(ctx: HandlerCtx, id: string): ObjectAttributeRec {
  return findByPk(ctx.state.object_attributes, id, 'ObjectAttribute');
}

function apply(ctx: HandlerCtx, req: ApiRequest, target: ObjectAttributeRec | null, partial: boolean): ObjectAttributeRec {
  const body = bodyObject(req);
  // `managed` is the one nullable field (ManagedModel.managed, unique)
  const { managed, ...rest } = body;
  const data = validateFields(rest, SPEC, partial);
  const errors: Record<string, string[]> = {};
  if ('managed' in body && managed !== null && typeof managed !== 'string') errors['managed'] = [DRF.string];
  else if (typeof managed === 'string' && holderOf(ctx.state.object_attributes, (a) => a.managed, managed, target)) {
    errors['managed'] = ['Object Attribute with this Managed by authentik already exists.'];
  }
  // validate_object_type(): an existing ContentType whose model has AttributesMixin
  if (typeof data['object_type'] === 'string' && !ATTRIBUTE_MODELS[data['object_type']]) errors['object_type'] = ['Invalid object type'];
  if (Object.keys(errors).length) throw badRequest(errors);

  // unique_together (object_type, key, enabled): DRF's UniqueTogetherValidator, missing fields
  // taken from the instance (partial update) or the model default (enabled=True)
  const merged = {
    object_type: (data['object_type'] as string | undefined) ?? target?.object_type,
    key: (data['key'] as string | undefined) ?? target?.key,
    enabled: (data['enabled'] as boolean | undefined) ?? target?.enabled ?? true,
  };
  const clash = ctx.state.object_attributes.some(
    (a) => a !== target && a.object_type === merged.object_type && a.key === merged.key && a.enabled === merged.enabled,
  );
  if (clash) throw badRequest({ non_field_errors: ['The fields object_type, key, enabled must make a unique set.'] });

  const now = nowIso();
  const fresh = (): ObjectAttributeRec => ({
    pk: newUuid(),
    object_type: '',
    enabled: true,
    key: '',
    label: '',
    group: '',
    type: 'text',
    regex: '',
    is_unique: false,
    is_required: false,
    managed: null,
    created: now,
    last_updated: now,
  });
  const a = save(ctx.state.object_attributes, target, fresh, data);
  if ('managed' in body) a.managed = managed as string | null;
  a.last_updated = now;
  return a;
}

export const objectAttributeRoutes: Route[] = crudRoutes<ObjectAttributeRec>({
  path: '/core/object_attributes/',
  lookup: 'attribute_id',
  perm: 'authentik_core.%s_objectattribute',
  list: (q, ctx) => {
    let items = filterExact(ctx.state.object_attributes, q, {
      object_type__app_label: (a) => split(a.object_type)[0],
      object_type__model: (a) => split(a.object_type)[1],
    });
    if (q.get('enabled')) items = items.filter((a) => a.enabled === boolParam(q, 'enabled', true));
    items = search(items, q, [(a) => a.key, (a) => a.label, (a) => a.group, (a) => split(a.object_type)[1], (a) => split(a.object_type)[0]]);
    return order(items, q, { key: (a) => a.key, label: (a) => a.label }, 'key');
  },
  find,
  render: (_ctx, a) => render(a),
  write: apply,
  remove: (ctx, a) => {
    ctx.state.object_attributes = ctx.state.object_attributes.filter((x) => x !== a);
  },
});
