import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyRecord, ApplicationRecord, DeviceRecord, EmulatorStore, UserRecord } from './store.ts';
import type { SessionClaims, SessionTokens } from './tokens.ts';

/** Who a request authenticates as, after the server checked what it presented. */
export type Credential =
  | { kind: 'none' }
  | { kind: 'session'; user: UserRecord; claims: SessionClaims }
  | { kind: 'userApiKey'; user: UserRecord; apiKey: ApiKeyRecord }
  | { kind: 'deviceApiKey'; device: DeviceRecord; apiKey: ApiKeyRecord }
  | { kind: 'applicationApiKey'; application: ApplicationRecord; apiKey: ApiKeyRecord };

/** A full session: a user JWT that is not waiting for its 2FA code. */
export type FullSession = Extract<Credential, { kind: 'session' }>;

/**
 * The raw value a request presents: `Authorization: Bearer <v>`, else the `apikey` query parameter.
 *
 * @example
 * ```ts
 * presentedCredential({ authorization: 'Bearer abc' }, new URLSearchParams()); // 'abc'
 * ```
 */
export function presentedCredential(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): string | undefined {
  const match = /^Bearer\s+(.*)$/i.exec(headers.authorization ?? '');
  const value = match ? match[1].trim() : (query.get('apikey') ?? '');
  return value === '' ? undefined : value;
}

/**
 * How the request log labels a presented value: a value with a `.` is a JWT, anything else an API key.
 *
 * @example
 * ```ts
 * credentialKind('eyJ.x.y'); // 'jwt'
 * ```
 */
export function credentialKind(value: string | undefined): 'none' | 'jwt' | 'apikey' {
  if (value === undefined) return 'none';
  return value.includes('.') ? 'jwt' : 'apikey';
}

/**
 * Check a presented value as open-balena-api does: a value containing `.` must be a valid,
 * unexpired session JWT whose `jwt_secret` is its user's current one; any other value is looked
 * up as a live API key. Anything that fails is no credential at all.
 *
 * @example
 * ```ts
 * const credential = await resolveCredential(presentedCredential(req.headers, query), store, tokens);
 * if (credential.kind === 'none') return emptyReply(401);
 * ```
 */
export async function resolveCredential(
  value: string | undefined,
  store: EmulatorStore,
  tokens: SessionTokens,
): Promise<Credential> {
  if (value === undefined) return { kind: 'none' };
  if (value.includes('.')) {
    const claims = await tokens.verify(value);
    const user = claims && store.findUserById(claims.id);
    if (!claims || !user || user.jwtSecret !== claims.jwt_secret) return { kind: 'none' };
    return { kind: 'session', user, claims };
  }
  const apiKey = store.findLiveApiKey(value);
  if (!apiKey) return { kind: 'none' };
  const { owner } = apiKey;
  if (owner.kind === 'user') {
    const user = store.findUserById(owner.userId);
    return user ? { kind: 'userApiKey', user, apiKey } : { kind: 'none' };
  }
  if (owner.kind === 'device') {
    const device = store.findDevice(owner.deviceId);
    return device ? { kind: 'deviceApiKey', device, apiKey } : { kind: 'none' };
  }
  const application = store.findApplication(owner.applicationId);
  return application ? { kind: 'applicationApiKey', application, apiKey } : { kind: 'none' };
}

/**
 * Whether the credential is a session JWT still waiting for its TOTP code ("partial user").
 *
 * @example
 * ```ts
 * if (isTwoFactorPending(credential)) return emptyReply(401);
 * ```
 */
export function isTwoFactorPending(credential: Credential): boolean {
  return credential.kind === 'session' && credential.claims.twoFactorRequired === true;
}

/**
 * The session, if the credential is a user JWT that is not 2FA-pending.
 *
 * @example
 * ```ts
 * const session = fullSessionOf(credential);
 * if (!session) return emptyReply(401);
 * ```
 */
export function fullSessionOf(credential: Credential): FullSession | undefined {
  if (credential.kind !== 'session' || isTwoFactorPending(credential)) return undefined;
  return credential;
}

/**
 * The user behind a fully authenticated user credential: a full session JWT or a user API key.
 *
 * @example
 * ```ts
 * const user = fullUserOf(credential);
 * ```
 */
export function fullUserOf(credential: Credential): UserRecord | undefined {
  if (credential.kind === 'userApiKey') return credential.user;
  return fullSessionOf(credential)?.user;
}
