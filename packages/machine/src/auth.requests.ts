import type { WhoamiResult } from './schemas.ts';
import type { SessionClaims } from './token.ts';

/**
 * Every request a caller can make of the machine: its payload and what its reply resolves with.
 * The request events, the queued set, the signed-out answers and the facade's result types are all
 * derived from this one table.
 */
export interface RequestTable {
  'auth.login': { payload: { email: string; password: string }; result: undefined };
  'auth.loginWithToken': {
    payload: { token: string; claims: SessionClaims | undefined };
    result: undefined;
  };
  'auth.logout': { payload: object; result: undefined };
  'auth.authenticate': { payload: { email: string; password: string }; result: string };
  'auth.register': { payload: { credentials: Record<string, unknown> }; result: string };
  'auth.verifyEmail': { payload: { email: string; token: string }; result: string };
  'auth.whoami': { payload: object; result: WhoamiResult };
  'auth.isLoggedIn': { payload: object; result: WhoamiResult };
  'auth.requestVerificationEmail': { payload: { userId: number }; result: undefined };
  'auth.totp.verify': { payload: { code: string }; result: string };
  'auth.totp.challenge': { payload: { code: string }; result: undefined };
  'auth.totp.enable': { payload: { code: string }; result: string };
  'auth.totp.getSetupKey': { payload: object; result: string };
  'auth.totp.disable': { payload: { password: string }; result: string };
  /** The credential to send with a request of the app's own (`client.api`), refreshed first when due. */
  'auth.credential': { payload: object; result: string };
  /** The server answered 401 to the app's own request sent with `token`. */
  'auth.credentialRejected': { payload: { token: string }; result: undefined };
}

/** A request's type, e.g. `'auth.login'`. */
export type RequestType = keyof RequestTable;

/**
 * How the machine serves each request:
 * - `session`: changes which credential is held (served one at a time);
 * - `token`: sends the held credential (served one at a time; refused at once when signed out);
 * - `query`: touches no session (runs at once, concurrently with everything else);
 * - `logout`: ends the session, cancelling whatever is in flight.
 * `keepsResult` requests reply with the token they stored (`twoFactor.enable`, `twoFactor.disable`).
 */
export const REQUESTS = {
  'auth.login': { kind: 'session' },
  'auth.loginWithToken': { kind: 'session' },
  'auth.logout': { kind: 'logout' },
  'auth.authenticate': { kind: 'query' },
  'auth.register': { kind: 'query' },
  'auth.verifyEmail': { kind: 'query' },
  'auth.whoami': { kind: 'token' },
  'auth.isLoggedIn': { kind: 'token' },
  'auth.requestVerificationEmail': { kind: 'token' },
  'auth.totp.verify': { kind: 'token' },
  'auth.totp.challenge': { kind: 'token' },
  'auth.totp.enable': { kind: 'token', keepsResult: true },
  'auth.totp.getSetupKey': { kind: 'token' },
  'auth.totp.disable': { kind: 'token', keepsResult: true },
  'auth.credential': { kind: 'token' },
  'auth.credentialRejected': { kind: 'token' },
} as const satisfies Record<
  RequestType,
  { kind: 'session' | 'token' | 'query' | 'logout'; keepsResult?: true }
>;

type Kind = (typeof REQUESTS)[RequestType]['kind'];
/** The request types of one kind. */
export type RequestsOf<K extends Kind> = {
  [T in RequestType]: (typeof REQUESTS)[T]['kind'] extends K ? T : never;
}[RequestType];

const ofKind = <K extends Kind>(...kinds: K[]) =>
  (Object.keys(REQUESTS) as RequestType[]).filter((type): type is RequestsOf<K> =>
    kinds.some((kind) => REQUESTS[type].kind === kind),
  );

/** Requests served one at a time: they wait while another such request is in flight. */
export const QUEUED_REQUESTS = ofKind('session', 'token');
/** Requests that need a held credential: answered `BalenaNotLoggedIn` at once when signed out. */
export const TOKEN_REQUESTS = ofKind('token');
/** Requests that touch no session and run concurrently. */
export const QUERY_REQUESTS = ofKind('query');

/** A caller's request: its type, an id that pairs it with its `auth.reply`, and its payload. */
export type RequestEvent<T extends RequestType = RequestType> = {
  [K in T]: {
    type: K;
    id: number;
    /** When the caller made the request (client clock, ms); guards judge token age and expiry by it. */
    at: number;
  } & RequestTable[K]['payload'];
}[T];

/** What a request's reply resolves with. */
export type RequestResult<T extends RequestType> = RequestTable[T]['result'];
