// /stages/prompt/stages/ (PromptStageViewSet: filterset "__all__", ordering ["name"], search name).
// `fields` and `validation_policies` are M2M uuid lists: a PATCH that sends them REPLACES them whole.
import { badRequest, type ApiRequest } from '../http.js';
import { canonicalUuid, newUuid } from '../ids.js';
import { renderPromptStage } from '../render.js';
import type { StageRec } from '../types.js';
import { validateFields, type FieldSpec } from '../validate.js';
import { bodyObject, crudRoutes, filterExact, findByPk, holderOf, order, save, search, type HandlerCtx, type Route } from './common.js';

function spec(ctx: HandlerCtx): Record<string, FieldSpec> {
  return {
    name: { type: 'string', required: true },
    // PromptStage.fields has no blank=True -> DRF ManyRelatedField(allow_empty=False)
    fields: { type: 'uuidList', required: true, allowEmpty: false, exists: (pk) => ctx.state.prompts.some((p) => p.pk === pk) },
    validation_policies: { type: 'uuidList', exists: (pk) => ctx.state.policies.some((p) => p.pk === pk) },
  };
}

const promptStages = (ctx: HandlerCtx): StageRec[] => ctx.state.stages.filter((s) => s.kind === 'prompt');

function findStage(ctx: HandlerCtx, id: string): StageRec {
  return findByPk(promptStages(ctx), id, 'PromptStage');
}

function applyStage(ctx: HandlerCtx, req: ApiRequest, target: StageRec | null, partial: boolean): StageRec {
  const data = validateFields(bodyObject(req), spec(ctx), partial);
  // Stage names are unique across all stage types; PromptStageSerializer declares
  // name = CharField(validators=[UniqueValidator(queryset=PromptStage.objects.all())]) -> DRF's default text
  const clash = holderOf(ctx.state.stages, (s) => s.name, data['name'], target);
  if (clash) throw badRequest({ name: [clash.kind === 'prompt' ? 'This field must be unique.' : 'stage with this name already exists.'] });
  // the M2M lists hold each pk once
  const unique = (key: 'fields' | 'validation_policies') => (Array.isArray(data[key]) ? { [key]: [...new Set(data[key] as string[])] } : {});
  const changes = { ...(typeof data['name'] === 'string' ? { name: data['name'] } : {}), ...unique('fields'), ...unique('validation_policies') };
  return save(ctx.state.stages, target, () => ({ pk: newUuid(), name: '', kind: 'prompt', fields: [], validation_policies: [] }), changes);
}

export const stageRoutes: Route[] = crudRoutes<StageRec>({
  path: '/stages/prompt/stages/',
  lookup: 'stage_uuid',
  perm: 'authentik_stages_prompt.%s_promptstage',
  list: (q, ctx) => {
    let items = filterExact(promptStages(ctx), q, { name: (s) => s.name });
    for (const [param, get] of [
      ['stage_uuid', (s: StageRec) => [s.pk]],
      ['fields', (s: StageRec) => s.fields ?? []],
      ['validation_policies', (s: StageRec) => s.validation_policies ?? []],
    ] as const) {
      const raw = q.getAll(param).filter(Boolean);
      if (!raw.length) continue;
      const wanted = raw.map((r) => canonicalUuid(r));
      if (wanted.some((w) => w === null)) throw badRequest({ [param]: ['Enter a valid UUID.'] });
      items = items.filter((s) => wanted.some((w) => get(s).includes(w as string)));
    }
    items = search(items, q, [(s) => s.name]);
    return order(items, q, { name: (s) => s.name }, 'name');
  },
  find: findStage,
  render: (ctx, s) => renderPromptStage(ctx.render, s),
  write: applyStage,
  remove: (ctx, s) => {
    ctx.state.stages = ctx.state.stages.filter((x) => x !== s);
    ctx.state.bindings = ctx.state.bindings.filter((b) => b.stage !== s.pk); // FK on_delete=CASCADE
  },
});
