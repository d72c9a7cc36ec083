import { jwtVerify, SignJWT } from 'jose';

/** The claims of a session JWT, as open-balena-api issues them. */
export interface SessionClaims {
  /** The user id (not the actor id). */
  id: number;
  /** The user's current per-user secret; a mismatch means the session was revoked. */
  jwt_secret: string;
  /** ms epoch of the last real authentication (password or e-mail verification). */
  authTime: number;
  /** Seconds epoch. */
  iat: number;
  /** Seconds epoch. */
  exp: number;
  /** Absent: no 2FA; `true`: 2FA pending; `false`: 2FA passed. */
  twoFactorRequired?: boolean;
}

/** What a new session needs; `iat` defaults to now and `exp` to `iat` + the lifetime. */
export type NewSessionClaims = Omit<SessionClaims, 'iat' | 'exp'> & { iat?: number; exp?: number };

/**
 * The claims of a new session of `user`: its id and current `jwt_secret`, and the given auth time
 * and 2FA status (`undefined` leaves the claim out).
 *
 * @example
 * ```ts
 * await tokens.sign(sessionClaimsFor(user, now(), user.totpSecret ? true : undefined));
 * ```
 */
export function sessionClaimsFor(
  user: { id: number; jwtSecret: string },
  authTime: number,
  twoFactorRequired?: boolean,
): NewSessionClaims {
  return { id: user.id, jwt_secret: user.jwtSecret, authTime, twoFactorRequired };
}

/** Signs and verifies the session JWTs of one emulator (HS256 with the server secret). */
export interface SessionTokens {
  sign(claims: NewSessionClaims): Promise<string>;
  /** The claims of a well-signed, unexpired token of the expected shape; otherwise undefined. */
  verify(token: string): Promise<SessionClaims | undefined>;
}

/**
 * Session JWT signing and verification with the server secret and the emulator's clock.
 *
 * @example
 * ```ts
 * const tokens = createSessionTokens({ secret: 's3cret', now: Date.now, lifetimeSeconds: 3600 });
 * const jwt = await tokens.sign({ id: 1, jwt_secret: 'abc', authTime: Date.now() });
 * (await tokens.verify(jwt))?.id; // 1
 * ```
 */
export function createSessionTokens(settings: {
  secret: string;
  now: () => number;
  lifetimeSeconds: number;
}): SessionTokens {
  const key = new TextEncoder().encode(settings.secret);
  const nowSeconds = () => Math.floor(settings.now() / 1000);

  return {
    async sign(claims) {
      const iat = claims.iat ?? nowSeconds();
      const exp = claims.exp ?? iat + settings.lifetimeSeconds;
      const payload: Record<string, unknown> = {
        id: claims.id,
        jwt_secret: claims.jwt_secret,
        authTime: claims.authTime,
      };
      if (claims.twoFactorRequired !== undefined) payload.twoFactorRequired = claims.twoFactorRequired;
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
    },

    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          currentDate: new Date(settings.now()),
          requiredClaims: ['exp'],
        });
        if (!hasSessionShape(payload)) return undefined;
        return payload;
      } catch {
        return undefined;
      }
    },
  };
}

function hasSessionShape(
  payload: Record<string, unknown>,
): payload is Record<string, unknown> & SessionClaims {
  return (
    typeof payload.id === 'number' &&
    typeof payload.jwt_secret === 'string' &&
    typeof payload.authTime === 'number' &&
    typeof payload.iat === 'number' &&
    typeof payload.exp === 'number' &&
    (payload.twoFactorRequired === undefined || typeof payload.twoFactorRequired === 'boolean')
  );
}
