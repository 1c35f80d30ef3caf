// Reads the live objects setup/status/teardown reason about, with as few requests as possible:
// a re-run of setup on a converged instance costs 8 (version, brand, flow, bindings, stage,
// prompts, policy, settings). Independent reads go out in parallel. Look-ups are exact: where a
// single `?search=` saves requests, every hit is filtered again on exact values.
import type { CurrentBrand, ExpressionPolicy, Flow, FlowStageBinding, Prompt, PromptStage, SystemSettings } from '../authentik/types.js';
import { CliError, ExitCode } from '../errors.js';
import { guarded, statusOf } from './permissions.js';
import type { DiscoverTargets, Names, PolicyObj, PromptObj, PromptRole, SetupApi, Snapshot, Target } from './types.js';

export const PROMPT_STAGE_MODEL = 'authentik_stages_prompt.promptstage';
export const DEFAULT_SETTINGS_FLOW = 'default-user-settings-flow';

const ROLES: PromptRole[] = ['avatar', 'reset'];

export async function discover(api: SetupApi, t: DiscoverTargets): Promise<Snapshot> {
  const before = api.stats.total;
  const version = await guarded('reading the authentik version', 'GET', 'admin/version/', () => api.version());
  const features = await api.features();

  const [brand, settings, prompts, policy] = await Promise.all([
    t.userSettings
      ? guarded('reading the current brand', 'GET', 'core/brands/current/', () => api.get<CurrentBrand>('core/brands/current/'))
      : Promise.resolve(undefined),
    features.settingsApi
      ? guarded('reading the system settings', 'GET', 'admin/settings/', () => api.get<SystemSettings>('admin/settings/'))
      : Promise.resolve(null),
    findPrompts(api, t.names),
    findPolicyByName(api, t.names.policy),
  ]);

  const slugs: string[] = [];
  if (t.userSettings) {
    const slug = brand?.flow_user_settings;
    if (slug) slugs.push(slug);
    else if (t.flows.length === 0) {
      throw new CliError('the current brand has no user settings flow', ExitCode.NOT_FOUND, {
        hint: `set one on the brand (System > Brands), or name the flow: --flow ${DEFAULT_SETTINGS_FLOW}`,
      });
    }
  }
  for (const f of t.flows) if (!slugs.includes(f)) slugs.push(f);

  const found = await Promise.all(slugs.map((slug) => findTarget(api, slug)));
  // two flows may share one prompt stage: edit it once
  const targets: Target[] = [];
  for (const target of found) if (!targets.some((x) => x.stage.pk === target.stage.pk)) targets.push(target);

  const policyCandidates = t.adoption && !policy ? await findPolicyCandidates(api, targets) : [];

  const snap: Snapshot = {
    version: version.version,
    features,
    targets,
    prompts: prompts.byName,
    promptCandidates: prompts.candidates,
    policyCandidates,
    settings: settings ? { avatars: settings.avatars ?? '' } : null,
    requests: 0,
  };
  if (brand) snap.brand = brand.flow_user_settings !== undefined ? { flow_user_settings: brand.flow_user_settings } : {};
  if (policy) snap.policy = policy;
  snap.requests = api.stats.total - before;
  return snap;
}

function toPrompt(p: Prompt): PromptObj {
  return { pk: p.pk, name: p.name, field_key: p.field_key, label: p.label, type: p.type, required: p.required, order: p.order };
}

function toPolicy(p: ExpressionPolicy): PolicyObj {
  return { pk: p.pk, name: p.name, expression: p.expression, execution_logging: p.execution_logging };
}

/**
 * Our prompts by exact name, plus every prompt with one of our field keys (a recipe install to
 * adopt). When both names and both keys contain "avatar" (the defaults), one `?search=avatar`
 * (authentik matches name, field_key, label, ... case-insensitively) returns all of them;
 * otherwise two exact name look-ups and one search on the field key.
 */
