// /stages/prompt/stages/ (PromptStageViewSet: filterset "__all__", ordering ["name"], search name).
// `fields` and `validation_policies` are M2M uuid lists: a PATCH that sends them REPLACES them whole.
import { badRequest, noContent, notFound, ok, type ApiRequest } from '../http.js';
import { canonicalUuid, newUuid } from '../ids.js';
import { paginate } from '../pagination.js';
import { renderPromptStage } from '../render.js';
import type { StageRec } from '../types.js';
import { validateFields, type FieldSpec } from '../validate.js';
import { bodyObject, filterExact, order, perms, search, type HandlerCtx, type Route } from './common.js';

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
  const pk = canonicalUuid(id);
  const s = pk ? promptStages(ctx).find((x) => x.pk === pk) : undefined;
  if (!s) throw notFound('PromptStage');
  return s;
}

function applyStage(ctx: HandlerCtx, req: ApiRequest, target: StageRec | null, partial: boolean): StageRec {
  const data = validateFields(bodyObject(req), spec(ctx), partial);
  // Stage names are unique across all stage types; PromptStageSerializer declares
  // name = CharField(validators=[UniqueValidator(queryset=PromptStage.objects.all())]) -> DRF's default text
  if (typeof data['name'] === 'string') {
    const clash = ctx.state.stages.find((s) => s.name === data['name'] && s !== target);
    if (clash) throw badRequest({ name: [clash.kind === 'prompt' ? 'This field must be unique.' : 'stage with this name already exists.'] });
  }
  const s: StageRec = target ?? { pk: newUuid(), name: '', kind: 'prompt', fields: [], validation_policies: [] };
  if (typeof data['name'] === 'string') s.name = data['name'];
  if (Array.isArray(data['fields'])) s.fields = [...new Set(data['fields'] as string[])];
  if (Array.isArray(data['validation_policies'])) s.validation_policies = [...new Set(data['validation_policies'] as string[])];
  if (!target) ctx.state.stages.push(s);
  return s;
}

export const stageRoutes: Route[] = [
  {
    method: 'GET',
    template: '/stages/prompt/stages/',
    access: perms('authentik_stages_prompt.view_promptstage'),
    handler: (req, ctx) => {
      const q = req.query;
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
      items = order(items, q, { name: (s) => s.name }, 'name');
      return ok(paginate(items, q, ctx.page, (s) => renderPromptStage(ctx.render, s)));
    },
  },
  {
    method: 'POST',
    template: '/stages/prompt/stages/',
    access: perms('authentik_stages_prompt.add_promptstage'),
    handler: (req, ctx) => ok(renderPromptStage(ctx.render, applyStage(ctx, req, null, false)), 201),
  },
  {
    method: 'GET',
    template: '/stages/prompt/stages/{stage_uuid}/',
    access: perms('authentik_stages_prompt.view_promptstage'),
    handler: (req, ctx) => ok(renderPromptStage(ctx.render, findStage(ctx, req.params['stage_uuid'] ?? ''))),
  },
  {
    method: 'PATCH',
    template: '/stages/prompt/stages/{stage_uuid}/',
    access: perms('authentik_stages_prompt.change_promptstage'),
    handler: (req, ctx) => ok(renderPromptStage(ctx.render, applyStage(ctx, req, findStage(ctx, req.params['stage_uuid'] ?? ''), true))),
  },
  {
    method: 'PUT',
    template: '/stages/prompt/stages/{stage_uuid}/',
    access: perms('authentik_stages_prompt.change_promptstage'),
    handler: (req, ctx) => ok(renderPromptStage(ctx.render, applyStage(ctx, req, findStage(ctx, req.params['stage_uuid'] ?? ''), false))),
  },
  {
    method: 'DELETE',
    template: '/stages/prompt/stages/{stage_uuid}/',
    access: perms('authentik_stages_prompt.delete_promptstage'),
    handler: (req, ctx) => {
      const s = findStage(ctx, req.params['stage_uuid'] ?? '');
      ctx.state.stages = ctx.state.stages.filter((x) => x !== s);
      ctx.state.bindings = ctx.state.bindings.filter((b) => b.stage !== s.pk); // FK on_delete=CASCADE
      return noContent();
    },
  },
];
