import type { DoneActorEvent, ErrorActorEvent, InspectionEvent } from 'xstate';
import type { AuthServices } from './auth.actors.ts';
import type { QUEUED_REQUESTS, RequestEvent } from './auth.requests.ts';
import type { WhoamiResult } from './schemas.ts';
import type { SessionClaims } from './token.ts';

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
  /**
   * The balena API, an `http:` or `https:` URL. Default `'https://api.balena-cloud.com'`. Requests
   * only ever go to its origin; a redirect elsewhere rejects with `BalenaRedirectError`.
   */
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
   * Events are plain redacted copies; an inspector that throws or rejects is ignored.
   *
   * @example
   * const inspector = createBrowserInspector();
   * createAuth({ store, inspect: inspector.inspect });
   */
  inspect?: ((event: InspectionEvent) => void) | { next?: (event: InspectionEvent) => void };
  /**
   * Retry a request answered 429 after its `Retry-After`: `true`, or a function deciding from the
   * wait in ms (balena-sdk's option). Default false. Bounded: at most 3 retries per call, each at
   * least 1 s after the 429; a `Retry-After` over 60 s is not retried. A call that gives up rejects
   * as a 429 does without the option (`BalenaTooManyRequests` from login and authenticate).
   *
   * @example
   * createAuth({ store, retryRateLimitedRequests: (retryAfterMs) => retryAfterMs <= 10_000 });
   */
  retryRateLimitedRequests?: boolean | ((retryAfterMs: number) => boolean);
  /**
   * Per-request timeout in ms, redirects and body included: above 0, at most 2^31 - 1. Default
   * 59 000, as balena-request.
   */
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
export type AuthRequest = RequestEvent;

/** A change of the stored token made elsewhere (another tab, another process, the balena CLI). */
export type StoreChangedEvent = { type: 'store.changed'; token: string | undefined };

type ServiceOutput<N extends keyof AuthServices> = Awaited<ReturnType<AuthServices[N]>>;
/** The done and error events of one invoked service, typed by its invoke id. */
type ServiceEvents<N extends keyof AuthServices> = N extends unknown
  ? DoneActorEvent<ServiceOutput<N>, N> | ErrorActorEvent<unknown, N>
  : never;
/** A query (`authenticate`, `register`, `verifyEmail`) runs as a child `query.<slot>`. */
export type QueryId = `query.${number}`;

/** Every event the machine accepts: caller requests, store changes, and its services' results. */
export type AuthEvent =
  | AuthRequest
  | StoreChangedEvent
  | ServiceEvents<
      | 'readStoredToken'
      | 'saveToken'
      | 'removeStoredToken'
      | 'loginWithPassword'
      | 'refreshToken'
      | 'fetchUser'
      | 'verifyTotp'
      | 'fetchSetupKey'
      | 'disableTwoFactor'
      | 'markVerificationEmailSent'
    >
  | DoneActorEvent<ServiceOutput<'authenticate'>, QueryId>
  | ErrorActorEvent<unknown, QueryId>;

/** How a request ended. */
export type Outcome = { ok: true; result?: unknown } | { ok: false; error: unknown };

/** Emitted once per request. */
export type AuthReply = { type: 'auth.reply'; id: number } & Outcome;

/** What waits in the queue: requests served one at a time (a logout during a removal too), and a store change seen meanwhile. */
export type QueuedEvent = RequestEvent<(typeof QUEUED_REQUESTS)[number] | 'auth.logout'> | StoreChangedEvent;

/** The machine's data. Modes are states, not fields. */
export interface AuthContext {
  /** The held credential, a session JWT or an API key. */
  token?: string;
  /** The held token's claims, decoded once when it was adopted; undefined for an API key. */
  claims?: SessionClaims;
  /** How far the client's clock runs ahead of the server's (ms), learnt from freshly issued tokens. */
  clockSkew?: number;
  /** The cached whoami result; dropped whenever the credential changes. */
  user?: WhoamiResult;
  /** Requests waiting for the activity region to be ready for them, oldest first. */
  queue: QueuedEvent[];
  /** The request the activity in flight is serving. */
  current?: RequestEvent<(typeof QUEUED_REQUESTS)[number] | 'auth.logout'>;
  /** The queries in flight: child id to request id. */
  queries: Partial<Record<QueryId, number>>;
  /** The last failure, for display; never holds a secret. */
  error?: unknown;
}

