// Token authentication like authentik/api/authentication.py + DRF's permission flow:
// - no header, or a header without a space -> anonymous (endpoints needing auth answer 403
//   "Authentication credentials were not provided.": TokenAuthentication has no
//   authenticate_header, so DRF answers 403, not 401)
// - a scheme other than Bearer -> 403 "Unsupported authentication type"
// - "Bearer " with nothing after -> 403 "Malformed header"
// - unknown token, or the token's user is inactive -> 403 "Token invalid/expired"
import { HttpError, MSG, forbidden, type Principal } from './http.js';
import type { Access } from './routes/common.js';
import type { StandinState } from './types.js';

export function authenticate(state: StandinState, header: string | undefined, isSuperuser: (userPk: number) => boolean): Principal | null {
  const raw = (header ?? '').trim();
  if (raw === '' || !raw.includes(' ')) return null;
  const idx = raw.indexOf(' ');
  const scheme = raw.slice(0, idx);
  const key = raw.slice(idx + 1);
  if (scheme.toLowerCase() !== 'bearer') throw new HttpError(403, { detail: 'Unsupported authentication type' });
  if (key === '') throw new HttpError(403, { detail: 'Malformed header' });
  const token = state.tokens.find((t) => t.key === key);
  if (!token) throw new HttpError(403, { detail: MSG.tokenInvalid });
  const user = state.users.find((u) => u.username === token.username);
  if (!user || !user.is_active) throw new HttpError(403, { detail: MSG.tokenInvalid });
  return {
    username: user.username,
    userPk: user.pk,
    superuser: token.superuser ?? isSuperuser(user.pk),
    permissions: new Set(token.permissions ?? []),
  };
}

export function authorize(principal: Principal | null, access: Access): void {
  if (access === 'public') return;
  if (!principal) throw new HttpError(403, { detail: MSG.notProvided });
  if (access === 'authenticated' || principal.superuser) return;
  if (!access.perms.every((p) => principal.permissions.has(p))) throw forbidden();
}
