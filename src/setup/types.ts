// Shapes shared by discover() -> plan() -> apply(). Nothing here talks to the network.
import type { CurrentBrand, ExpressionPolicy, Flow, FlowStageBinding, Prompt, PromptStage, PromptType } from '../authentik/types.js';

export type Query = Record<string, string | number | boolean | undefined>;

/** What src/setup needs from the authentik client (AuthentikClient fits it; unit tests pass fakes). */
export interface SetupApi {
  readonly stats: { total: number; reads: number; writes: number };
  get<T>(path: string, params?: Query): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete(path: string, params?: Query): Promise<void>;
  paginate<T>(path: string, params?: Query): Promise<T[]>;
  version(): Promise<{ version: string; major: number; minor: number; patch: number }>;
  features(): Promise<SetupFeatures>;
}

export interface SetupFeatures {
  settingsApi: boolean;
  filesApi: boolean;
  mediaPublic: boolean;
  oidcPictureClaim: boolean;
}

/** Which of our objects an action or a list entry is about. */
export type Role = 'avatar' | 'reset' | 'policy';
export type PromptRole = 'avatar' | 'reset';

export interface PromptSpec {
  name: string;
  field_key: string;
  label: string;
  type: PromptType;
  required: boolean;
  order: number;
}

export interface PolicySpec {
  name: string;
  expression: string;
  execution_logging: boolean;
}

export type AvatarsWish = { mode: 'merge' } | { mode: 'exact'; list: string[] };

/** The state `setup` converges to (built from the options by desired.ts). */
export interface Desired {
  prompts: Record<PromptRole, PromptSpec>;
  policy: PolicySpec;
  avatars: AvatarsWish;
}

/** The names discovery looks for (also used by status and teardown). */
export interface Names {
  prompts: Record<PromptRole, string>;
  fieldKeys: Record<PromptRole, string>;
  policy: string;
}

export interface DiscoverTargets {
  names: Names;
  /** Target the brand's user settings flow (always true for setup/status/teardown). */
  userSettings: boolean;
  /** Extra flows by slug (--flow). */
  flows: string[];
  /** Look for a hand-made recipe install (field key in a stage, avatar policy bound to a stage) when ours is missing. */
  adoption: boolean;
}

/** One targeted flow and the prompt stage we edit in it. */
export interface Target {
  flow: Pick<Flow, 'pk' | 'slug' | 'name' | 'designation'>;
  /** The flow's stage bindings in order (status prints them). */
  bindings: Array<Pick<FlowStageBinding, 'pk' | 'order' | 'stage'> & { stage_obj: Pick<FlowStageBinding['stage_obj'], 'pk' | 'name' | 'meta_model_name'> }>;
  stage: Pick<PromptStage, 'pk' | 'name' | 'fields' | 'validation_policies'>;
  /** Other prompt stages in the same flow we did not pick (the first prompt stage wins). */
  otherPromptStages: string[];
}

export type PromptObj = Pick<Prompt, 'pk' | 'name' | 'field_key' | 'label' | 'type' | 'required' | 'order'>;
export type PolicyObj = Pick<ExpressionPolicy, 'pk' | 'name' | 'expression' | 'execution_logging'>;

/** Everything plan() needs, read from the live instance by discover(). */
export interface Snapshot {
  version: string;
  features: SetupFeatures;
  brand?: Pick<CurrentBrand, 'flow_user_settings'>;
  targets: Target[];
  /** Our prompts, found by their exact names. */
  prompts: Partial<Record<PromptRole, PromptObj>>;
  /** Prompts with one of our field keys (adoption candidates; only prompts in a target stage are adopted). */
  promptCandidates: PromptObj[];
  /** Our policy, found by its exact name. */
  policy?: PolicyObj;
  /** Expression policies bound to a target stage whose code handles avatars (adoption candidates). */
  policyCandidates: PolicyObj[];
  /** null: this authentik has no settings API (AUTHENTIK_AVATARS env instead). */
  settings: { avatars: string } | null;
  /** HTTP requests discovery sent. */
  requests: number;
}

export type ActionKind = 'create' | 'update' | 'unchanged' | 'adopt' | 'delete';
export type ObjectKind = 'prompt' | 'policy' | 'prompt stage' | 'setting' | 'user';

/** A list entry in a change: an existing object (pk, name when we know it) or one of ours to be created. */
export interface Ref {
  pk?: string;
  name?: string;
  role?: Role;
}

export interface Change {
  field: string;
  old: unknown;
  new: unknown;
}

export interface Action {
  kind: ActionKind;
  object: ObjectKind;
  /** The object's current name (its new name shows in changes when it is renamed). */
  name: string;
  changes: Change[];
  /** The existing object's primary key (absent for create). */
  pk?: string;
  role?: Role;
  /** e.g. "replace recipe code" */
  note?: string;
  /** create/update/adopt of a prompt or policy: the fields to send. */
  body?: Record<string, unknown>;
  /** prompt stage: the complete lists to send (refs resolved to pks at apply time). */
  lists?: { fields?: Ref[]; validation_policies?: Ref[] };
  /** prompt stage: the flow it belongs to. */
  flow?: string;
  /** setting: the new value. */
  value?: string;
}

export interface Plan {
  actions: Action[];
  /** Informational lines (adoption details, several prompt stages in a flow, ...). */
  notes: string[];
  /** Set when the avatars setting must go into the environment (no settings API). */
  env?: { AUTHENTIK_AVATARS: string };
}

export interface RequestCounts {
  total: number;
  reads: number;
  writes: number;
}