/** The machine's types for `setup({ types })`; a value for the type checker only. */
export const authTypes = {} as {
  context: AuthContext;
  events: AuthEvent;
  emitted: AuthReply;
  input: { services?: AuthServices } | undefined;
};

/** True for the id of a query's child actor. */
export const isQueryId = (id: string): id is QueryId => id.startsWith('query.');

/** The result of a query's child actor. */
export type QueryResultEvent =
  | DoneActorEvent<ServiceOutput<'authenticate'>, QueryId>
  | ErrorActorEvent<unknown, QueryId>;
/** True for the done or error event of a query's child actor. */
export const isQueryResult = (event: AuthEvent): event is QueryResultEvent =>
  'actorId' in event && isQueryId(event.actorId);

/**
 * The session as an app renders it, derived from the chart:
 * - `restoring`: the stored credential is being read (wait, show no login form yet);
 * - `signedOut`: no credential, or the server rejected the one held;
 * - `twoFactorRequired`: a session token that still needs `twoFactor.challenge(code)` (or logout);
 * - `signedIn`: a credential is held; `user` once the server confirmed it (whoami).
 *
 * @example
 * const session = client.getSession();
 * if (session.status === 'signedIn') render(`Hello ${session.user?.username ?? '…'}`);
 */
export type AuthSession =
  | { status: 'restoring' }
  | { status: 'signedOut' }
  | { status: 'twoFactorRequired' }
  | { status: 'signedIn'; user?: WhoamiResult };

/**
 * What changed, as told to `onAuthStateChange` listeners: `INITIAL_SESSION` (first call of each
 * listener, once the stored session has been read), `SIGNED_IN`, `SIGNED_OUT`,
 * `TWO_FACTOR_REQUIRED`, `TOKEN_REFRESHED` (a new token for the same signed-in session) and
 * `USER_UPDATED` (the server confirmed who is signed in).
 */
export type AuthChangeEvent =
  | 'INITIAL_SESSION'
  | 'SIGNED_IN'
  | 'SIGNED_OUT'
  | 'TWO_FACTOR_REQUIRED'
  | 'TOKEN_REFRESHED'
  | 'USER_UPDATED';

/** Options of a `client.api` call: fetch's, plus ofetch's (`query`, JSON `body`, `responseType`, …). */
export interface AuthApiOptions extends Omit<RequestInit, 'body'> {
  /** A JSON-serialisable value (sent as JSON) or anything fetch takes as a body. */
  body?: RequestInit['body'] | Record<string, unknown> | unknown[];
  /** Added to the URL as a query string. */
  query?: Record<string, unknown>;
  /** How to read the response: JSON (by content type, the default), text, a blob, … */
  responseType?: 'json' | 'text' | 'blob' | 'arrayBuffer' | 'stream';
  /** Milliseconds; default `requestTimeoutMs`. */
  timeout?: number;
  /** ofetch's retry: off unless given. */
  retry?: number | false;
  retryDelay?: number;
  retryStatusCodes?: number[];
  /** Resolve instead of rejecting on a 4xx/5xx. */
  ignoreResponseError?: boolean;
}

/**
 * `client.api`: an [ofetch](https://github.com/unjs/ofetch) `$Fetch` instance. Its type is written
 * out here (the call, and `raw`) because ofetch's own declarations need undici's; annotate it as
 * ofetch's `$Fetch` if your project has those.
 *
 * @example
 * const { d } = await client.api<{ d: { uuid: string }[] }>('/v7/device', { query: { $select: 'uuid' } });
 */
export interface AuthApi {
  <T = unknown>(request: string | Request, options?: AuthApiOptions): Promise<T>;
  /** The whole response, with the parsed body as `_data`. */
  raw<T = unknown>(request: string | Request, options?: AuthApiOptions): Promise<Response & { _data?: T }>;
}
