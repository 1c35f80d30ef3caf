// /stages/prompt/prompts/ (authentik/stages/prompt/api.py PromptViewSet: ordering ["field_key"],
// filterset/search fields field_key, name, label, type, placeholder).
import { badRequest, type ApiRequest } from '../http.js';
import { newUuid } from '../ids.js';
import { renderPrompt } from '../render.js';
import type { PromptRec, StandinVersion } from '../types.js';
import { atLeast } from '../versions.js';
import { validateFields, type FieldSpec } from '../validate.js';
import { bodyObject, crudRoutes, filterExact, findByPk, holderOf, order, save, search, type HandlerCtx, type Route } from './common.js';

function promptTypes(v: StandinVersion): string[] {
  const types = [
    'text', 'text_area', 'text_read_only', 'text_area_read_only', 'username', 'email', 'password', 'number',
    'checkbox', 'radio-button-group', 'dropdown', 'date', 'date-time', 'file', 'separator', 'hidden', 'static',
  ];
  if (atLeast(v, '2026.2')) types.push('alert_info', 'alert_warning', 'alert_danger');
  types.push('ak-locale');
  return types;
}

function spec(v: StandinVersion): Record<string, FieldSpec> {
  return {
    name: { type: 'string', required: true },
    field_key: { type: 'string', required: true },
    label: { type: 'string', required: true },
    type: { type: 'string', required: true, choices: promptTypes(v) },
    required: { type: 'boolean' },
    placeholder: { type: 'string', allowBlank: true },
    initial_value: { type: 'string', allowBlank: true },
    order: { type: 'integer', min: -2147483648, max: 2147483647 },
    sub_text: { type: 'string', allowBlank: true },
    placeholder_expression: { type: 'boolean' },
    initial_value_expression: { type: 'boolean' },
  };
}

export function findPrompt(ctx: HandlerCtx, id: string): PromptRec {
  return findByPk(ctx.state.prompts, id, 'Prompt');
}

function applyPrompt(ctx: HandlerCtx, req: ApiRequest, target: PromptRec | null, partial: boolean): PromptRec {
  const data = validateFields(bodyObject(req), spec(ctx.version), partial);
  if (holderOf(ctx.state.prompts, (p) => p.name, data['name'], target)) {
    // model-level unique: DRF's get_unique_error_message with Prompt's verbose_name
    throw badRequest({ name: ['Prompt with this name already exists.'] });
  }
  return save(ctx.state.prompts, target, () => ({
    pk: newUuid(),
    name: '',
    field_key: '',
    label: '',
    type: 'text',
    required: true,
    placeholder: '',
    initial_value: '',
    order: 0,
    sub_text: '',
    placeholder_expression: false,
    initial_value_expression: false,
  }), data);
}

export const promptRoutes: Route[] = crudRoutes<PromptRec>({
  path: '/stages/prompt/prompts/',
  lookup: 'prompt_uuid',
  perm: 'authentik_stages_prompt.%s_prompt',
  list: (q, ctx) => {
    let items = filterExact(ctx.state.prompts, q, {
      field_key: (p) => p.field_key,
      name: (p) => p.name,
      label: (p) => p.label,
      type: (p) => p.type,
      placeholder: (p) => p.placeholder,
    });
    items = search(items, q, [(p) => p.field_key, (p) => p.name, (p) => p.label, (p) => p.type, (p) => p.placeholder]);
    return order(items, q, { field_key: (p) => p.field_key, name: (p) => p.name, order: (p) => p.order }, 'field_key');
  },
  find: findPrompt,
  render: (ctx, p) => renderPrompt(ctx.render, p),
  write: applyPrompt,
  remove: (ctx, p) => {
    ctx.state.prompts = ctx.state.prompts.filter((x) => x !== p);
    // the M2M rows go with it
    for (const s of ctx.state.stages) if (s.fields) s.fields = s.fields.filter((pk) => pk !== p.pk);
  },
});
