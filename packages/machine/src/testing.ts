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
export { type ApiClient, type ApiClientOptions, type ApiRequest, createApiClient } from './api.ts';
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
export { redact, redactInspectionEvent } from './redact.ts';
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
