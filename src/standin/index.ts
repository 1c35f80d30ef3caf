// The authentik stand-in: a stateful in-memory authentik for tests and `ak-avatars sandbox`.
// Contract: /tmp/ak-contracts.md ("Contract: stand-in").
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { FaultSet } from './faults.js';
import { createPolicyRunner } from './python.js';
import { loadSchemaChecker } from './schema.js';
import { freshState, newUser, nextUserPk } from './seed.js';
import { createStandinServer } from './server.js';
import type { Standin, StandinOptions, StandinState, StandinStateJson, TokenUser } from './types.js';
import { FULL_VERSION, STANDIN_VERSIONS, isStandinVersion } from './versions.js';

export type {
  Fault,
  RequestRecord,
  Standin,
  StandinOptions,
  StandinState,
  StandinStateJson,
  StandinVersion,
  TokenUser,
} from './types.js';
export { STANDIN_VERSIONS };

const STATE_KEYS: (keyof StandinStateJson)[] = [
  'format', 'settings', 'brand', 'users', 'groups', 'roles', 'flows', 'stages', 'bindings', 'prompts', 'policies', 'tokens', 'files',
  'object_attributes',
];

/** Replaces the contents of the live state object in place (handlers keep their reference). */
function replaceState(target: StandinState, json: StandinStateJson): void {
  if (!json || json.format !== 1) throw new Error('ak-standin: unsupported state dump (expected format 1)');
  const copy = structuredClone(json);
  // added after format 1 was first dumped: older dumps simply have no definitions
  copy.object_attributes ??= [];
  for (const k of STATE_KEYS) (target as unknown as Record<string, unknown>)[k] = copy[k];
}

export async function startStandin(opts: StandinOptions = {}): Promise<Standin> {
  const version = opts.version ?? '2026.8';
  if (!isStandinVersion(version)) throw new Error(`ak-standin: unknown version ${String(version)} (use one of ${STANDIN_VERSIONS.join(', ')})`);
  const token = opts.token ?? randomBytes(30).toString('hex');

  const state = freshState(token);
  if (opts.state) replaceState(state, opts.state);
  else {
    // a loaded state keeps its own tokens; a fresh one gets the admin token
    state.tokens = [{ key: token, username: 'akadmin', superuser: true }];
  }
  if (opts.pageSize !== undefined) state.settings['pagination_default_page_size'] = opts.pageSize;
  if (opts.maxPageSize !== undefined) state.settings['pagination_max_page_size'] = opts.maxPageSize;
  if (opts.state && !state.tokens.some((t) => t.key === token) && opts.token !== undefined) {
    state.tokens.push({ key: token, username: 'akadmin', superuser: true });
  }

  const schema = opts.schemaCheck === false ? null : await loadSchemaChecker(version);
  const faults = new FaultSet();
  const requests: Standin['requests'] = [];
  const violations: string[] = [];
  const fullVersion = FULL_VERSION[version];

  const server = createStandinServer({
    state,
    version,
    fullVersion,
    faults,
    requests,
    violations,
    schema,
    python: createPolicyRunner(),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    version: fullVersion,
    state,
    faults: { add: (f) => faults.add(f), clear: () => faults.clear() },
    requests,
    violations,
    addToken(key: string, user: TokenUser): void {
      if (!state.users.some((u) => u.username === user.username)) {
        const pk = nextUserPk(state.users);
        const uuid = `00000000-0000-4000-8000-${String(pk).padStart(12, '0')}`;
        state.users.push(newUser({ pk, uuid, username: user.username, name: user.username }, new Date().toISOString()));
      }
      state.tokens = state.tokens.filter((t) => t.key !== key);
      state.tokens.push({ key, ...structuredClone(user) });
    },
    dump: () => structuredClone(state),
    load: (json) => replaceState(state, json),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
