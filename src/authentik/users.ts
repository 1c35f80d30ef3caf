// The ONE way to find a user: exact filters only (?username= / ?email= / ?uuid= / GET core/users/{id}/).
// `?search=` is a case-insensitive contains match and is used only to suggest names after a miss.
// Matches are re-checked client-side, so a server (or proxy) that ignores a filter can never make
// us pick the wrong user.

import { CliError, ExitCode } from '../errors.js';
import type { AuthentikClient } from './client.js';
import { ApiError } from './errors.js';
import type { Paginated, User } from './types.js';

export type UserSelector = 'username' | 'email' | 'uuid' | 'id';

export const USER_SELECTORS: readonly UserSelector[] = ['username', 'email', 'uuid', 'id'];

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const MAX_NAMED = 10;

/** digits -> id, uuid shape -> uuid, contains @ -> email, else username. */
export function detectSelector(value: string): UserSelector {
  const v = value.trim();
  if (/^\d+$/.test(v)) return 'id';
  if (UUID_RE.test(v)) return 'uuid';
  if (v.includes('@')) return 'email';
  return 'username';
}

/**
 * Finds exactly one user. 0 or >1 matches -> CliError exit 5 naming what was tried / the candidates.
 * When the selector was guessed as "email" and nobody has that email, the value is also tried as a
 * username (authentik installations often use e-mail addresses as usernames). An explicit `by` is
 * never second-guessed.
 */
export async function resolveUser(client: AuthentikClient, value: string, by?: UserSelector): Promise<User> {
  const v = value.trim();
  if (v === '') throw new CliError('no user given', ExitCode.USAGE, { hint: 'name a user by username, email, uuid or id' });
  const sel = by ?? detectSelector(v);

  if (sel === 'id') return byId(client, v, by === undefined);
  if (sel === 'uuid' && !UUID_RE.test(v)) {
    throw new CliError(`"${v}" is not a uuid`, ExitCode.USAGE, { hint: 'a user uuid looks like 3f2b6c1e-8a1d-4d0e-9a57-1c2d3e4f5a6b' });
  }

  let matches = await findExact(client, sel, v);
  if (matches.length === 0 && by === undefined && sel === 'email') {
    matches = await findExact(client, 'username', v);
  }
  if (matches.length === 1) return matches[0] as User;
  if (matches.length > 1) {
    throw new CliError(
      `${matches.length} users match ${sel} "${v}": ${nameList(matches)}`,
      ExitCode.NOT_FOUND,
      { hint: `pick one by id (e.g. ${matches[0]?.pk}) or by username` },
    );
  }
  throw new CliError(`no user matches ${sel} "${v}"`, ExitCode.NOT_FOUND, { hint: await missHint(client, v, sel) });
}

async function byId(client: AuthentikClient, v: string, guessed: boolean): Promise<User> {
  if (!/^\d+$/.test(v)) {
    throw new CliError(`"${v}" is not a user id`, ExitCode.USAGE, { hint: 'a user id is the number authentik shows as the user\'s pk' });
  }
  try {
    return await client.get<User>(`core/users/${v}/`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      throw new CliError(`no user matches id ${v}`, ExitCode.NOT_FOUND, {
        hint: guessed
          ? 'a number is taken as a user id; to find a user whose username is a number, select by username explicitly'
          : 'check the id (the user\'s pk in authentik)',
      });
    }
    throw e;
  }
}

async function findExact(client: AuthentikClient, sel: Exclude<UserSelector, 'id'>, v: string): Promise<User[]> {
  const users = await client.paginate<User>('core/users/', { [sel]: v, include_groups: false });
  const want = sel === 'uuid' ? normUuid(v) : v;
  return users.filter((u) => (sel === 'uuid' ? normUuid(String(u.uuid)) : u[sel]) === want);
}

/** One search request to suggest near names; failures there only drop the suggestion. */
async function missHint(client: AuthentikClient, v: string, sel: UserSelector): Promise<string> {
  const plain = `user look-ups are exact (and case-sensitive); check the ${sel}, or select by id, uuid, email or username`;
  try {
    const page = await client.get<Paginated<User>>('core/users/', { search: v, include_groups: false, page_size: 5 });
    const needle = v.toLowerCase();
    const near = (Array.isArray(page?.results) ? page.results : []).filter((u) =>
      [u.username, u.email, u.name].some((f) => typeof f === 'string' && f.toLowerCase().includes(needle)),
    );
    if (near.length > 0) return `did you mean ${nameList(near)}? ${plain}`;
  } catch {
    // suggestions are best effort
  }
  return plain;
}

function nameList(users: User[]): string {
  const named = users.slice(0, MAX_NAMED).map((u) => `${u.username} (id ${u.pk}${u.email ? `, ${u.email}` : ''})`);
  const more = users.length > MAX_NAMED ? ` and ${users.length - MAX_NAMED} more` : '';
  return named.join(', ') + more;
}

function normUuid(s: string): string {
  return s.toLowerCase().replace(/-/g, '');
}
