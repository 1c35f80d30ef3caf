// The ONE way to find a user: exact filters only (?username= / ?email= / ?uuid= / GET core/users/{id}/).
// `?search=` is a case-insensitive contains match and is used only to suggest names after a miss.
// Matches are re-checked client-side, so a server (or proxy) that ignores a filter can never make
// us pick the wrong user. resolveUsers() applies the very same rules (the same matcher, the same
// 0 / >1 errors) to many values at once, against one list of users when that is cheaper.

import { CliError, ExitCode } from '../errors.js';
import type { AuthentikClient } from './client.js';
import { ApiError } from './errors.js';
import type { Paginated, User } from './types.js';

export type UserSelector = 'username' | 'email' | 'uuid' | 'id';

export const USER_SELECTORS: readonly UserSelector[] = ['username', 'email', 'uuid', 'id'];

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const MAX_NAMED = 10;
const MAX_SUGGESTED = 5;

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
  const sel = checkValue(v, by);

  if (sel === 'id') return byId(client, v, by === undefined);

  let found = await findExact(client, sel, v);
  if (found.length === 0 && by === undefined && sel === 'email') {
    found = await findExact(client, 'username', v);
  }
  if (found.length === 1) return found[0] as User;
  if (found.length > 1) throw ambiguous(found, sel, v);
  throw new CliError(`no user matches ${sel} "${v}"`, ExitCode.NOT_FOUND, { hint: await missHint(client, v, sel) });
}

/**
 * Resolves many values with the rules of resolveUser(); the answer maps each given value to its user
 * or to the CliError resolveUser() would have thrown for it (0 or >1 matches: exit 5; a malformed
 * id/uuid: exit 2). Errors that are not about one value (network, permission) are thrown.
 * One request first lists the first page of users: when the rest of the list takes no more requests
 * than one look-up per value, the whole list is read and matched locally (one paginated list for any
 * number of values); otherwise each value is looked up with the exact filters.
 */
export async function resolveUsers(client: AuthentikClient, values: readonly string[], by?: UserSelector): Promise<Map<string, User | CliError>> {
  const out = new Map<string, User | CliError>();
  const todo: string[] = [];
  for (const value of new Set(values)) {
    try {
      checkValue(value.trim(), by);
      todo.push(value);
    } catch (e) {
      out.set(value, e as CliError);
    }
  }
  if (todo.length === 0) return out;

  const first = await client.get<unknown>('core/users/', { ...LIST_QUERY, page: 1 });
  const page = asUserPage(first);
  const next = page?.pagination.next;
  const total = page?.pagination.total_pages;
  const morePages = !page ? Infinity : !next ? 0 : typeof total === 'number' && total > 1 ? total - 1 : Infinity;
  if (!page || morePages > todo.length) {
    // Few values among many users: exact look-ups are cheaper than reading everyone.
    for (const value of todo) {
      try {
        out.set(value, await resolveUser(client, value, by));
      } catch (e) {
        if (!isPerValue(e)) throw e;
        out.set(value, e);
      }
    }
    return out;
  }
  const users = page.results.concat(next ? await client.paginate<User>('core/users/', { ...LIST_QUERY, page: next }) : []);
  for (const value of todo) {
    try {
      out.set(value, pickUser(users, value.trim(), by));
    } catch (e) {
      out.set(value, e as CliError);
    }
  }
  return out;
}

/** Every user (one paginated list, no group objects): for commands that work on all users. */
export function listUsers(client: AuthentikClient): Promise<User[]> {
  return client.paginate<User>('core/users/', LIST_QUERY);
}

/** include_groups=false: group objects can be large and we never read them; 100 is authentik's default page-size cap. */
const LIST_QUERY = { include_groups: false, page_size: 100 } as const;

/** The selector for a value, or the usage error resolveUser() gives for it (before any request). */
function checkValue(v: string, by: UserSelector | undefined): UserSelector {
  if (v === '') throw new CliError('no user given', ExitCode.USAGE, { hint: 'name a user by username, email, uuid or id' });
  const sel = by ?? detectSelector(v);
  if (sel === 'id' && !/^\d+$/.test(v)) {
    throw new CliError(`"${v}" is not a user id`, ExitCode.USAGE, { hint: 'a user id is the number authentik shows as the user\'s pk' });
  }
  if (sel === 'uuid' && !UUID_RE.test(v)) {
    throw new CliError(`"${v}" is not a uuid`, ExitCode.USAGE, { hint: 'a user uuid looks like 3f2b6c1e-8a1d-4d0e-9a57-1c2d3e4f5a6b' });
  }
  return sel;
}

