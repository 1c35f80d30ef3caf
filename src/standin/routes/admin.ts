// /admin/version/, /admin/settings/ and /core/brands/current/.
import { ok } from '../http.js';
import type { StandinVersion } from '../types.js';
import { atLeast } from '../versions.js';
import { validateFields, type FieldSpec } from '../validate.js';
import { bodyObject, perms, type HandlerCtx, type Route } from './common.js';

/** Settings fields each version's SettingsSerializer has (see the schemas' Settings component). */
function settingsKeys(v: StandinVersion): string[] {
  const keys = [
    'avatars',
    'default_user_change_name',
    'default_user_change_email',
    'default_user_change_username',
    'event_retention',
    'reputation_lower_limit',
    'reputation_upper_limit',
    'footer_links',
    'gdpr_compliance',
    'impersonation',
    'impersonation_require_reason',
    'default_token_duration',
    'default_token_length',
  ];
  if (atLeast(v, '2025.12')) keys.push('pagination_default_page_size', 'pagination_max_page_size');
  if (atLeast(v, '2026.8')) keys.push('base_url');
  keys.push('flags');
  return keys;
}

const SETTINGS_SPEC: Record<string, FieldSpec> = {
  avatars: { type: 'string' },
  base_url: { type: 'string', allowBlank: true, maxLength: 200 },
  default_user_change_name: { type: 'boolean' },
  default_user_change_email: { type: 'boolean' },
  default_user_change_username: { type: 'boolean' },
  event_retention: { type: 'string' },
  reputation_lower_limit: { type: 'integer', min: -2147483648, max: 0 },
  reputation_upper_limit: { type: 'integer', min: 0, max: 2147483647 },
  footer_links: { type: 'any' },
  gdpr_compliance: { type: 'boolean' },
  impersonation: { type: 'boolean' },
  impersonation_require_reason: { type: 'boolean' },
  default_token_duration: { type: 'string' },
  default_token_length: { type: 'integer', min: 1, max: 2147483647 },
  pagination_default_page_size: { type: 'integer', min: 0, max: 2147483647 },
  pagination_max_page_size: { type: 'integer', min: 0, max: 2147483647 },
  flags: { type: 'dict', required: true },
};

function renderSettings(ctx: HandlerCtx): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of settingsKeys(ctx.version)) if (k in ctx.state.settings) out[k] = structuredClone(ctx.state.settings[k]);
  return out;
}

function updateSettings(ctx: HandlerCtx, body: Record<string, unknown>, partial: boolean): Record<string, unknown> {
  const allowed = new Set(settingsKeys(ctx.version));
  const spec = Object.fromEntries(Object.entries(SETTINGS_SPEC).filter(([k]) => allowed.has(k)));
  const data = validateFields(body, spec, partial);
  for (const [k, v] of Object.entries(data)) {
    if (k === 'flags') {
      ctx.state.settings['flags'] = { ...(ctx.state.settings['flags'] as Record<string, unknown>), ...(v as Record<string, unknown>) };
    } else ctx.state.settings[k] = v;
  }
  return renderSettings(ctx);
}

const flowSlug = (ctx: HandlerCtx, pk: string | null): string | undefined =>
  pk ? ctx.state.flows.find((f) => f.pk === pk)?.slug : undefined;

export const adminRoutes: Route[] = [
  {
    method: 'GET',
    template: '/admin/version/',
    access: 'authenticated',
    handler: (_req, ctx) =>
      ok({
        version_current: ctx.fullVersion,
        version_latest: ctx.fullVersion,
        version_latest_valid: true,
        build_hash: '',
        outdated: false,
        outpost_outdated: false,
      }),
  },
  {
    method: 'GET',
    template: '/admin/settings/',
    access: perms('authentik_rbac.view_system_settings'),
    handler: (_req, ctx) => ok(renderSettings(ctx)),
  },
  {
    method: 'PATCH',
    template: '/admin/settings/',
    access: perms('authentik_rbac.edit_system_settings'),
    handler: (req, ctx) => ok(updateSettings(ctx, bodyObject(req), true)),
  },
  {
    method: 'PUT',
    template: '/admin/settings/',
    access: perms('authentik_rbac.edit_system_settings'),
    handler: (req, ctx) => ok(updateSettings(ctx, bodyObject(req), false)),
  },
  {
    method: 'GET',
    template: '/core/brands/current/',
    access: 'public', // CurrentBrand is AllowAny in authentik (the login page needs it)
    handler: (_req, ctx) => {
      const b = ctx.state.brand;
      const flags = ctx.state.settings['flags'] as Record<string, unknown> | undefined;
      const out: Record<string, unknown> = {
        matched_domain: b.domain,
        branding_title: b.branding_title,
        branding_logo: b.branding_logo,
        branding_logo_themed_urls: null,
        branding_favicon: b.branding_favicon,
        branding_favicon_themed_urls: null,
        branding_custom_css: b.branding_custom_css,
        branding_map_tiles: '',
        ui_footer_links: [],
        ui_theme: 'automatic',
        default_locale: b.default_locale,
        // the brand exposes the tenant's flags; sending all of them satisfies every version
        flags: { ...(flags ?? {}) },
      };
      // flow_* are CharField(source="flow_x.slug", required=False): absent when unset
      for (const key of ['flow_authentication', 'flow_invalidation', 'flow_recovery', 'flow_unenrollment', 'flow_user_settings', 'flow_device_code'] as const) {
        const slug = flowSlug(ctx, b[key]);
        if (slug) out[key] = slug;
      }
      return ok(out);
    },
  },
];
