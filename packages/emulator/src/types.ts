/**
 * Options of {@link startEmulator}. Every field is optional.
 *
 * @example
 * ```ts
 * let clock = Date.parse('2030-01-01T00:00:00Z');
 * const emulator = await startEmulator({ now: () => clock, loginRateLimit: false });
 * ```
 */
export interface EmulatorOptions {
  /** TCP port to listen on. Default `0`: any free port (read it from {@link Emulator.url}). */
  port?: number;
  /**
   * Loopback interface to bind: `'127.0.0.1'` (default), `'localhost'` (binds 127.0.0.1, the url says
   * `localhost`) or `'::1'`. Anything else makes `startEmulator` reject before binding.
   */
  host?: string;
  /** Clock in ms since the epoch, used for `iat`/`exp`/`authTime`, TOTP codes and rate limits. Default `Date.now`. */
  now?: () => number;
  /** Lifetime of the session JWTs the server issues, in seconds. Default 7 days. */
  tokenLifetimeSeconds?: number;
  /**
   * Login rate limit per (remote address + lowercased username). `false` turns it off.
   * Default `{ attempts: 10, windowMs: 2 h, blockMs: 1 h }`, as open-balena-api.
   */
  loginRateLimit?: LoginRateLimit | false;
  /** Secret the server signs session JWTs with (HS256). Default: random for each instance. */
  jwtSecret?: string;
  /** Create the demo accounts of {@link seedDemoAccounts} at start. Default `false`. */
  seed?: boolean;
  /**
   * Web origins whose pages may use the admin routes (`/__emulator/…`: users, TOTP codes, the
   * outbox, session tokens, faults), e.g. the page of a dev panel. Requests without an `Origin`
   * (server-side code, curl) and from the emulator's own origin are always answered; a request
   * from any other origin gets 403 without CORS headers, so a site open in the developer's
   * browser cannot read codes or mint sessions. The auth API routes answer every origin, as the
   * real API. At most 100, each `scheme://host[:port]` with no path. Default `[]`.
   *
   * @example
   * ```ts
   * const emulator = await startEmulator({ adminOrigins: ['http://127.0.0.1:48480'] });
   * ```
   */
  adminOrigins?: readonly string[];
}

/** Failed logins allowed per key within a window, and how long the key is then blocked. */
export interface LoginRateLimit {
  /** Failed attempts allowed within `windowMs`; the attempt after them is answered 429. */
  attempts: number;
  /** Length of the counting window in ms, starting at the first failure. */
  windowMs: number;
  /** How long a key is blocked once it went over the limit, in ms. */
  blockMs: number;
}

/** A user to create with {@link Emulator.createUser}. */
export interface NewUser {
  email: string;
  password: string;
  /** Default: the local part of the e-mail (with a numeric suffix if that username is taken). */
  username?: string;
  /** Enable TOTP two-factor authentication with a fresh secret (returned as `totpSecret`). */
  twoFactor?: boolean;
  /** Whether the e-mail address counts as verified. Default `true`. */
  verified?: boolean;
}

/** What {@link Emulator.createUser} returns. */
export interface CreatedUser {
  /** The user id (the `id` claim of its session JWTs, `actorTypeId` of its whoami). */
  id: number;
  /** The actor id (`id` of its `/actor/v1/whoami`). Actor ids never equal user ids. */
  actorId: number;
  /** The base32 TOTP secret, for users created with `twoFactor: true`. */
  totpSecret?: string;
}

/** Claims to override when minting a session JWT with {@link Emulator.sessionToken}. */
export interface SessionTokenClaims {
  /** Issued-at, in seconds since the epoch. Default: now. */
  iat?: number;
  /** Expiry, in seconds since the epoch. Default: `iat` + the token lifetime. */
  exp?: number;
  /** `true` makes a 2FA-pending token, `false` a 2FA-passed one; absent means "no 2FA". */
  twoFactorRequired?: boolean;
}

/** A verification e-mail the emulator "sent". */
export interface OutboxMessage {
  to: string;
  token: string;
}

