import { authSetup } from './auth.actions.ts';
import { QUERY_REQUESTS, QUEUED_REQUESTS } from './auth.requests.ts';

const SESSION = {
  restoring: '#auth.session.restoring',
  anonymous: '#auth.session.anonymous',
  authenticating: '#auth.session.authenticating',
  awaitingTwoFactor: '#auth.session.awaitingTwoFactor',
  unverified: '#auth.session.unverified',
  rejected: '#auth.session.unverified.rejected',
  authenticated: '#auth.session.authenticated',
} as const;
const ACTIVITY = {
  reading: '#auth.activity.reading',
  idle: '#auth.activity.ready.idle',
  stale: '#auth.activity.ready.stale',
  loggingIn: '#auth.activity.loggingIn',
  saving: '#auth.activity.saving',
  removing: '#auth.activity.removing',
} as const;

/** Before a request uses the held token: refuse it when signed out, refresh first when due, refuse an expired token. */
const beforeUsingToken = [
  { guard: 'isSignedOut', actions: ['replyNotLoggedIn', 'releaseNextRequest'] },
  { guard: 'isRefreshDue', target: 'refreshing', actions: 'beginRequest' },
  { guard: 'isTokenExpired', actions: ['replyExpiredToken', 'releaseNextRequest'] },
] as const;
/** A request that sends the held token: `beforeUsingToken`, then run `target`. */
const sendingToken = (target: string) => [...beforeUsingToken, { target, actions: 'beginRequest' }] as const;
/** A request refused for a reason the server gave: the network or the server is in trouble (stale), or not. */
const failed = [
  { guard: 'isTransientFailure', target: 'ready.stale', actions: 'replyFailure' },
  { target: 'ready.idle', actions: 'replyFailure' },
] as const;

/** A store change cancels a request that only reads with the held token; it is asked again with what the store holds. */
const reReadingOnStoreChange = {
  'store.changed': [
    { guard: 'isSameToken' },
    { target: [SESSION.restoring, ACTIVITY.reading], actions: ['requeueCurrent', 'forgetSession'] },
  ],
} as const;

/**
 * The balena auth session in one statechart, shared by every client. Two regions: `session` says
 * which credential is held; `activity` says what is in flight, and is where every request is
 * served, one at a time. `createAuth` runs it with a client's services (API client, token store,
 * clock) for input; use it directly for inspection, diagrams, model-based tests or custom wiring:
 *
 * @example
 * const actor = createActor(authMachine, { input: { services: createAuthServices({ api, store }) } });
 */
