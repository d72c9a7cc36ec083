import { fullSessionOf, fullUserOf } from './credentials.ts';
import { emptyReply, jsonReply, type Reply, textReply, tooManyRequestsReply } from './http.ts';
import type { ApiServices, Route, RouteRequest } from './router.ts';
import { sessionClaimsFor } from './tokens.ts';

/**
 * Password login, whoami and token refresh, as open-balena-api serves them.
 *
 * - `POST /login_` → 200 text JWT; 401 empty; 400 for a missing field; 429 when rate limited.
 * - `GET /actor/v1/whoami` → the actor of any credential; 401 empty otherwise.
 * - `GET /user/v1/whoami` → `{id, username, email}` of a fully authenticated user.
 * - `GET|POST /user/v1/refresh-token` → a new text JWT for a full session JWT.
 *
 * @example
 * ```ts
 * const routes = [...authRoutes(services), ...totpRoutes(services)];
 * ```
 */
export function authRoutes(services: ApiServices): Route[] {
  const { store, tokens, loginRateLimiter, now } = services;

  const login = async (request: RouteRequest): Promise<Reply> => {
    const { username, password } = request.body;
    if (typeof username !== 'string' || typeof password !== 'string') {
      return textReply(400, 'Missing credentials');
    }
    const limitKey = `${request.remoteAddress}|${username.toLowerCase()}`;
    const retryAfter = loginRateLimiter.retryAfterSeconds(limitKey);
    if (retryAfter !== undefined) return tooManyRequestsReply(retryAfter);
    const user = store.findUserByLogin(username);
    if (!user || user.password !== password) {
      loginRateLimiter.recordFailure(limitKey);
      return emptyReply(401);
    }
    loginRateLimiter.recordSuccess(limitKey);
    const twoFactorRequired = user.totpSecret === undefined ? undefined : true;
    return textReply(200, await tokens.sign(sessionClaimsFor(user, now(), twoFactorRequired)));
  };

  const actorWhoami = (request: RouteRequest): Reply => {
    const { credential } = request;
    switch (credential.kind) {
      case 'deviceApiKey':
        return jsonReply(200, {
          id: credential.device.actorId,
          actorType: 'device',
          actorTypeId: credential.device.id,
          uuid: credential.device.uuid,
        });
      case 'applicationApiKey':
        return jsonReply(200, {
          id: credential.application.actorId,
          actorType: 'application',
          actorTypeId: credential.application.id,
          slug: credential.application.slug,
        });
      default: {
        const user = fullUserOf(credential);
        if (!user) return emptyReply(401);
        return jsonReply(200, {
          id: user.actorId,
          actorType: 'user',
          actorTypeId: user.id,
          username: user.username,
          email: user.email,
        });
      }
    }
  };

  const userWhoami = (request: RouteRequest): Reply => {
    const user = fullUserOf(request.credential);
    if (!user) return emptyReply(401);
    return jsonReply(200, { id: user.id, username: user.username, email: user.email });
  };

  const refreshToken = async (request: RouteRequest): Promise<Reply> => {
    const session = fullSessionOf(request.credential);
    if (!session) return emptyReply(401);
    let { authTime } = session.claims;
    const { password } = request.body;
    if (request.method === 'POST' && password !== undefined) {
      if (password !== session.user.password) return emptyReply(401);
      authTime = now();
    }
    const claims = sessionClaimsFor(session.user, authTime, session.claims.twoFactorRequired);
    return textReply(200, await tokens.sign(claims));
  };

  return [
    { method: 'POST', path: '/login_', handle: login },
    { method: 'GET', path: '/actor/v1/whoami', handle: actorWhoami },
    { method: 'GET', path: '/user/v1/whoami', handle: userWhoami },
    { method: 'GET', path: '/user/v1/refresh-token', handle: refreshToken },
    { method: 'POST', path: '/user/v1/refresh-token', handle: refreshToken },
  ];
}