/** resolveUser() on a list already read: same matcher, same fallback, same errors. */
function pickUser(users: readonly User[], v: string, by: UserSelector | undefined): User {
  const sel = checkValue(v, by);
  let found = users.filter((u) => matches(u, sel, v));
  if (found.length === 0 && by === undefined && sel === 'email') found = users.filter((u) => matches(u, 'username', v));
  if (found.length === 1) return found[0] as User;
  if (found.length > 1) throw ambiguous(found, sel, v);
  if (sel === 'id') throw new CliError(`no user matches id ${v}`, ExitCode.NOT_FOUND, { hint: idMissHint(by === undefined) });
  throw new CliError(`no user matches ${sel} "${v}"`, ExitCode.NOT_FOUND, { hint: suggest(near(users, v), sel) });
}

/** The one definition of "this user matches": exact, uuids compared without case and dashes. */
function matches(u: User, sel: UserSelector, v: string): boolean {
  if (sel === 'id') return u.pk === Number(v);
  if (sel === 'uuid') return normUuid(String(u.uuid)) === normUuid(v);
  return u[sel] === v;
}

function ambiguous(found: User[], sel: UserSelector, v: string): CliError {
  return new CliError(`${found.length} users match ${sel} "${v}": ${nameList(found)}`, ExitCode.NOT_FOUND, {
    hint: `pick one by id (e.g. ${found[0]?.pk}) or by username`,
  });
}

function isPerValue(e: unknown): e is CliError {
  return e instanceof CliError && !(e instanceof ApiError) && (e.exitCode === ExitCode.NOT_FOUND || e.exitCode === ExitCode.USAGE);
}

function asUserPage(body: unknown): Paginated<User> | undefined {
  const b = body as Partial<Paginated<User>> | null;
  return b && typeof b === 'object' && Array.isArray(b.results) && b.pagination && typeof b.pagination === 'object' ? (b as Paginated<User>) : undefined;
}

async function byId(client: AuthentikClient, v: string, guessed: boolean): Promise<User> {
  try {
    return await client.get<User>(`core/users/${v}/`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      throw new CliError(`no user matches id ${v}`, ExitCode.NOT_FOUND, { hint: idMissHint(guessed) });
    }
    throw e;
  }
}

function idMissHint(guessed: boolean): string {
  return guessed
    ? 'a number is taken as a user id; to find a user whose username is a number, select by username explicitly'
    : 'check the id (the user\'s pk in authentik)';
}

async function findExact(client: AuthentikClient, sel: Exclude<UserSelector, 'id'>, v: string): Promise<User[]> {
  const users = await client.paginate<User>('core/users/', { [sel]: v, include_groups: false });
  return users.filter((u) => matches(u, sel, v));
}

/** One search request to suggest near names; failures there only drop the suggestion. */
async function missHint(client: AuthentikClient, v: string, sel: UserSelector): Promise<string> {
  try {
    const page = await client.get<Paginated<User>>('core/users/', { search: v, include_groups: false, page_size: MAX_SUGGESTED });
    return suggest(near(Array.isArray(page?.results) ? page.results : [], v), sel);
  } catch {
    return suggest([], sel); // suggestions are best effort
  }
}

/** Users whose username, email or name contains the value (case-insensitive), like authentik's ?search=. */
function near(users: readonly User[], v: string): User[] {
  const needle = v.toLowerCase();
  return users.filter((u) => [u.username, u.email, u.name].some((f) => typeof f === 'string' && f.toLowerCase().includes(needle))).slice(0, MAX_SUGGESTED);
}

function suggest(nearUsers: User[], sel: UserSelector): string {
  const plain = `user look-ups are exact (and case-sensitive); check the ${sel}, or select by id, uuid, email or username`;
  return nearUsers.length > 0 ? `did you mean ${nameList(nearUsers)}? ${plain}` : plain;
}

function nameList(users: User[]): string {
  const named = users.slice(0, MAX_NAMED).map((u) => `${u.username} (id ${u.pk}${u.email ? `, ${u.email}` : ''})`);
  const more = users.length > MAX_NAMED ? ` and ${users.length - MAX_NAMED} more` : '';
  return named.join(', ') + more;
}

function normUuid(s: string): string {
  return s.toLowerCase().replace(/-/g, '');
}
