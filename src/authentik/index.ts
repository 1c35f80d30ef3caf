// Public surface of the authentik client. Importing this module loads axios: the CLI imports it
// lazily (dynamic import) so --help/--version never do. types.ts, version.ts and errors.ts can be
// imported directly without loading axios.

export { AuthentikClient, MAX_PAGES, type Query } from './client.js';
export {
  apiBaseUrl,
  backoffMs,
  retryAfterMs,
  shouldRetry,
  DEFAULT_RETRIES,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_TIMEOUT_MS,
  MAX_RETRY_AFTER_MS,
  type ClientOptions,
  type RequestStats,
} from './http.js';
export {
  ApiError,
  TOKEN_HINT,
  exitCodeFor,
  flattenErrors,
  permissionHint,
  toApiError,
  type ApiErrorInit,
  type RequestContext,
} from './errors.js';
export {
  MIN_VERSION,
  assertSupported,
  atLeast,
  compareVersions,
  featuresFor,
  parseVersion,
  type Features,
  type VersionInfo,
} from './version.js';
export { USER_SELECTORS, detectSelector, resolveUser, type UserSelector } from './users.js';
export type * from './types.js';
