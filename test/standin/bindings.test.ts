// Flow and binding writes: a test can create a flow and bind a prompt stage to it.
// FlowStageBinding is unique_together (target, stage, order) (authentik/flows/models.py).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startStandin, type Standin, type StandinStateJson } from '../../src/standin/index.js';
import { api, getAll } from './helpers.js';

describe.each(['2025.10', '2026.8'] as const)('flows and bindings on %s', (version) => {
  let s: Standin;
  let seed: StandinStateJson;
  beforeAll(async () => {
    s = await startStandin({ version, pageSize: 2, maxPageSize: 2 });
    seed = s.dump();
  });
  beforeEach(() => {
    s.load(seed);
    s.violations.length = 0;
  });
  afterAll(() => s.close());

  const newFlow = (slug: string) =>
    api(s, 'POST', 'flows/instances/', { body: { name: 'Avatar settings', slug, title: 'Change your avatar', designation: 'stage_configuration' } });
  const newStage = async (name: string) => {
    const prompt = await api(s, 'POST', 'stages/prompt/prompts/', {
      body: { name: `${name}-field`, field_key: 'attributes.avatar', label: 'Avatar', type: 'file', required: false },
    });
    return (await api(s, 'POST', 'stages/prompt/stages/', { body: { name, fields: [prompt.body.pk] } })).body;
  };

  it('binds a prompt stage to a new flow', async () => {
    const flow = await newFlow('avatar-settings');
    expect(flow.status).toBe(201);
    expect(flow.body).toMatchObject({ slug: 'avatar-settings', designation: 'stage_configuration', layout: 'stacked', stages: [] });
    const stage = await newStage('avatar-prompt');
    const b = await api(s, 'POST', 'flows/bindings/', { body: { target: flow.body.pk, stage: stage.pk, order: 10 } });
    expect(b.status).toBe(201);
    expect(b.body).toMatchObject({
      target: flow.body.pk,
      stage: stage.pk,
      order: 10,
      evaluate_on_plan: false,
      re_evaluate_policies: true,
      policy_engine_mode: 'any',
      invalid_response_action: 'retry',
      stage_obj: { name: 'avatar-prompt', meta_model_name: 'authentik_stages_prompt.promptstage' },
    });
    const { items } = await getAll(s, `flows/bindings/?target=${flow.body.pk}`);
    expect(items.map((x: any) => x.pk)).toEqual([b.body.pk]);
    expect((await api(s, 'GET', `flows/bindings/${b.body.pk}/`)).body).toEqual(b.body);
    expect((await api(s, 'GET', 'flows/instances/avatar-settings/')).body.stages).toEqual([stage.pk]);
    const stageNow = (await api(s, 'GET', `stages/prompt/stages/${stage.pk}/`)).body;
    expect(stageNow.flow_set.map((f: any) => f.slug)).toEqual(['avatar-settings']);
    expect(s.violations).toEqual([]);
  });

  it('unique together (target, stage, order): the same order may hold another stage', async () => {
    const flow = (await newFlow('f1')).body;
    const a = await newStage('stage-a');
    const bStage = await newStage('stage-b');
    const first = await api(s, 'POST', 'flows/bindings/', { body: { target: flow.pk, stage: a.pk, order: 10 } });
    expect(first.status).toBe(201);
    const dup = await api(s, 'POST', 'flows/bindings/', { body: { target: flow.pk, stage: a.pk, order: 10 } });
    expect([dup.status, dup.body]).toEqual([400, { non_field_errors: ['The fields target, stage, order must make a unique set.'] }]);
    expect((await api(s, 'POST', 'flows/bindings/', { body: { target: flow.pk, stage: bStage.pk, order: 10 } })).status).toBe(201);
    expect((await api(s, 'POST', 'flows/bindings/', { body: { target: flow.pk, stage: a.pk, order: 20 } })).status).toBe(201);
    // a partial update that would collide takes the missing fields from the binding
    const moved = await api(s, 'PATCH', `flows/bindings/${first.body.pk}/`, { body: { order: 20 } });
    expect(moved.body).toEqual({ non_field_errors: ['The fields target, stage, order must make a unique set.'] });
    const ok = await api(s, 'PATCH', `flows/bindings/${first.body.pk}/`, { body: { order: 30, evaluate_on_plan: true } });
    expect(ok.body).toMatchObject({ order: 30, evaluate_on_plan: true, stage: a.pk });
    expect(s.violations).toEqual([]);
  });

  it('refuses bad references and bodies with DRF messages', async () => {
    const flow = (await newFlow('f2')).body;
    const missing = '00000000-0000-4000-8000-000000000000';
    const r = await api(s, 'POST', 'flows/bindings/', { body: { target: flow.pk, stage: missing, order: 1 } });
    expect([r.status, r.body]).toEqual([400, { stage: [`Invalid pk "${missing}" - object does not exist.`] }]);
    const noOrder = await api(s, 'POST', 'flows/bindings/', { body: { target: flow.pk, stage: s.state.stages[0]!.pk } });
    expect(noOrder.body).toEqual({ order: ['This field is required.'] });
    const dupSlug = await newFlow('f2');
    expect([dupSlug.status, dupSlug.body]).toEqual([400, { slug: ['Flow with this slug already exists.'] }]);
    const badSlug = await newFlow('not a slug');
    expect([badSlug.status, badSlug.body]).toEqual([400, { slug: ['Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'] }]);
    expect(s.violations).toEqual([]);
  });

  it('deletes: a binding, then a flow with its bindings (cascade)', async () => {
    const flow = (await newFlow('f3')).body;
    const stage = await newStage('stage-c');
    const b1 = (await api(s, 'POST', 'flows/bindings/', { body: { target: flow.pk, stage: stage.pk, order: 1 } })).body;
    const b2 = (await api(s, 'POST', 'flows/bindings/', { body: { target: flow.pk, stage: stage.pk, order: 2 } })).body;
    expect((await api(s, 'DELETE', `flows/bindings/${b1.pk}/`)).status).toBe(204);
    expect((await api(s, 'GET', `flows/bindings/${b1.pk}/`)).body).toEqual({ detail: 'No FlowStageBinding matches the given query.' });
    const renamed = await api(s, 'PATCH', 'flows/instances/f3/', { body: { title: 'Renamed' } });
    expect(renamed.body).toMatchObject({ slug: 'f3', title: 'Renamed' });
    expect((await api(s, 'DELETE', 'flows/instances/f3/')).status).toBe(204);
    expect(s.state.bindings.some((b) => b.pk === b2.pk)).toBe(false);
    expect(s.state.stages.some((x) => x.pk === stage.pk)).toBe(true); // the stage stays
    expect((await api(s, 'GET', 'flows/instances/f3/')).status).toBe(404);
  });

  it('deleting the brand\'s user settings flow clears the brand reference', async () => {
    expect((await api(s, 'DELETE', 'flows/instances/default-user-settings-flow/')).status).toBe(204);
    expect(s.state.brand.flow_user_settings).toBeNull();
    // CurrentBrandSerializer leaves an unset flow out
    expect((await api(s, 'GET', 'core/brands/current/')).body).not.toHaveProperty('flow_user_settings');
  });

  it('writes need the add/change/delete permissions', async () => {
    s.addToken('reader', {
      username: 'dave',
      permissions: ['authentik_flows.view_flow', 'authentik_flows.view_flowstagebinding'],
    });
    const flow = s.state.flows[0]!;
    const body = { target: flow.pk, stage: s.state.stages[0]!.pk, order: 99 };
    expect((await api(s, 'GET', 'flows/bindings/', { token: 'reader' })).status).toBe(200);
    expect((await api(s, 'POST', 'flows/bindings/', { token: 'reader', body })).status).toBe(403);
    expect((await api(s, 'DELETE', `flows/instances/${flow.slug}/`, { token: 'reader' })).status).toBe(403);
  });
});
