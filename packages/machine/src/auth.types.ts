import type { InspectionEvent } from 'xstate';
import type { WhoamiResult } from './schemas.ts';

export type { WhoamiResult } from './schemas.ts';

/**
 * Where the credential lives. An adapter supplies one (a file, localStorage); `memoryTokenStore()`
 * keeps it in memory. Values are the bare token string.
 *
 * @example
 * const store: TokenStore = { get: async () => undefined, set: async () => {}, remove: async () => {} };
 */
export interface TokenStore {
  /** The stored token, or undefined when none is stored. */
  get(): Promise<string | undefined>;
  /** Stores `token`, replacing any previous one. */
  set(token: string): Promise<void>;
  /** Forgets the stored token; succeeds when none is stored. */
  remove(): Promise<void>;
  /**
   * Reports changes made by someone else (another tab, another process, the balena CLI).
   * Returns an unsubscribe function.
   */
  subscribe?(onExternalChange: (token: string | undefined) => void): () => void;
  /**
   * Runs `task` while holding this store's lock across tabs or processes (Web Locks, a lock file),
   * so that a token refresh and its write, or a logout, are not interleaved with another client's.
   * Optional: without it, tasks run unguarded.
   */
  exclusive?<T>(task: () => Promise<T>): Promise<T>;
}

/** Options of `createAuth`. Only `store` is required. */
export interface AuthOptions {
  /** The balena API. Default `'https://api.balena-cloud.com'`. Tokens are only ever sent to its origin. */
  apiUrl?: string;
  /** Where the credential is kept. */
  store: TokenStore;
  /** Transport override, e.g. for tests. Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** The clock in ms since the epoch, used for token age and expiry. Default `Date.now`. */
  now?: () => number;
  /**
   * Receives every inspection event of the running machine, with tokens, passwords and codes
   * redacted: a function, or an observer such as `@statelyai/inspect`'s `inspector.inspect`.
   *
   * @example
   * const inspector = createBrowserInspector();
   * createAuth({ store, inspect: inspector.inspect });
   */
  inspect?: ((event: InspectionEvent) => void) | { next?: (event: InspectionEvent) => void };
  /**
   * Retry a request answered 429 after its `Retry-After`: `true`, or a function deciding from the
   * wait in ms (balena-sdk's option). Default false.
   */
  retryRateLimitedRequests?: boolean | ((retryAfterMs: number) => boolean);
  /** Per-request timeout in ms. Default 59 000, as balena-request. */
  requestTimeoutMs?: number;
}

/** The user information of `getUserInfo()`. */
export interface UserInfo {
  /** The user id. */
  id: number;
  /** The actor id. */
  actor: number;
  email: string | null;
  username: string;
}

/** The `auth.twoFactor` namespace of balena-sdk. */
export interface BalenaTwoFactor {
  /** True when the held session JWT carries a `twoFactorRequired` claim. No request. */
  isEnabled(): Promise<boolean>;
  /** False only while a 2FA challenge is pending. No request. */
  isPassed(): Promise<boolean>;
  /** `GET /auth/totp/setup`: a TOTP secret to enable 2FA with. Stores nothing. */
  getSetupKey(): Promise<string>;
  /** Confirms the first code from the setup key, stores and returns the new session token. */
  enable(code: string): Promise<string>;
  /** `POST /auth/totp/verify`: returns a fully authenticated token without storing it. */
  verify(code: string): Promise<string>;
  /** Passes the login challenge and stores the new token. */
  challenge(code: string): Promise<void>;
  /** `POST /auth/totp/disable`, stores and returns the new token. */
  disable(password: string): Promise<string>;
}

/**
 * The 19 methods of balena-sdk's `sdk.auth`, with the same names, arguments, results and errors.
 *
 * @example
 * await auth.login({ email: 'me@example.com', password: 'secret' });
 * if (!(await auth.twoFactor.isPassed())) await auth.twoFactor.challenge(code);
 * const { username } = await auth.getUserInfo();
 */
