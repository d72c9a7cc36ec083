import { faultProblem, pathProblem, timesProblem } from './faults.ts';
import { jsonReply, type Reply } from './http.ts';
import { checkedNewUser } from './new-user.ts';
import type { Route, RouteRequest } from './router.ts';
import type { Emulator, Fault, SessionTokenClaims } from './types.ts';

/** Every admin route lives under this prefix; such requests are neither faulted nor logged. */
export const ADMIN_PREFIX = '/__emulator';

/**
 * Whether a pathname belongs to the admin API.
 *
 * @example
 * ```ts
 * isAdminPath('/__emulator/faults'); // true
 * ```
 */
export function isAdminPath(pathname: string): boolean {
  return pathname === ADMIN_PREFIX || pathname.startsWith(`${ADMIN_PREFIX}/`);
}

/**
 * The admin API, for test code in another process than the emulator (JSON in and out, errors as
 * `{"error": "..."}` with 400):
 *
 * - `POST /__emulator/faults` `{path, fault, times?}`, `DELETE /__emulator/faults`
 * - `GET /__emulator/requests`, `DELETE /__emulator/requests`
 * - `GET /__emulator/outbox`
 * - `POST /__emulator/users` (a {@link NewUser}) → `{id, actorId, totpSecret?}`
 * - `GET /__emulator/totp?email=` → `{code}`
 * - `POST /__emulator/api-keys` `{email}` → `{key}`
 * - `POST /__emulator/session-tokens` `{email, iat?, exp?, twoFactorRequired?}` → `{token}`
 * - `POST /__emulator/revoke-sessions` `{email}` → `{revoked: true}`
 * - `POST /__emulator/device-keys` → `{key, uuid}`; `POST /__emulator/provisioning-keys` → `{key, slug}`
 *
 * @example
 * ```ts
 * await fetch(`${url}/__emulator/faults`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ path: '/actor/v1/whoami', fault: { kind: 'status', status: 503 } }),
 * });
 * ```
 */
export function adminRoutes(emulator: Emulator): Route[] {
  const queueFault = ({ body }: RouteRequest): Reply => {
    const times = body.times ?? 1;
    const problem = pathProblem(body.path) ?? faultProblem(body.fault) ?? timesProblem(times);
    if (problem) return adminError(problem);
    const queued = { path: body.path as string, fault: body.fault as Fault, times: times as number };
    emulator.faults.next(queued.path, queued.fault, queued.times);
    return jsonReply(200, { queued });
  };

  const createUser = async ({ body }: RouteRequest): Promise<Reply> => {
    const checked = checkedNewUser(body);
    if ('problem' in checked) return adminError(checked.problem);
    return replyOrAdminError(async () => jsonReply(200, await emulator.createUser(checked.user)));
  };

  const totp = async ({ query }: RouteRequest): Promise<Reply> => {
    const email = query.get('email');
    if (!email) return adminError('the email query parameter is required');
    return replyOrAdminError(() => jsonReply(200, { code: emulator.totp(email) }));
  };

  const createApiKey = async ({ body }: RouteRequest): Promise<Reply> => {
    if (typeof body.email !== 'string') return adminError('email must be a string');
    const email = body.email;
    return replyOrAdminError(async () => jsonReply(200, { key: await emulator.createApiKey(email) }));
  };

  const sessionToken = async ({ body }: RouteRequest): Promise<Reply> => {
    const { email, iat, exp, twoFactorRequired } = body;
    if (typeof email !== 'string') return adminError('email must be a string');
    if (iat !== undefined && !Number.isInteger(iat)) return adminError('iat must be an integer (seconds)');
    if (exp !== undefined && !Number.isInteger(exp)) return adminError('exp must be an integer (seconds)');
    if (twoFactorRequired !== undefined && typeof twoFactorRequired !== 'boolean') {
      return adminError('twoFactorRequired must be a boolean');
    }
    const claims = { iat, exp, twoFactorRequired } as SessionTokenClaims;
    return replyOrAdminError(async () =>
      jsonReply(200, { token: await emulator.sessionToken(email, claims) }),
    );
  };

  const revokeSessions = async ({ body }: RouteRequest): Promise<Reply> => {
    if (typeof body.email !== 'string') return adminError('email must be a string');
    const email = body.email;
    return replyOrAdminError(() => {
      emulator.revokeSessions(email);
      return jsonReply(200, { revoked: true });
    });
  };

  const cleared = (clear: () => void) => (): Reply => {
    clear();
    return jsonReply(200, { cleared: true });
  };

  return [
    { method: 'POST', path: `${ADMIN_PREFIX}/faults`, handle: queueFault },
    { method: 'DELETE', path: `${ADMIN_PREFIX}/faults`, handle: cleared(() => emulator.faults.clear()) },
    { method: 'GET', path: `${ADMIN_PREFIX}/requests`, handle: () => jsonReply(200, emulator.requests()) },
    { method: 'DELETE', path: `${ADMIN_PREFIX}/requests`, handle: cleared(() => emulator.clearRequests()) },
    { method: 'GET', path: `${ADMIN_PREFIX}/outbox`, handle: () => jsonReply(200, emulator.outbox()) },
    { method: 'POST', path: `${ADMIN_PREFIX}/users`, handle: createUser },
    { method: 'GET', path: `${ADMIN_PREFIX}/totp`, handle: totp },
    { method: 'POST', path: `${ADMIN_PREFIX}/api-keys`, handle: createApiKey },
    { method: 'POST', path: `${ADMIN_PREFIX}/session-tokens`, handle: sessionToken },
    { method: 'POST', path: `${ADMIN_PREFIX}/revoke-sessions`, handle: revokeSessions },
    {
      method: 'POST',
      path: `${ADMIN_PREFIX}/device-keys`,
      handle: async () => jsonReply(200, await emulator.createDeviceKey()),
    },
    {
      method: 'POST',
      path: `${ADMIN_PREFIX}/provisioning-keys`,
      handle: async () => jsonReply(200, await emulator.createProvisioningKey()),
    },
  ];
}

/**
 * The admin API's error reply: `{"error": message}` with the given status (default 400).
 *
 * @example
 * ```ts
 * adminError('Unknown emulator admin route', 404);
 * ```
 */
export function adminError(message: string, status = 400): Reply {
  return jsonReply(status, { error: message });
}

/** Run an emulator call; an Error it throws (e.g. an unknown e-mail) becomes a 400 `{error}`. */
async function replyOrAdminError(run: () => Reply | Promise<Reply>): Promise<Reply> {
  try {
    return await run();
  } catch (error) {
    return adminError(error instanceof Error ? error.message : String(error));
  }
}
