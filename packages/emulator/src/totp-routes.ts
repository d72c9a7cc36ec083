import { fullSessionOf, isTwoFactorPending } from './credentials.ts';
import { emptyReply, type Reply, textReply } from './http.ts';
import type { ApiServices, Route, RouteRequest } from './router.ts';
import { sessionClaimsFor } from './tokens.ts';
import { generateTotpSecret, isValidTotpCode } from './totp.ts';

/**
 * TOTP two-factor authentication (balenaCloud-only endpoints; their behaviour is inferred).
 *
 * - `GET /auth/totp/setup` → 200 text: a new pending base32 secret for a full session without 2FA.
 * - `POST /auth/totp/verify` `{code}` → 200 text JWT with `twoFactorRequired: false`, either passing
 *   the login challenge (2FA-pending JWT) or enabling 2FA (full JWT with a pending setup secret).
 * - `POST /auth/totp/disable` `{password}` → 200 text JWT without `twoFactorRequired`.
 *
 * @example
 * ```ts
 * const routes = totpRoutes(services);
 * ```
 */
export function totpRoutes(services: ApiServices): Route[] {
  const { tokens, now } = services;

  const setup = (request: RouteRequest): Reply => {
    const session = fullSessionOf(request.credential);
    if (!session || session.user.totpSecret !== undefined) return emptyReply(401);
    session.user.pendingTotpSecret = generateTotpSecret();
    return textReply(200, session.user.pendingTotpSecret);
  };

  const verify = async (request: RouteRequest): Promise<Reply> => {
    const { credential } = request;
    if (credential.kind !== 'session') return emptyReply(401);
    const { code } = request.body;
    if (typeof code !== 'string') return textReply(400, 'Missing code');
    const { user, claims } = credential;
    const challenge = isTwoFactorPending(credential);
    const secret = challenge ? user.totpSecret : user.pendingTotpSecret;
    if (secret === undefined || !isValidTotpCode(secret, code, now())) return emptyReply(401);
    if (!challenge) {
      user.totpSecret = secret;
      user.pendingTotpSecret = undefined;
    }
    return textReply(200, await tokens.sign(sessionClaimsFor(user, claims.authTime, false)));
  };

  const disable = async (request: RouteRequest): Promise<Reply> => {
    const session = fullSessionOf(request.credential);
    if (!session || session.user.totpSecret === undefined) return emptyReply(401);
    const { password } = request.body;
    if (typeof password !== 'string') return textReply(400, 'Missing password');
    if (password !== session.user.password) return emptyReply(401);
    session.user.totpSecret = undefined;
    session.user.pendingTotpSecret = undefined;
    return textReply(200, await tokens.sign(sessionClaimsFor(session.user, session.claims.authTime)));
  };

  return [
    { method: 'GET', path: '/auth/totp/setup', handle: setup },
    { method: 'POST', path: '/auth/totp/verify', handle: verify },
    { method: 'POST', path: '/auth/totp/disable', handle: disable },
  ];
}
