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
  type RefreshOutcome,
} from './auth.actors.ts';
export { type AuthClient, createAuth } from './auth.facade.ts';
export { type AuthGuards, authGuards } from './auth.guards.ts';
export { authMachine } from './auth.machine.ts';
export type {
  AuthContext,
  AuthEvent,
  AuthOptions,
  AuthReply,
  AuthRequest,
  BalenaAuth,
  BalenaTwoFactor,
  Outcome,
  TokenStore,
  UserInfo,
  WhoamiResult,
} from './auth.types.ts';
export * from './errors.ts';
export { memoryTokenStore } from './memory-store.ts';
export { MAX_REQUEST_TIMEOUT_MS } from './options.ts';
export {
  RATE_LIMIT_MAX_RETRIES,
  RATE_LIMIT_MAX_WAIT_MS,
  RATE_LIMIT_MIN_WAIT_MS,
} from './rate-limit.ts';
export { redact, redactInspectionEvent } from './redact.ts';
export { MAX_RESPONSE_BYTES } from './response-body.ts';
export { isHeaderSafeCredential, MAX_CREDENTIAL_LENGTH } from './schemas.ts';
export {
  decodeClaims,
  isExpired,
  isJwt,
  isRefreshDue,
  redactToken,
  TOKEN_REFRESH_INTERVAL_MS,
  twoFactorStatus,
} from './token.ts';
