// Reading one user for an avatar change, and checking the server's answer before trusting it:
// a user without a proper attributes dict is refused, never "repaired" by a write.

import { CliError, ExitCode } from '../errors.js';
import { isPlainObject, type Attributes } from './attributes.js';

/** The part of the authentik client this module needs (AuthentikClient fits it). */
export interface AvatarApi {
  readonly baseUrl: string;
  get<T>(path: string, params?: Record<string, string | number | boolean | undefined>): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  features(): Promise<{ settingsApi: boolean }>;
}

export interface AvatarUser {
  pk: number;
  username: string;
  name: string;
  email: string;
  attributes: Attributes;
}

export function userPath(pk: number): string {
  return `core/users/${pk}/`;
}

/** Validates a user object from the API; anything unexpected is a one-line error. */
export function toAvatarUser(raw: unknown, what: string): AvatarUser {
  if (!isPlainObject(raw)) throw badAnswer(what, 'not an object');
  const { pk, username, name, email, attributes } = raw;
  if (typeof pk !== 'number' || !Number.isSafeInteger(pk)) throw badAnswer(what, 'no numeric pk');
  if (typeof username !== 'string') throw badAnswer(what, 'no username');
  // authentik always returns attributes; a missing or non-dict value means we cannot preserve it.
  if (!isPlainObject(attributes)) throw badAnswer(what, 'attributes is not a JSON object');
  return {
    pk,
    username,
    name: typeof name === 'string' ? name : '',
    email: typeof email === 'string' ? email : '',
    attributes,
  };
}

function badAnswer(what: string, why: string): CliError {
  return new CliError(`unexpected answer from authentik for ${what}: ${why}`, ExitCode.ERROR, {
    hint: 'nothing was changed',
  });
}

export async function loadUser(api: AvatarApi, pk: number): Promise<AvatarUser> {
  return toAvatarUser(await api.get<unknown>(userPath(pk)), `user ${pk}`);
}
