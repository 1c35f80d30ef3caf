// Maps "/core/users/4/" to the route whose template is "/core/users/{id}/". Templates are spelled
// like the OpenAPI paths so the schema checker can look the operation up by the same key.
import { adminRoutes } from './routes/admin.js';
import type { Route } from './routes/common.js';
import { fileRoutes } from './routes/files.js';
import { flowRoutes } from './routes/flows.js';
import { objectAttributeRoutes } from './routes/object_attributes.js';
import { policyRoutes } from './routes/policies.js';
import { promptRoutes } from './routes/prompts.js';
import { stageRoutes } from './routes/stages.js';
import { userRoutes } from './routes/users.js';

export const ALL_ROUTES: Route[] = [
  ...adminRoutes,
  ...userRoutes,
  ...flowRoutes,
  ...stageRoutes,
  ...promptRoutes,
  ...policyRoutes,
  ...fileRoutes,
  ...objectAttributeRoutes,
];

interface Compiled {
  template: string;
  re: RegExp;
  names: string[];
  routes: Route[];
}

function compile(routes: Route[]): Compiled[] {
  const byTemplate = new Map<string, Route[]>();
  for (const r of routes) byTemplate.set(r.template, [...(byTemplate.get(r.template) ?? []), r]);
  const out: Compiled[] = [];
  for (const [template, rs] of byTemplate) {
    const names: string[] = [];
    const src = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      // DRF's router lookup_value_regex: a value with a dot never resolves (Django's 404 page)
      return '([^/.]+)';
    });
    out.push({ template, re: new RegExp(`^${src}$`), names, routes: rs });
  }
  // literal segments beat parameters: "/core/users/me/" before "/core/users/{id}/"
  return out.sort((x, y) => x.names.length - y.names.length);
}

const COMPILED = compile(ALL_ROUTES);

export type Match =
  | { kind: 'route'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; template: string; allowed: string[] }
  | { kind: 'not-found' };

/** `apiPath` is the part after /api/v3, e.g. "/core/users/4/". */
export function matchRoute(method: string, apiPath: string): Match {
  for (const c of COMPILED) {
    const m = c.re.exec(apiPath);
    if (!m) continue;
    const params: Record<string, string> = {};
    c.names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1] ?? '');
    });
    const route = c.routes.find((r) => r.method === method) ?? (method === 'HEAD' ? c.routes.find((r) => r.method === 'GET') : undefined);
    if (route) return { kind: 'route', route, params };
    return { kind: 'method-not-allowed', template: c.template, allowed: c.routes.map((r) => r.method) };
  }
  return { kind: 'not-found' };
}
