// Public types of the authentik stand-in (see the team contract) and the shapes of its state.
// The state is plain JSON on purpose: dump()/load() are a structuredClone, and tests may read or
// poke the live state directly.

export type StandinVersion = '2025.10' | '2025.12' | '2026.2' | '2026.5' | '2026.8';

export interface StandinOptions {
  version?: StandinVersion; // default '2026.8'
  port?: number; // default 0 (random); always binds 127.0.0.1
  pageSize?: number; // default page size when the client sends none (authentik's tenant default: 20)
  maxPageSize?: number; // cap for ?page_size= (authentik's tenant default: 100)
  token?: string; // the superuser (akadmin) API token; default random
  state?: StandinStateJson; // load instead of the fresh seed
  schemaCheck?: boolean; // default true when the ak-schema-<version> package is installed
}

/**
 * An injected fault, matched on method (any when absent) and path ('core/users/me/',
 * '/api/v3/core/users/me/' or a RegExp tested against the full path).
 * - latency: wait `ms` before handling (adds up with other latency faults)
 * - status: answer `status` (default 500) with `body` or DRF's default body; nothing is applied
 * - reset: reset the connection before anything is applied
 * - drop-response: apply the request (the write happens), then reset the connection instead of
 *   answering: "the PATCH went through but the answer was lost"
 */
export interface Fault {
  method?: string;
  path: string | RegExp;
  kind: 'latency' | 'status' | 'reset' | 'drop-response';
  ms?: number;
  status?: number;
  retryAfter?: number;
  body?: unknown;
  after?: number; // let the first N matching requests through untouched, then fire; default 0
  times?: number; // default Infinity
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  status: number; // 0 when the connection was reset (also by a drop-response fault)
  dropped?: number; // drop-response: the status the stand-in produced but never sent
}

export interface TokenUser {
  username: string;
  superuser?: boolean;
  permissions?: string[];
}

export interface Standin {
  url: string;
  token: string;
  version: string; // full, e.g. '2026.8.3'
  state: StandinState;
  faults: { add(f: Fault): void; clear(): void };
  requests: RequestRecord[];
  violations: string[];
  addToken(key: string, user: TokenUser): void;
  dump(): StandinStateJson;
  load(json: StandinStateJson): void;
  close(): Promise<void>;
}

// ---- state records (field names follow authentik's models, not its serializers) ----

export interface UserRec {
  pk: number;
  uuid: string;
  username: string;
  name: string;
  email: string;
  is_active: boolean;
  groups: string[]; // group pks (uuid)
  roles: string[]; // role pks (uuid)
  attributes: Record<string, unknown>;
  path: string;
  type: 'internal' | 'external' | 'service_account' | 'internal_service_account';
  date_joined: string;
  last_login: string | null;
  last_updated: string;
  password_change_date: string;
}

export interface GroupRec {
  pk: string;
  num_pk: number;
  name: string;
  is_superuser: boolean;
  attributes: Record<string, unknown>;
}

export interface RoleRec {
  pk: string;
  name: string;
}

export interface FlowRec {
  pk: string; // flow_uuid
  pbm_uuid: string;
  name: string;
  slug: string;
  title: string;
  designation: string;
  layout: string;
  denied_action: string;
  authentication: string;
  policy_engine_mode: string;
  compatibility_mode: boolean;
}

/** Every stage kind lives in one table like authentik's Stage base model. */
export interface StageRec {
  pk: string; // stage_uuid
  name: string;
  kind: 'prompt' | 'user_write' | 'user_login' | 'identification' | 'password';
  fields?: string[]; // prompt stages: prompt uuids, ordered
  validation_policies?: string[]; // prompt stages: policy uuids, ordered
}

export interface BindingRec {
  pk: string; // fsb_uuid
  pbm_uuid: string;
  target: string; // flow pk
  stage: string; // stage pk
  order: number;
  evaluate_on_plan: boolean;
  re_evaluate_policies: boolean;
  policy_engine_mode: string;
  invalid_response_action: string;
}

export interface PromptRec {
  pk: string;
  name: string;
  field_key: string;
  label: string;
  type: string;
  required: boolean;
  placeholder: string;
  initial_value: string;
  order: number;
  sub_text: string;
  placeholder_expression: boolean;
  initial_value_expression: boolean;
}

export interface PolicyRec {
  pk: string;
  name: string;
  kind: 'expression';
  execution_logging: boolean;
  expression: string;
  created: string;
  last_updated: string;
}

/** authentik_core.ObjectAttribute (2026.8): a definition validated against `attributes` on writes. */
export interface ObjectAttributeRec {
  pk: string; // attribute_id
  object_type: string; // fully qualified model, e.g. 'authentik_core.user'
  enabled: boolean;
  key: string; // dotted path into attributes
  label: string;
  group: string;
  type: 'text' | 'number' | 'boolean';
  regex: string;
  is_unique: boolean;
  is_required: boolean;
  managed: string | null;
  created: string;
  last_updated: string;
}

export interface TokenRec extends TokenUser {
  key: string;
}

export interface FileRec {
  name: string;
  data: string; // base64
  usage: string;
}

export interface BrandRec {
  domain: string;
  branding_title: string;
  branding_logo: string;
  branding_favicon: string;
  branding_custom_css: string;
  default_locale: string;
  flow_authentication: string | null; // flow pks
  flow_invalidation: string | null;
  flow_recovery: string | null;
  flow_unenrollment: string | null;
  flow_user_settings: string | null;
  flow_device_code: string | null;
}

export interface StandinStateJson {
  format: 1;
  settings: Record<string, unknown>;
  brand: BrandRec;
  users: UserRec[];
  groups: GroupRec[];
  roles: RoleRec[];
  flows: FlowRec[];
  stages: StageRec[];
  bindings: BindingRec[];
  prompts: PromptRec[];
  policies: PolicyRec[];
  tokens: TokenRec[];
  files: FileRec[];
  /** attribute definitions (2026.8); dumps made before they existed load as [] */
  object_attributes: ObjectAttributeRec[];
}

/** The live state is the same plain structure (mutable). */
export type StandinState = StandinStateJson;
