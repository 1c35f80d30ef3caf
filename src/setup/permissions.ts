// A token that lacks a permission gets authentik's 403 with a generic detail. We turn it into a
// message naming the object we were touching and the permission to grant. Which permission an
// endpoint needs lives in one place, the client's error mapping (src/authentik/errors.ts).
import { permissionFor } from '../authentik/errors.js';
import { CliError, ExitCode } from '../errors.js';

export { permissionFor };

/** HTTP status of an error thrown by the client (ApiError), without importing the client. */
export function statusOf(e: unknown): number | undefined {
  const s = (e as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

function detailOf(e: unknown): string {
  const d = (e as { detail?: unknown } | null)?.detail;
  return typeof d === 'string' ? d : '';
}

/** A 403 that is about the token itself (authentik answers 403, not 401, for a bad token). */
function isBadToken(e: unknown): boolean {
  return /token invalid|expired/i.test(detailOf(e)) || /token invalid\/expired/i.test((e as Error)?.message ?? '');
}

/**
 * Runs one API call; a 403 becomes "permission denied: <what> needs <permission>" (exit 4).
 * `what` names the object, e.g. "create prompt default-user-settings-field-avatar".
 */
export async function guarded<T>(what: string, method: string, path: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (statusOf(e) === 403 && !isBadToken(e)) {
      const perm = permissionFor(method, path);
      throw new CliError(`permission denied: ${what} needs ${perm ?? `access to ${path}`}`, ExitCode.AUTH, {
        hint: perm
          ? `grant the token's user ${perm} (a role with this permission), or use a superuser's token`
          : "use a token of a user with the needed permission (or a superuser's token)",
        cause: e,
      });
    }
    throw e;
  }
}

/** The permission a token needs to see an object it could not find but cannot create (400 "already exists"). */
export function invisibleObject(what: string, path: string, cause: unknown): CliError {
  const perm = permissionFor('GET', path);
  return new CliError(`${what} already exists but this token cannot see it`, ExitCode.AUTH, {
    hint: perm ? `grant the token's user ${perm}` : 'use a token with view permission on it',
    cause,
  });
}