export async function findPrompts(api: SetupApi, names: Names): Promise<{ byName: Partial<Record<PromptRole, PromptObj>>; candidates: PromptObj[] }> {
  const path = 'stages/prompt/prompts/';
  const list = (params: Record<string, string>) =>
    guarded('listing prompts', 'GET', path, () => api.paginate<Prompt>(path, params));
  const term = 'avatar';
  const covered = [...Object.values(names.prompts), ...Object.values(names.fieldKeys)].every((s) => s.toLowerCase().includes(term));
  let hits: Prompt[];
  if (covered) {
    hits = await list({ search: term });
  } else {
    const keyTerm = commonPrefix(Object.values(names.fieldKeys));
    const parts = await Promise.all([
      list({ name: names.prompts.avatar }),
      list({ name: names.prompts.reset }),
      list({ search: keyTerm }),
    ]);
    hits = parts.flat();
  }
  const seen = new Set<string>();
  const uniq = hits.filter((p) => (seen.has(p.pk) ? false : (seen.add(p.pk), true))).map(toPrompt);
  const byName: Partial<Record<PromptRole, PromptObj>> = {};
  for (const r of ROLES) {
    const p = uniq.find((x) => x.name === names.prompts[r]);
    if (p) byName[r] = p;
  }
  const keys = Object.values(names.fieldKeys);
  return { byName, candidates: uniq.filter((p) => keys.includes(p.field_key)) };
}

function commonPrefix(values: string[]): string {
  let prefix = values[0] ?? '';
  for (const v of values) while (!v.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

export async function findPolicyByName(api: SetupApi, name: string): Promise<PolicyObj | undefined> {
  const path = 'policies/expression/';
  const hits = await guarded(`looking up policy ${name}`, 'GET', path, () => api.paginate<ExpressionPolicy>(path, { name }));
  const p = hits.find((x) => x.name === name);
  return p ? toPolicy(p) : undefined;
}

/** The flow by slug, its stage bindings, and its (first) prompt stage. */
export async function findTarget(api: SetupApi, slug: string): Promise<Target> {
  const flows = await guarded(`looking up flow ${slug}`, 'GET', 'flows/instances/', () => api.paginate<Flow>('flows/instances/', { slug }));
  const flow = flows.find((f) => f.slug === slug);
  if (!flow) {
    throw new CliError(`flow '${slug}' not found`, ExitCode.NOT_FOUND, { hint: 'give the flow by its slug (Flows and Stages > Flows)' });
  }
  const bindings = (
    await guarded(`listing the stage bindings of flow ${slug}`, 'GET', 'flows/bindings/', () =>
      api.paginate<FlowStageBinding>('flows/bindings/', { target: flow.pk }),
    )
  )
    .filter((b) => b.target === flow.pk)
    .sort((a, b) => a.order - b.order);
  const promptBindings = bindings.filter((b) => b.stage_obj?.meta_model_name === PROMPT_STAGE_MODEL);
  const first = promptBindings[0];
  if (!first) {
    throw new CliError(`flow '${slug}' has no prompt stage`, ExitCode.NOT_FOUND, {
      hint: 'the avatar fields go into a prompt stage: bind one to the flow, or target another flow with --flow',
    });
  }
  const stagePath = `stages/prompt/stages/${first.stage}/`;
  const stage = await guarded(`reading prompt stage ${first.stage_obj.name}`, 'GET', stagePath, () => api.get<PromptStage>(stagePath));
  return {
    flow: { pk: flow.pk, slug: flow.slug, name: flow.name, designation: flow.designation },
    bindings: bindings.map((b) => ({
      pk: b.pk,
      order: b.order,
      stage: b.stage,
      stage_obj: { pk: b.stage_obj.pk, name: b.stage_obj.name, meta_model_name: b.stage_obj.meta_model_name },
    })),
    stage: { pk: stage.pk, name: stage.name, fields: [...stage.fields], validation_policies: [...(stage.validation_policies ?? [])] },
    otherPromptStages: promptBindings.slice(1).map((b) => b.stage_obj.name).filter((n) => n !== stage.name),
  };
}

/** A hand-made policy handles the avatar field: its code mentions it. */
export function handlesAvatar(expression: string): boolean {
  return /avatar/i.test(expression);
}

/**
 * Expression policies bound to a target stage whose code handles avatars (the recipes' policy,
 * whatever its name). A validation policy of another type answers 404 here and is skipped.
 */
async function findPolicyCandidates(api: SetupApi, targets: Target[]): Promise<PolicyObj[]> {
  const pks = [...new Set(targets.flatMap((t) => t.stage.validation_policies))];
  const got = await Promise.all(
    pks.map(async (pk) => {
      const path = `policies/expression/${pk}/`;
      try {
        return await guarded(`reading validation policy ${pk}`, 'GET', path, () => api.get<ExpressionPolicy>(path));
      } catch (e) {
        if (statusOf(e) === 404) return undefined;
        throw e;
      }
    }),
  );
  return got.filter((p): p is ExpressionPolicy => p !== undefined && handlesAvatar(p.expression)).map(toPolicy);
}
