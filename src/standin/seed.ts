// A fresh authentik as the default blueprints leave it (blueprints/default/flow-default-user-settings-flow.yaml,
// flow-default-source-enrollment.yaml, default-brand.yaml), plus a few users with attributes for tests.
import { stableUuid } from './ids.js';
import type {
  BindingRec,
  FlowRec,
  PolicyRec,
  PromptRec,
  StageRec,
  StandinStateJson,
  UserRec,
} from './types.js';

const T0 = '2025-01-01T00:00:00.000000Z';

const USER_SETTINGS_POLICY = `from authentik.lib.config import CONFIG
from authentik.core.models import (
    USER_ATTRIBUTE_CHANGE_EMAIL,
    USER_ATTRIBUTE_CHANGE_NAME,
    USER_ATTRIBUTE_CHANGE_USERNAME
)
prompt_data = request.context.get("prompt_data")

if not request.user.group_attributes(request.http_request).get(
    USER_ATTRIBUTE_CHANGE_EMAIL, CONFIG.get_bool("default_user_change_email", True)
):
    if prompt_data.get("email") != request.user.email:
        ak_message("Not allowed to change email address.")
        return False

if not request.user.group_attributes(request.http_request).get(
    USER_ATTRIBUTE_CHANGE_NAME, CONFIG.get_bool("default_user_change_name", True)
):
    if prompt_data.get("name") != request.user.name:
        ak_message("Not allowed to change name.")
        return False

if not request.user.group_attributes(request.http_request).get(
    USER_ATTRIBUTE_CHANGE_USERNAME, CONFIG.get_bool("default_user_change_username", True)
):
    if prompt_data.get("username") != request.user.username:
        ak_message("Not allowed to change username.")
        return False

return True
`;

function flow(slug: string, name: string, title: string, designation: string, authentication = 'none'): FlowRec {
  return {
    pk: stableUuid(`flow:${slug}`),
    pbm_uuid: stableUuid(`pbm:flow:${slug}`),
    name,
    slug,
    title,
    designation,
    layout: 'stacked',
    denied_action: 'message_continue',
    authentication,
    policy_engine_mode: 'any',
    compatibility_mode: false,
  };
}

function prompt(name: string, fieldKey: string, label: string, type: string, order: number, initial = ''): PromptRec {
  return {
    pk: stableUuid(`prompt:${name}`),
    name,
    field_key: fieldKey,
    label,
    type,
    required: true,
    placeholder: label,
    initial_value: initial,
    order,
    sub_text: '',
    placeholder_expression: false,
    initial_value_expression: initial !== '',
  };
}

function stage(name: string, kind: StageRec['kind'], extra: Partial<StageRec> = {}): StageRec {
  return { pk: stableUuid(`stage:${name}`), name, kind, ...extra };
}

function binding(f: FlowRec, s: StageRec, order: number): BindingRec {
  return {
    pk: stableUuid(`fsb:${f.slug}:${s.name}:${order}`),
    pbm_uuid: stableUuid(`pbm:fsb:${f.slug}:${s.name}:${order}`),
    target: f.pk,
    stage: s.pk,
    order,
    evaluate_on_plan: false,
    re_evaluate_policies: true,
    policy_engine_mode: 'any',
    invalid_response_action: 'retry',
  };
}

/**
 * A user record with authentik's defaults (active, internal, path "users", no groups, roles or
 * attributes), created at `at`: THE constructor of users, for the seed, POST /core/users/ and addToken().
 */
export function newUser(init: Pick<UserRec, 'pk' | 'uuid' | 'username'> & Partial<UserRec>, at: string): UserRec {
  const { pk, uuid, username, ...rest } = init;
  return {
    pk,
    uuid,
    username,
    name: '',
    email: '',
    is_active: true,
    groups: [],
    roles: [],
    attributes: {},
    path: 'users',
    type: 'internal',
    date_joined: at,
    last_login: null,
    last_updated: at,
    password_change_date: at,
    ...rest,
  };
}

/** The pk the next user gets (the table's auto-increment). */
export function nextUserPk(users: readonly UserRec[]): number {
  return Math.max(0, ...users.map((u) => u.pk)) + 1;
}

const user = (pk: number, username: string, name: string, email: string, extra: Partial<UserRec> = {}): UserRec =>
  newUser({ pk, uuid: stableUuid(`user:${username}`), username, name, email, ...extra }, T0);

const tryReturn = (expr: string): string => `try:\n    return ${expr}\nexcept:\n    return ''\n`;

