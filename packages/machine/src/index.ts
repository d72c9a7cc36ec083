export { type AuthClient, createAuth } from './auth.facade.ts';
export { authMachine } from './auth.machine.ts';
export type { RequestResult, RequestTable, RequestType } from './auth.requests.ts';
export type {
  AuthApi,
  AuthApiOptions,
  AuthChangeEvent,
  AuthContext,
  AuthEvent,
  AuthOptions,
  AuthReply,
  AuthRequest,
  AuthSession,
  BalenaAuth,
  BalenaTwoFactor,
  Outcome,
  TokenStore,
  UserInfo,
  WhoamiResult,
} from './auth.types.ts';
export * from './errors.ts';
export { memoryTokenStore } from './memory-store.ts';
export { totpUri } from './totp-uri.ts';
