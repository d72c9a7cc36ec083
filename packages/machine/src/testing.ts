/**
 * `@balena-auth/machine/testing`: the parts behind `createAuth`, for tests and custom wiring. Run
 * `authMachine` with a client's services, replace a service with a fake through
 * `authMachine.provide({ actors })`, or read what the guards decide.
 *
 * @example
 * import { authMachine } from '@balena-auth/machine';
 * import { createApiClient, createAuthServices } from '@balena-auth/machine/testing';
 * const api = createApiClient({ apiUrl, requestTimeoutMs: 5_000 });
 * const actor = createActor(authMachine, { input: { services: createAuthServices({ api, store }) } });
 */
export {
  type ApiClient,
  type ApiClientOptions,
  type ApiRequest,
  createApiClient,
  MAX_REDIRECTS,
} from './api.ts';
export {
  type AuthActors,
  type AuthPlatform,
  type AuthServices,
  authActors,
  createAuthServices,
  type IssuedToken,
  type RefreshOutcome,
  type StoredToken,
} from './auth.actors.ts';
export { type AuthGuards, authGuards } from './auth.guards.ts';
export { QUERY_REQUESTS, QUEUED_REQUESTS, REQUESTS, TOKEN_REQUESTS } from './auth.requests.ts';
export { MAX_REQUEST_TIMEOUT_MS } from './options.ts';
export { RATE_LIMIT_MAX_RETRIES, RATE_LIMIT_MAX_WAIT_MS, RATE_LIMIT_MIN_WAIT_MS } from './rate-limit.ts';
export { redact, redactInspectionEvent } from './redact.ts';
export { MAX_RESPONSE_BYTES } from './response-body.ts';
export { isHeaderSafeCredential, MAX_CREDENTIAL_LENGTH } from './schemas.ts';
export {
  decodeClaims,
  isExpired,
  isJwt,
  isRefreshDue,
  redactToken,
  type SessionClaims,
  TOKEN_REFRESH_INTERVAL_MS,
  twoFactorStatus,
} from './token.ts';