/**
 * A fault to inject into the next requests of one path (see {@link Emulator.faults}).
 *
 * - `status`: answer with that status, optional body, content type and headers.
 * - `rateLimit`: 429 with `Retry-After: <retryAfterSeconds>` and the body `Too Many Requests`.
 * - `delay`: wait `ms`, then handle the request normally.
 * - `hang`: never answer, until the client gives up or the emulator closes.
 * - `reset`: destroy the socket without answering.
 * - `html`: an HTML error page (`text/html`), default status 502, as from a proxy.
 * - `invalidJson`: `application/json` with a body that is not JSON, default status 200.
 */
export type Fault =
  | { kind: 'status'; status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  | { kind: 'rateLimit'; retryAfterSeconds: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'html'; status?: number }
  | { kind: 'invalidJson'; status?: number };

/** Fault injection of one emulator. */
export interface FaultControls {
  /**
   * Apply `fault` to the next `times` requests (any method except OPTIONS) whose pathname equals
   * `path`. Faults queued for the same path apply in the order they were queued.
   *
   * @example
   * ```ts
   * emulator.faults.next('/actor/v1/whoami', { kind: 'status', status: 503 }, 2);
   * ```
   */
  next(path: string, fault: Fault, times?: number): void;
  /** Drop every queued fault. */
  clear(): void;
}

/** One request the emulator received (admin routes and OPTIONS preflights are not recorded). */
export interface RequestRecord {
  method: string;
  /** The pathname, without the query string. */
  path: string;
  /** The status answered; 0 if the socket was reset, the request hung, or the client gave up. */
  status: number;
  /** Which kind of credential the request presented (not whether it was valid). */
  authorization: 'none' | 'jwt' | 'apikey';
  /** The `X-Balena-Client` header, if any. */
  client?: string;
}

/**
 * A running emulator of the balena auth API, bound to a loopback address.
 *
 * @example
 * ```ts
 * const emulator = await startEmulator();
 * await emulator.createUser({ email: 'ada@example.com', password: 'correct horse' });
 * const res = await fetch(`${emulator.url}/login_`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ username: 'ada@example.com', password: 'correct horse' }),
 * });
 * await emulator.close();
 * ```
 */
export interface Emulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Close the server, every open or hanging socket and every timer. Idempotent. */
  close(): Promise<void>;
  /** Create a user. Rejects if the e-mail is taken. */
  createUser(user: NewUser): Promise<CreatedUser>;
  /** The current TOTP code of a user's enabled (or else pending setup) secret, by the emulator's clock. */
  totp(email: string): string;
  /** Create a user API key (32 alphanumeric characters) for the user. */
  createApiKey(email: string): Promise<string>;
  /** Mint a session JWT the server accepts, e.g. an old, nearly expired or 2FA-pending one. */
  sessionToken(email: string, claims?: SessionTokenClaims): Promise<string>;
  /** Create a device and a device API key for it. */
  createDeviceKey(): Promise<{ key: string; uuid: string }>;
  /** Create an application and a provisioning API key for it. */
  createProvisioningKey(): Promise<{ key: string; slug: string }>;
  /** A copy of the verification e-mails sent so far. */
  outbox(): OutboxMessage[];
  /** Fault injection. */
  faults: FaultControls;
  /** A copy of the request log. */
  requests(): RequestRecord[];
  /** Empty the request log. */
  clearRequests(): void;
  /** Rotate the user's `jwt_secret`: every session JWT issued to that user so far gets 401. */
  revokeSessions(email: string): void;
}

/** The demo accounts created by {@link seedDemoAccounts}. */
export interface SeededAccounts {
  /** A verified user without 2FA. */
  user: { email: string; password: string; username: string; id: number; actorId: number };
  /** A verified user with TOTP 2FA enabled. */
  twoFactorUser: {
    email: string;
    password: string;
    username: string;
    id: number;
    actorId: number;
    totpSecret: string;
  };
  /** A user API key of `user`. */
  apiKey: string;
}