export function freshState(adminToken: string): StandinStateJson {
  const adminGroup = { pk: stableUuid('group:authentik Admins'), num_pk: 1, name: 'authentik Admins', is_superuser: true, attributes: {} };

  // --- flows, stages, prompts, policies ---
  const authFlow = flow('default-authentication-flow', 'Welcome to authentik!', 'Welcome to authentik!', 'authentication');
  const invalidationFlow = flow('default-invalidation-flow', 'Logout', 'Default Invalidation Flow', 'invalidation');
  const settingsFlow = flow('default-user-settings-flow', 'User settings', 'Update your info', 'stage_configuration', 'require_authenticated');
  const enrollFlow = flow(
    'default-source-enrollment',
    'Welcome to authentik! Please select a username.',
    'Welcome to authentik! Please select a username.',
    'enrollment',
    'require_unauthenticated',
  );

  const prompts: PromptRec[] = [
    prompt('default-user-settings-field-username', 'username', 'Username', 'text', 200, tryReturn('user.username')),
    prompt('default-user-settings-field-name', 'name', 'Name', 'text', 201, tryReturn('user.name')),
    prompt('default-user-settings-field-email', 'email', 'Email', 'email', 202, tryReturn('user.email')),
    prompt('default-user-settings-field-locale', 'attributes.settings.locale', 'Locale', 'ak-locale', 203,
      tryReturn('user.attributes.get("settings", {}).get("locale", "")')),
    prompt('default-source-enrollment-field-username', 'username', 'Username', 'text', 100),
  ];
  const policies: PolicyRec[] = [
    {
      pk: stableUuid('policy:default-user-settings-authorization'),
      name: 'default-user-settings-authorization',
      kind: 'expression',
      execution_logging: false,
      expression: USER_SETTINGS_POLICY,
      created: T0,
      last_updated: T0,
    },
    {
      pk: stableUuid('policy:default-source-enrollment-if-sso'),
      name: 'default-source-enrollment-if-sso',
      kind: 'expression',
      execution_logging: false,
      expression: 'return ak_is_sso_flow\n',
      created: T0,
      last_updated: T0,
    },
  ];

  const idStage = stage('default-authentication-identification', 'identification');
  const pwStage = stage('default-authentication-password', 'password');
  const loginStage = stage('default-authentication-login', 'user_login');
  const settingsPrompt = stage('default-user-settings', 'prompt', {
    fields: prompts.slice(0, 4).map((p) => p.pk),
    validation_policies: [policies[0]!.pk],
  });
  const settingsWrite = stage('default-user-settings-write', 'user_write');
  const enrollPrompt = stage('default-source-enrollment-prompt', 'prompt', { fields: [prompts[4]!.pk], validation_policies: [] });
  const enrollWrite = stage('default-source-enrollment-write', 'user_write');
  const enrollLogin = stage('default-source-enrollment-login', 'user_login');

  const stages = [idStage, pwStage, loginStage, settingsPrompt, settingsWrite, enrollPrompt, enrollWrite, enrollLogin];
  const bindings = [
    binding(authFlow, idStage, 10),
    binding(authFlow, pwStage, 20),
    binding(authFlow, loginStage, 100),
    binding(settingsFlow, settingsPrompt, 20),
    binding(settingsFlow, settingsWrite, 100),
    binding(enrollFlow, enrollPrompt, 0),
    binding(enrollFlow, enrollWrite, 1),
    binding(enrollFlow, enrollLogin, 2),
  ];

  // --- users: pk order mirrors a real install (the outpost service account comes early) ---
  const users: UserRec[] = [
    user(1, 'akadmin', 'authentik Default Admin', 'root@localhost', { groups: [adminGroup.pk] }),
    user(2, 'ak-outpost-0a1b2c3d4e5f', 'Outpost authentik Embedded Outpost Service-Account', '', {
      type: 'internal_service_account',
      path: 'goauthentik.io/outposts',
      attributes: { 'goauthentik.io/user/token-expires': false },
    }),
    user(3, 'alice', 'Alice Example', 'alice@example.com', {
      attributes: { department: 'ops', settings: { locale: 'en', theme: { base: 'dark' } } },
    }),
    user(4, 'alice.smith', 'Alice Smith', 'alice.smith@example.com', { attributes: { department: 'sales' } }),
    user(5, 'bob', 'Bob Builder', 'bob@example.org', {
      attributes: { avatar: 'https://avatars.example.org/bob.png', settings: { locale: 'de' } },
    }),
    user(6, 'carol', 'Carol Jones', 'carol@example.com', { attributes: {} }),
    user(7, 'dave', 'Dave Ops', 'dave@example.com', { attributes: { department: 'ops' } }),
    user(8, 'dave.admin', 'Dave Ops (admin account)', 'dave@example.com', { attributes: {} }),
    user(9, 'erin', 'Erin Inactive', 'erin@example.com', { is_active: false, attributes: { left: '2024-12-31' } }),
  ];

  return {
    format: 1,
    settings: {
      avatars: 'gravatar,initials',
      default_user_change_name: true,
      default_user_change_email: false,
      default_user_change_username: false,
      event_retention: 'days=365',
      reputation_lower_limit: -5,
      reputation_upper_limit: 5,
      footer_links: [],
      gdpr_compliance: true,
      impersonation: true,
      impersonation_require_reason: true,
      default_token_duration: 'minutes=30',
      default_token_length: 60,
      pagination_default_page_size: 20,
      pagination_max_page_size: 100,
      flags: {
        policies_buffered_access_view: false,
        flows_refresh_others: false,
        flows_continuous_login: false,
        enterprise_audit_include_expanded_diff: false,
        core_default_app_access: true,
      },
    },
    brand: {
      domain: 'authentik-default',
      branding_title: 'authentik',
      branding_logo: '/static/dist/assets/icons/icon_left_brand.svg',
      branding_favicon: '/static/dist/assets/icons/icon.png',
      branding_custom_css: '',
      default_locale: '',
      flow_authentication: authFlow.pk,
      flow_invalidation: invalidationFlow.pk,
      flow_recovery: null,
      flow_unenrollment: null,
      flow_user_settings: settingsFlow.pk,
      flow_device_code: null,
    },
    users,
    groups: [adminGroup],
    roles: [],
    flows: [authFlow, invalidationFlow, enrollFlow, settingsFlow],
    stages,
    bindings,
    prompts,
    policies,
    tokens: [{ key: adminToken, username: 'akadmin', superuser: true }],
    files: [],
    // a fresh install has no attribute definitions: user writes are not checked against any
    object_attributes: [],
  };
}