export interface BalenaAuth {
  /** `POST /login_`: returns a session token without storing it. */
  authenticate(credentials: { email: string; password: string }): Promise<string>;
  /** The actor id of the held credential (user, device or application). */
  getActorId(): Promise<number>;
  /** The held token (JWT or API key). No request. */
  getToken(): Promise<string>;
  /** `{ id, actor, email, username }` of the logged-in user; a plain Error for non-user credentials. */
  getUserInfo(): Promise<UserInfo>;
  /** Asks the server (`GET /actor/v1/whoami`) every time. */
  isLoggedIn(): Promise<boolean>;
  /** Password login; the token is stored. For a 2FA account, follow with `twoFactor.challenge`. */
  login(credentials: { email: string; password: string }): Promise<void>;
  /** Stores a session token or API key without asking the server (as balena-sdk). */
  loginWithToken(authToken: string): Promise<void>;
  /** Forgets the credential locally. Never rejects. */
  logout(): Promise<void>;
  /** `POST /user/register`: returns a session token without storing it. */
  register(credentials: {
    email: string;
    password: string;
    'g-recaptcha-response'?: string;
  }): Promise<string>;
  /** Asks the server to send the verification e-mail again. */
  requestVerificationEmail(): Promise<void>;
  /** `POST /user/v1/verify-email`: returns a session token without storing it. */
  verifyEmail(verificationPayload: { email: string; token: string }): Promise<string>;
  /** The actor of the held credential, or undefined when not logged in. Cached until the session changes. */
  whoami(): Promise<WhoamiResult | undefined>;
  twoFactor: BalenaTwoFactor;
}

/** A caller's request to the machine; `id` pairs it with its `auth.reply`. */
export type AuthRequest = (
  | { type: 'auth.login'; id: number; email: string; password: string }
  | { type: 'auth.loginWithToken'; id: number; token: string }
  | { type: 'auth.logout'; id: number }
  | { type: 'auth.authenticate'; id: number; email: string; password: string }
  | { type: 'auth.register'; id: number; credentials: Record<string, unknown> }
  | { type: 'auth.verifyEmail'; id: number; email: string; token: string }
  | { type: 'auth.whoami'; id: number }
  | { type: 'auth.isLoggedIn'; id: number }
  | { type: 'auth.requestVerificationEmail'; id: number; userId: number }
  | { type: 'auth.totp.verify'; id: number; code: string }
  | { type: 'auth.totp.challenge'; id: number; code: string }
  | { type: 'auth.totp.enable'; id: number; code: string }
  | { type: 'auth.totp.getSetupKey'; id: number }
  | { type: 'auth.totp.disable'; id: number; password: string }
) & {
  /** When the caller made the request (client clock, ms); guards judge token age and expiry by it. */
  at?: number;
};

/** Every event the machine accepts: caller requests, and changes of the store made elsewhere. */
export type AuthEvent =
  | AuthRequest
  | { type: 'store.changed'; token: string | undefined }
  | { type: `xstate.done.actor.query-${number}`; actorId: string; output: { token: string } }
  | { type: 'xstate.done.actor.saveToken' | 'xstate.done.actor.removeStoredToken'; output: unknown }
  | { type: 'xstate.error.actor.saveToken' | 'xstate.error.actor.removeStoredToken'; error: unknown }
  | { type: `xstate.error.actor.query-${number}`; actorId: string; error: unknown };

/** How a request ended. */
export type Outcome = { ok: true; result?: unknown } | { ok: false; error: unknown };

/** Emitted once per request. */
export type AuthReply = { type: 'auth.reply'; id: number } & Outcome;

/** The machine's data. Modes are states, not fields. */
export interface AuthContext {
  /** The held credential, a session JWT or an API key. */
  token?: string;
  /** How far the client's clock runs ahead of the server's (ms), learnt from freshly issued tokens. */
  clockSkew?: number;
  /** The cached whoami result; dropped whenever the credential changes. */
  actor?: WhoamiResult;
  /** Requests waiting for the machine to be ready for them, oldest first. */
  queue: AuthRequest[];
  /** The request being served. */
  current?: AuthRequest;
  /** The reply owed to `current` once the store write in progress finishes. */
  outcome?: Outcome;
  /** The last failure, for display; never holds a secret. */
  error?: unknown;
}
