import { fullUserOf } from './credentials.ts';
import { emptyReply, type Reply, textReply } from './http.ts';
import type { ApiServices, Route, RouteRequest } from './router.ts';
import { sessionClaimsFor } from './tokens.ts';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD_LENGTH = 8;

/**
 * Sign-up and e-mail verification (balenaCloud-only endpoints; their behaviour is inferred).
 *
 * - `POST /user/register` `{email, password, username?}` → 200 text JWT of a new unverified user,
 *   and a verification e-mail in the outbox.
 * - `POST /user/v1/verify-email` `{verificationToken, email}` → 200 text JWT; 401 for a wrong token.
 * - `PATCH /v7/user(<id>)` `{has_been_sent_verification_email: true}` → a new verification e-mail.
 *
 * @example
 * ```ts
 * const routes = userRoutes(services);
 * ```
 */
export function userRoutes(services: ApiServices): Route[] {
  const { store, tokens, now } = services;

  const register = async (request: RouteRequest): Promise<Reply> => {
    const { email, password, username } = request.body;
    if (typeof email !== 'string' || !EMAIL_PATTERN.test(email)) return textReply(400, 'Invalid email');
    if (store.findUserByEmail(email)) return textReply(409, 'This email is already taken');
    if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
      return textReply(400, `Password must be at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    if (username !== undefined && (typeof username !== 'string' || username === '')) {
      return textReply(400, 'Invalid username');
    }
    if (username !== undefined && store.findUserByUsername(username)) {
      return textReply(409, 'This username is already taken');
    }
    const user = store.addUser({ email, password, username, verified: false });
    store.sendVerificationEmail(user);
    return textReply(200, await tokens.sign(sessionClaimsFor(user, now())));
  };

  const verifyEmail = async (request: RouteRequest): Promise<Reply> => {
    const { verificationToken, email } = request.body;
    if (typeof verificationToken !== 'string' || typeof email !== 'string') {
      return textReply(400, 'Missing verificationToken or email');
    }
    const user = store.findUserByEmail(email);
    if (!user || user.verificationToken === undefined || user.verificationToken !== verificationToken) {
      return textReply(401, 'Invalid verification token');
    }
    user.verified = true;
    user.verificationToken = undefined;
    const twoFactorRequired = user.totpSecret === undefined ? undefined : true;
    return textReply(200, await tokens.sign(sessionClaimsFor(user, now(), twoFactorRequired)));
  };

  const patchUser = (request: RouteRequest): Reply => {
    const user = fullUserOf(request.credential);
    if (!user || Number(request.params[0]) !== user.id) return emptyReply(401);
    const fields = Object.keys(request.body);
    if (fields.length !== 1 || request.body.has_been_sent_verification_email !== true) {
      return textReply(400, 'Only has_been_sent_verification_email: true can be set');
    }
    store.sendVerificationEmail(user);
    return textReply(200, 'OK');
  };

  return [
    { method: 'POST', path: '/user/register', handle: register },
    { method: 'POST', path: '/user/v1/verify-email', handle: verifyEmail },
    { method: 'PATCH', path: /^\/v7\/user\((?:id=)?(\d+)\)$/, handle: patchUser },
  ];
}
