// Narrow types for the parts of authentik's API this CLI touches.
// Field names are checked against authentik's OpenAPI schema (2025.10.4 and 2026.8.3, see
// /work/shared/authentik-openapi). Only fields we use are listed; no index signatures, so a typo
// in a field name is a compile error. Fields authentik always serialises (DRF returns every
// serializer field) are required here even where the schema marks them optional.
// This file must stay free of runtime imports (no axios): the CLI may import it at start-up.

/** `pagination` block of every list answer. `next`/`previous` are page numbers, 0 = none. */
export interface Pagination {
  next: number;
  previous: number;
  count: number;
  current: number;
  total_pages: number;
  start_index: number;
  end_index: number;
}

export interface Paginated<T> {
  pagination: Pagination;
  results: T[];
}

export type UserType = 'internal' | 'external' | 'service_account' | 'internal_service_account';

/** `GET /core/users/`, `/core/users/{id}/` */
export interface User {
  pk: number;
  username: string;
  name: string;
  email: string;
  uuid: string;
  is_active: boolean;
  is_superuser: boolean;
  /** Replaced WHOLE by PATCH: read, modify, send the complete dict. */
  attributes: Record<string, unknown>;
  /** What authentik shows as the avatar (resolved from the `avatars` setting). */
  avatar: string;
  path?: string;
  type?: UserType;
}

/** Body for `PATCH /core/users/{id}/` (only what this CLI writes). */
export interface UserPatch {
  attributes?: Record<string, unknown>;
}

/** `UserSelf` inside `GET /core/users/me/` */
export interface UserSelf {
  pk: number;
  username: string;
  name: string;
  email?: string;
  is_active: boolean;
  is_superuser: boolean;
  avatar: string;
  uid: string;
  type?: UserType;
  /** Global permissions of the user, e.g. "authentik_rbac.edit_system_settings". */
  system_permissions: string[];
}

/** `GET /core/users/me/` */
export interface MeResponse {
  user: UserSelf;
  /** Set when the session is impersonating `user`. */
  original?: UserSelf;
}

export type PromptType =
  | 'text'
  | 'text_area'
  | 'text_read_only'
  | 'text_area_read_only'
  | 'username'
  | 'email'
  | 'password'
  | 'number'
  | 'checkbox'
  | 'radio-button-group'
  | 'dropdown'
  | 'date'
  | 'date-time'
  | 'file'
  | 'separator'
  | 'hidden'
  | 'static'
  | 'alert_info'
  | 'alert_warning'
  | 'alert_danger'
  | 'ak-locale';

/** `/stages/prompt/prompts/` (`name` is unique; `field_key` is not). */
export interface Prompt {
  pk: string;
  name: string;
  field_key: string;
  label: string;
  type: PromptType;
  required: boolean;
  placeholder: string;
  initial_value: string;
  order: number;
  sub_text: string;
  placeholder_expression: boolean;
  initial_value_expression: boolean;
}

/** Body for creating/updating a prompt. */
export interface PromptRequest {
  name: string;
  field_key: string;
  label: string;
  type: PromptType;
  required?: boolean;
  placeholder?: string;
  initial_value?: string;
  order?: number;
  sub_text?: string;
  placeholder_expression?: boolean;
  initial_value_expression?: boolean;
}

/** `/stages/prompt/stages/`. `fields`/`validation_policies` are uuid lists replaced whole on PATCH. */
export interface PromptStage {
  pk: string;
  name: string;
  component: string;
  meta_model_name: string;
  fields: string[];
  validation_policies: string[];
}

export interface PromptStagePatch {
  fields?: string[];
  validation_policies?: string[];
}

/** `/policies/expression/` (`name` unique across all policies). */
export interface ExpressionPolicy {
  pk: string;
  name: string;
  expression: string;
  execution_logging: boolean;
  component: string;
  meta_model_name: string;
  bound_to: number;
}

export interface ExpressionPolicyRequest {
  name: string;
  expression: string;
  execution_logging?: boolean;
}

export type FlowDesignation =
  | 'authentication'
  | 'authorization'
  | 'invalidation'
  | 'enrollment'
  | 'unenrollment'
  | 'recovery'
  | 'stage_configuration';

/** `/flows/instances/` */
export interface Flow {
  pk: string;
  name: string;
  slug: string;
  title: string;
  designation: FlowDesignation;
}

/** The `stage_obj` embedded in a binding. */
export interface Stage {
  pk: string;
  name: string;
  component: string;
  /** e.g. "authentik_stages_prompt.promptstage" marks a prompt stage. */
  meta_model_name: string;
  verbose_name: string;
}

/** `/flows/bindings/?target=<flow pk>` */
export interface FlowStageBinding {
  pk: string;
  target: string;
  stage: string;
  stage_obj: Stage;
  order: number;
}

/** `/core/brands/` (flow fields are flow uuids). */
export interface Brand {
  brand_uuid: string;
  domain: string;
  default: boolean;
  flow_user_settings: string | null;
}

/** `/core/brands/current/` (flow fields are flow SLUGS here, and absent when unset). */
export interface CurrentBrand {
  matched_domain: string;
  branding_title: string;
  flow_user_settings?: string;
}

/** `/admin/settings/` (2024.2+). */
export interface SystemSettings {
  /** Comma list, split WITHOUT trimming by authentik: write it with no spaces. */
  avatars: string;
  default_user_change_name: boolean;
  default_user_change_email: boolean;
  default_user_change_username: boolean;
  /** 2026.x: server-side pagination settings. */
  pagination_default_page_size?: number;
  pagination_max_page_size?: number;
}

export interface SystemSettingsPatch {
  avatars?: string;
}

/** `/admin/version/` (any authenticated user may call it). */
export interface VersionResponse {
  version_current: string;
  version_latest: string;
  version_latest_valid: boolean;
  build_hash: string;
  outdated: boolean;
}

/** `POST /policies/all/{policy_uuid}/test/` body. */
export interface PolicyTestRequest {
  /** User pk the policy runs against. */
  user: number;
  context?: Record<string, unknown>;
}

export interface PolicyLogEvent {
  timestamp: string;
  log_level: string;
  logger: string;
  event: string;
  attributes: Record<string, unknown>;
}

export interface PolicyTestResult {
  passing: boolean;
  messages: string[];
  log_messages: PolicyLogEvent[];
}

/** One entry of `GET /admin/file/` (2025.12+; a plain array, not paginated). */
export interface FileEntry {
  name: string;
  mime_type: string;
  /** Often a signed, EXPIRING URL (2025.12+): never store it in a user's attributes. */
  url: string;
}

/** `GET /admin/file/` answer. */
export type FileList = FileEntry[];

/** Query for `DELETE /admin/file/?name=&usage=media`. */
export interface FileDeleteQuery {
  name: string;
  usage?: 'media';
}