export const authMachine = authSetup.createMachine({
  id: 'auth',
  description: 'The balena auth session: one credential, who it belongs to, and the requests that use it.',
  type: 'parallel',
  context: { queue: [], queries: {} },
  states: {
    session: {
      description: 'Which credential is held. It changes only with the outcome of an activity, or by logout.',
      initial: 'restoring',
      states: {
        restoring: {
          description:
            'Reading the stored credential at start, or again after another tab or process changed it. Not signed out yet: wait on ready().',
        },
        anonymous: {
          description:
            'No credential is held. Requests that need one are refused at once, without a request.',
        },
        authenticating: { description: 'A password login (POST /login_) is in flight.' },
        awaitingTwoFactor: {
          description:
            'Holding a session token that still needs a TOTP challenge (twoFactorRequired). twoFactor.challenge(code) or logout are the ways on.',
        },
        unverified: {
          description:
            'Holding a credential the server has not confirmed yet: restored from storage, or given to loginWithToken (no request is made).',
          initial: 'pending',
          states: {
            pending: { description: 'Not yet confirmed by the server; a whoami or isLoggedIn will ask.' },
            rejected: {
              description:
                'The server refused the credential (401 on whoami). It stays stored until logout, like balena-sdk does.',
            },
          },
        },
        authenticated: {
          description:
            'The server issued or confirmed the credential. Holds the cached user; refreshes a day-old session token before use.',
        },
      },
    },
    activity: {
      description:
        'What is in flight. Requests that arrive while something is in flight wait in the queue and are released one at a time when it is ready again; a logout cancels whatever is in flight.',
      initial: 'reading',
      on: {
        ...Object.fromEntries(QUEUED_REQUESTS.map((type) => [type, { actions: 'enqueueRequest' }])),
        ...Object.fromEntries(QUERY_REQUESTS.map((type) => [type, { actions: 'spawnQuery' }])),
        'auth.logout': {
          target: [SESSION.anonymous, ACTIVITY.removing],
          actions: ['cancelRequests', 'beginRequest', 'forgetSession'],
        },
        'store.changed': { actions: 'deferStoreChange' },
        'xstate.done.actor.query.*': { actions: 'replyQuery' },
        'xstate.error.actor.query.*': { actions: 'replyQuery' },
      },
      states: {
        reading: {
          description: 'Reading the token store.',
          on: { 'store.changed': { target: 'reading', reenter: true } },
          invoke: {
            id: 'readStoredToken',
            src: 'readStoredToken',
            onDone: [
              {
                guard: 'isStoredTokenMissing',
                target: [SESSION.anonymous, ACTIVITY.idle],
                actions: 'adoptStoredToken',
              },
              {
                guard: 'isIssuedTokenTwoFactorPending',
                target: [SESSION.awaitingTwoFactor, ACTIVITY.idle],
                actions: 'adoptStoredToken',
              },
              { target: [SESSION.unverified, ACTIVITY.idle], actions: 'adoptStoredToken' },
            ],
            onError: { target: [SESSION.anonymous, ACTIVITY.idle], actions: 'rememberStoreFailure' },
          },
        },
        ready: {
          description: 'Nothing in flight: the next request is served at once.',
          entry: 'releaseNextRequest',
          initial: 'idle',
          states: {
            idle: { description: 'The last request, if any, reached the server.' },
            stale: {
              description:
                'The last request failed in transit or on the server (network, timeout, 5xx, 429). The credential is kept; the next request tries again.',
            },
          },
          on: {
            'auth.login': {
              target: [SESSION.authenticating, ACTIVITY.loggingIn],
              actions: ['beginRequest', 'clearUser'],
            },
            'auth.loginWithToken': [
              { guard: 'isGivenTokenExpired', actions: ['replyExpiredToken', 'releaseNextRequest'] },
              {
                guard: 'isGivenTokenTwoFactorPending',
                target: [SESSION.awaitingTwoFactor, ACTIVITY.saving],
                actions: ['beginRequest', 'adoptGivenToken'],
              },
              { target: [SESSION.unverified, ACTIVITY.saving], actions: ['beginRequest', 'adoptGivenToken'] },
            ],
            'auth.whoami': [
              { guard: 'hasUser', actions: ['replyUser', 'releaseNextRequest'] },
              ...sendingToken('fetchingUser'),
            ],
            'auth.isLoggedIn': sendingToken('fetchingUser'),
            'auth.requestVerificationEmail': sendingToken('markingVerificationEmailSent'),
            'auth.totp.verify': sendingToken('verifyingTotp'),
            'auth.totp.challenge': sendingToken('verifyingTotp'),
            'auth.totp.enable': sendingToken('verifyingTotp'),
            'auth.totp.getSetupKey': sendingToken('fetchingSetupKey'),
            'auth.totp.disable': sendingToken('disablingTwoFactor'),
            'auth.credential': [...beforeUsingToken, { actions: ['replyCredential', 'releaseNextRequest'] }],
            'auth.credentialRejected': [
              {
                guard: 'isRejectedSessionHeld',
                target: [SESSION.rejected, ACTIVITY.idle],
                actions: ['replyAccepted', 'clearUser'],
              },
              { actions: ['replyAccepted', 'releaseNextRequest'] },
            ],
            'store.changed': [
              { guard: 'isSameToken', actions: 'releaseNextRequest' },
              { target: [SESSION.restoring, ACTIVITY.reading], actions: 'forgetSession' },
            ],
          },
        },
        loggingIn: {
          description: 'Sending the e-mail and password (POST /login_), once.',
          invoke: {
            id: 'loginWithPassword',
            src: 'loginWithPassword',
            input: ({ event }) => (event.type === 'auth.login' ? event : { email: '', password: '' }),
            onDone: [
              {
                guard: 'isIssuedTokenTwoFactorPending',
                target: [SESSION.awaitingTwoFactor, ACTIVITY.saving],
                actions: 'adoptIssuedToken',
              },
              { target: [SESSION.authenticated, ACTIVITY.saving], actions: 'adoptIssuedToken' },
            ],
            onError: [
              {
                guard: 'isTwoFactorPending',
                target: [SESSION.awaitingTwoFactor, ACTIVITY.idle],
                actions: 'replyFailure',
              },
              { guard: 'hasToken', target: [SESSION.unverified, ACTIVITY.idle], actions: 'replyFailure' },
              { target: [SESSION.anonymous, ACTIVITY.idle], actions: 'replyFailure' },
            ],
          },
        },
        saving: {
          description: 'Writing the new credential to the token store.',
          invoke: {
            id: 'saveToken',
            src: 'saveToken',
            input: ({ context }) => ({ token: context.token ?? '' }),
            onDone: { target: 'ready.idle', actions: 'replyDone' },
            onError: { target: 'ready.idle', actions: 'replyFailure' },
          },
        },
        removing: {
          description: 'Deleting the stored credential (logout, or a refresh refused for an expired token).',
          on: { 'auth.logout': { actions: ['cancelRequests', 'enqueueRequest'] } },
          invoke: {
            id: 'removeStoredToken',
            src: 'removeStoredToken',
            onDone: { target: 'ready.idle', actions: 'replyRemoved' },
            onError: { target: 'ready.idle', actions: ['rememberStoreFailure', 'replyRemoved'] },
          },
        },
        refreshing: {
          on: reReadingOnStoreChange,
          description:
            'Exchanging a session token at least 24 h old for a fresh one before the request that needs it, under the store lock: if another tab or process already replaced the stored token, that one is adopted instead.',
          invoke: {
            id: 'refreshToken',
            src: 'refreshToken',
            input: ({ context }) => ({ token: context.token ?? '' }),
            onDone: [
              {
                guard: 'isStoreChangedMeanwhile',
                target: [SESSION.restoring, ACTIVITY.reading],
                actions: ['requeueCurrent', 'forgetSession'],
              },
              { target: 'ready.idle', actions: ['adoptIssuedToken', 'requeueCurrent'] },
            ],
            onError: [
              {
                guard: 'isExpiredTokenRejected',
                target: [SESSION.anonymous, ACTIVITY.removing],
                actions: 'forgetSession',
              },
              ...failed,
            ],
          },
        },
        fetchingUser: {
          on: reReadingOnStoreChange,
          description: 'Asking the server who the credential belongs to (GET /actor/v1/whoami).',
          entry: 'clearUser',
          invoke: {
            id: 'fetchUser',
            src: 'fetchUser',
            input: ({ context }) => ({ token: context.token ?? '' }),
            onDone: {
              target: [SESSION.authenticated, ACTIVITY.idle],
              actions: ['setUser', 'replyToUserWaiters'],
            },
            onError: [
              { guard: 'isTransientFailure', target: 'ready.stale', actions: 'replyToUserWaiters' },
              { guard: 'isTwoFactorPending', target: 'ready.idle', actions: 'replyToUserWaiters' },
              {
                guard: 'isCredentialRejected',
                target: [SESSION.rejected, ACTIVITY.idle],
                actions: 'replyToUserWaiters',
              },
              { target: 'ready.idle', actions: 'replyToUserWaiters' },
            ],
          },
        },
        verifyingTotp: {
          description:
            'Checking a TOTP code (POST /auth/totp/verify): a login challenge, the first code when enabling 2FA, or a check alone.',
          invoke: {
            id: 'verifyTotp',
            src: 'verifyTotp',
            input: ({ context, event }) => ({
              token: context.token ?? '',
              code: 'code' in event ? event.code : '',
            }),
            onDone: [
              { guard: 'isVerifyOnly', target: 'ready.idle', actions: 'replyOutput' },
              { guard: 'isIssuedTokenTwoFactorPending', target: 'ready.idle', actions: 'replyStillPending' },
              { target: [SESSION.authenticated, ACTIVITY.saving], actions: 'adoptIssuedToken' },
            ],
            onError: failed,
          },
        },
        fetchingSetupKey: {
          on: reReadingOnStoreChange,
          description: 'Fetching a TOTP setup key (GET /auth/totp/setup).',
          invoke: {
            id: 'fetchSetupKey',
            src: 'fetchSetupKey',
            input: ({ context }) => ({ token: context.token ?? '' }),
            onDone: { target: 'ready.idle', actions: 'replyOutput' },
            onError: failed,
          },
        },
        disablingTwoFactor: {
          description: 'Turning two-factor authentication off (POST /auth/totp/disable).',
          invoke: {
            id: 'disableTwoFactor',
            src: 'disableTwoFactor',
            input: ({ context, event }) => ({
              token: context.token ?? '',
              password: event.type === 'auth.totp.disable' ? event.password : '',
            }),
            onDone: { target: [SESSION.authenticated, ACTIVITY.saving], actions: 'adoptIssuedToken' },
            onError: failed,
          },
        },
        markingVerificationEmailSent: {
          description: 'Asking the server to send the verification e-mail again (PATCH /v7/user).',
          invoke: {
            id: 'markVerificationEmailSent',
            src: 'markVerificationEmailSent',
            input: ({ context, event }) => ({
              token: context.token ?? '',
              userId: event.type === 'auth.requestVerificationEmail' ? event.userId : 0,
            }),
            onDone: { target: 'ready.idle', actions: 'replyDone' },
            onError: failed,
          },
        },
      },
    },
  },
});
