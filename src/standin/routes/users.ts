// /core/users/ (authentik/core/api/users.py: UsersFilter, search_fields, ordering ["username"]).
import { validateAttributes } from '../attributes.js';
import { badRequest, forbidden, notFound, ok, type ApiRequest } from '../http.js';
import { newUuid } from '../ids.js';
import { renderUser, renderUserSelf } from '../render.js';
import { newUser, nextUserPk } from '../seed.js';
import type { UserRec } from '../types.js';
import { validateFields, type FieldSpec } from '../validate.js';
import { bodyObject, boolParam, crudRoutes, filterExact, holderOf, nowIso, order, save, search, uuidFilter, type HandlerCtx, type Route } from './common.js';

const USER_TYPES = ['internal', 'external', 'service_account', 'internal_service_account'] as const;
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

function findUser(ctx: HandlerCtx, id: string): UserRec {
  // Django casts the lookup; a non-integer id is a 404 like a missing one
  const pk = /^\d+$/.test(id) ? Number(id) : Number.NaN;
  const u = ctx.state.users.find((x) => x.pk === pk);
  if (!u) throw notFound('User');
  return u;
}

function userSpec(ctx: HandlerCtx): Record<string, FieldSpec> {
  return {
    username: { type: 'string', required: true, maxLength: 150 },
    name: { type: 'string', required: true, allowBlank: true },
    is_active: { type: 'boolean' },
    last_login: { type: 'any' },
    groups: { type: 'uuidList', exists: (pk) => ctx.state.groups.some((g) => g.pk === pk) },
    roles: { type: 'uuidList', exists: (pk) => ctx.state.roles.some((r) => r.pk === pk) },
    email: { type: 'string', allowBlank: true, maxLength: 254 },
    attributes: { type: 'dict', jsonField: true },
    path: { type: 'string' },
    type: { type: 'string', choices: USER_TYPES },
  };
}

/** Writes a validated body into a user, with UserSerializer's extra validation. */
function applyUser(ctx: HandlerCtx, req: ApiRequest, target: UserRec | null, partial: boolean): UserRec {
  const data = validateFields(bodyObject(req), userSpec(ctx), partial);
  const errors: Record<string, string[]> = {};
  if (typeof data['username'] === 'string') {
    if (holderOf(ctx.state.users, (u) => u.username, data['username'], target)) errors['username'] = ['This field must be unique.']; // explicit UniqueValidator
  }
  if (typeof data['email'] === 'string' && data['email'] !== '' && !EMAIL_RE.test(data['email'])) {
    errors['email'] = ['Enter a valid email address.'];
  }
  if (typeof data['path'] === 'string') {
    const p = data['path'];
    if (p.startsWith('/') || p.endsWith('/')) errors['path'] = ['No leading or trailing slashes allowed.'];
    else if (p.split('/').some((seg) => seg === '')) errors['path'] = ['No empty segments in user path allowed.'];
  }
  if (typeof data['type'] === 'string') {
    if (target && target.type === 'internal_service_account' && data['type'] !== 'internal_service_account') {
      errors['type'] = ["Can't change internal service account to other user type."];
    }
    if (!target && data['type'] === 'internal_service_account') {
      errors['type'] = ['Setting a user to internal service account is not allowed.'];
    }
  }
  if (Object.keys(errors).length) throw badRequest(errors);
  // serializer-level validate() (2026.8 attribute definitions): against the attributes SENT, or {}
  // when the body has none; uniqueness is checked against what is stored, this user included
  const sent = (data['attributes'] as Record<string, unknown> | undefined) ?? {};
  validateAttributes(ctx.state, ctx.version, 'authentik_core.user', sent, ctx.state.users.map((u) => u.attributes));

  const now = nowIso();
  // attributes (a JSONField) is REPLACED whole, never merged: that is authentik's behaviour
  const u = save(ctx.state.users, target, () => newUser({ pk: nextUserPk(ctx.state.users), uuid: newUuid(), username: '' }, now), structuredClone(data));
  u.last_updated = now;
  return u;
}

function listUsers(q: URLSearchParams, ctx: HandlerCtx): UserRec[] {
  let users = ctx.state.users;
  const uuid = uuidFilter(q, 'uuid');
  if (uuid) users = users.filter((u) => u.uuid === uuid);
  users = filterExact(users, q, {
    username: (u) => u.username,
    email: (u) => u.email,
    name: (u) => u.name,
    path: (u) => u.path,
  });
  for (const flag of ['is_active'] as const) {
    if (q.get(flag)) users = users.filter((u) => u[flag] === boolParam(q, flag, true));
  }
  const types = q.getAll('type').filter(Boolean);
  if (types.length) users = users.filter((u) => types.includes(u.type));
  const pathStarts = q.get('path_startswith');
  if (pathStarts) users = users.filter((u) => u.path.startsWith(pathStarts));
  const attrs = q.get('attributes');
  if (attrs) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(attrs);
    } catch {
      throw badRequest(['filter: failed to parse JSON']);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest(['filter: value must be key:value mapping']);
    users = users.filter((u) =>
      Object.entries(parsed as Record<string, unknown>).every(([k, v]) => {
        let cur: unknown = u.attributes;
        for (const part of k.split('__')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
        return JSON.stringify(cur) === JSON.stringify(v);
      }),
    );
  }
  users = search(users, q, [(u) => u.username, (u) => u.name, (u) => u.email, (u) => u.uuid]);
  return order(users, q, { username: (u) => u.username, name: (u) => u.name, pk: (u) => u.pk, email: (u) => u.email }, 'username');
}

export const userRoutes: Route[] = [
  ...crudRoutes<UserRec>({
    path: '/core/users/',
    lookup: 'id',
    perm: 'authentik_core.%s_user',
    list: listUsers,
    find: findUser,
    render: (ctx, u) => renderUser(ctx.render, u),
    renderListed: (ctx, q) => {
      const opts = { includeGroups: boolParam(q, 'include_groups', true), includeRoles: boolParam(q, 'include_roles', true) };
      return (u) => renderUser(ctx.render, u, opts);
    },
    write: applyUser,
    remove: (ctx, u) => {
      ctx.state.users = ctx.state.users.filter((x) => x !== u);
      ctx.state.tokens = ctx.state.tokens.filter((t) => t.username !== u.username);
    },
  }),
  {
    method: 'GET',
    template: '/core/users/me/',
    access: 'authenticated',
    handler: (req, ctx) => {
      const p = req.principal;
      const u = p ? ctx.state.users.find((x) => x.pk === p.userPk) : undefined;
      if (!p || !u) throw forbidden();
      const self = renderUserSelf(ctx.render, u, p.superuser ? [] : [...p.permissions].sort());
      return ok({ user: self, users: [self] });
    },
  },
];
