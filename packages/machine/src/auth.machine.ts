import { assign, emit, enqueueActions, setup, spawnChild } from 'xstate';
import { type AuthServices, authActors, PLATFORM_SYSTEM_ID } from './auth.actors.ts';
import { authGuards } from './auth.guards.ts';
import type { AuthContext, AuthEvent, AuthReply, AuthRequest, Outcome } from './auth.types.ts';
import { BalenaExpiredToken, BalenaNotLoggedIn } from './errors.ts';
import type { WhoamiResult } from './schemas.ts';
import { clockSkewOf, parseStoredToken } from './token.ts';

const QUEUED_REQUESTS = [
  'auth.login',
  'auth.loginWithToken',
  'auth.whoami',
  'auth.isLoggedIn',
  'auth.requestVerificationEmail',
  'auth.totp.verify',
  'auth.totp.challenge',
  'auth.totp.enable',
  'auth.totp.getSetupKey',
  'auth.totp.disable',
] as const;

type Output<T> = { output: T };
type Failure = { error: unknown };

const tokenOf = ({ context }: { context: AuthContext }) => ({ token: context.token as string });

/** A request that sends the held token: refresh first when due, refuse an expired token, else run `target`. */
const tokenOperation = (target: string) =>
  [
    { guard: 'isRefreshDue', target: 'refreshing', actions: 'beginRequest' },
    { guard: 'isTokenExpired', actions: 'replyExpiredToken' },
    { target, actions: 'beginRequest' },
  ] as const;

/** Adopt a token given by the caller, and write it to the store. */
const adoptGivenToken = [
  { guard: 'isGivenTokenExpired', actions: 'replyExpiredToken' },
  {
    guard: 'isGivenTokenTwoFactorPending',
    target: '#auth.awaitingTwoFactor.saving',
    actions: ['beginRequest', 'adoptGivenToken'],
  },
  { target: '#auth.unverified.saving', actions: ['beginRequest', 'adoptGivenToken'] },
] as const;

/** After a failed password login: back to whatever the still-held credential says. */
const settleByHeldToken = <A extends string>(actions: A) =>
  [
    { guard: 'isTwoFactorPending', target: '#auth.awaitingTwoFactor', actions },
    { guard: 'hasToken', target: '#auth.unverified', actions },
    { target: '#auth.anonymous', actions },
  ] as const;

/** Where a request waits when nothing is in flight, in every state that holds a credential. */
const readyForRequests = (description: string) =>
  ({
    description,
    always: { guard: 'hasQueuedRequest', actions: 'dispatchNextRequest' },
    on: {
      'auth.login': { target: '#auth.authenticating', actions: 'beginRequest' },
      'auth.loginWithToken': adoptGivenToken,
      'auth.whoami': [{ guard: 'hasActor', actions: 'replyActor' }, ...tokenOperation('fetchingActor')],
      'auth.isLoggedIn': tokenOperation('fetchingActor'),
      'auth.requestVerificationEmail': tokenOperation('markingVerificationEmailSent'),
      'auth.totp.verify': tokenOperation('verifyingTotp'),
      'auth.totp.challenge': tokenOperation('verifyingTotp'),
      'auth.totp.enable': tokenOperation('verifyingTotp'),
      'auth.totp.getSetupKey': tokenOperation('fetchingSetupKey'),
      'auth.totp.disable': tokenOperation('disablingTwoFactor'),
    },
  }) as const;

/** A failed request: the network or the server is in trouble (stale), or the request itself was refused. */
const failed = <A extends string>(actions: A) =>
  [
    { guard: 'isTransientFailure', target: 'stale', actions },
    { target: 'idle', actions },
  ] as const;

/** The services a held credential can run, one state each; shared by every credential-holding state. */
const credentialActivities = {
  stale: readyForRequests(
    'The last request failed in transit or on the server (network, timeout, 5xx, 429). The credential is kept; the next request tries again.',
  ),
  saving: {
    description: 'Writing the new credential to the token store.',
    initial: 'writing',
    invoke: {
      id: 'saveToken',
      src: 'saveToken',
      input: tokenOf,
      onDone: { target: 'idle', actions: 'replyOutcome' },
      onError: { target: 'idle', actions: 'replyFailure' },
    },
    states: {
      writing: {
        description: 'Nothing else has touched the store meanwhile.',
        on: { 'store.changed': { guard: 'isChangedElsewhere', target: 'overtaken' } },
      },
      overtaken: {
        description:
          'Another tab or process changed the store during the write: read it again once the write is done.',
        on: {
          'xstate.done.actor.saveToken': {
            target: '#auth.restoring',
            actions: ['replyOutcome', 'forgetSession'],
          },
          'xstate.error.actor.saveToken': {
            target: '#auth.restoring',
            actions: ['replyFailure', 'forgetSession'],
          },
        },
      },
    },
  },
  refreshing: {
    description:
      'Exchanging a session token at least 24 h old for a fresh one before the request that needs it, under the store lock: if another tab or process already replaced the stored token, that one is adopted instead.',
    invoke: {
      src: 'refreshToken',
      input: tokenOf,
      onDone: [
        {
          guard: 'isStoreChangedMeanwhile',
          target: '#auth.restoring',
          actions: ['requeueCurrent', 'forgetSession'],
        },
        { target: 'idle', actions: ['adoptOutputToken', 'requeueCurrent'] },
      ],
      onError: [
        {
          guard: 'isExpiredTokenRejected',
          target: '#auth.anonymous.removing',
          actions: 'failWithExpiredToken',
        },
        ...failed('replyFailure'),
      ],
    },
  },
  fetchingActor: {
    description: 'Asking the server who the credential belongs to (GET /actor/v1/whoami).',
    entry: 'clearActor',
    invoke: {
      src: 'fetchActor',
      input: tokenOf,
      onDone: { target: '#auth.authenticated.idle', actions: ['setActor', 'replyToActorWaiters'] },
      onError: [
        { guard: 'isTransientFailure', target: 'stale', actions: 'replyToActorWaiters' },
        { guard: 'isTwoFactorPending', target: 'idle', actions: 'replyToActorWaiters' },
        {
          guard: 'isCredentialRejected',
          target: '#auth.unverified.rejected',
          actions: 'replyToActorWaiters',
        },
        { target: 'idle', actions: 'replyToActorWaiters' },
      ],
    },
  },
  verifyingTotp: {
    description:
      'Checking a TOTP code (POST /auth/totp/verify): a login challenge, or the first code when enabling 2FA.',
    invoke: {
      src: 'verifyTotp',
      input: ({ context }: { context: AuthContext }) => ({
        token: context.token as string,
        code: (context.current as { code: string }).code,
      }),
      onDone: [
        { guard: 'isVerifyOnly', target: 'idle', actions: 'replyOutputToken' },
        { target: '#auth.authenticated.saving', actions: 'adoptOutputToken' },
      ],
      onError: failed('replyFailure'),
    },
  },
  fetchingSetupKey: {
    description: 'Fetching a TOTP setup key (GET /auth/totp/setup).',
    invoke: {
      src: 'fetchSetupKey',
      input: tokenOf,
      onDone: { target: 'idle', actions: 'replySetupKey' },
      onError: failed('replyFailure'),
    },
  },
  disablingTwoFactor: {
    description: 'Turning two-factor authentication off (POST /auth/totp/disable).',
    invoke: {
      src: 'disableTwoFactor',
      input: ({ context }: { context: AuthContext }) => ({
        token: context.token as string,
        password: (context.current as { password: string }).password,
      }),
      onDone: { target: '#auth.authenticated.saving', actions: 'adoptOutputToken' },
      onError: failed('replyFailure'),
    },
  },
  markingVerificationEmailSent: {
    description: 'Asking the server to send the verification e-mail again (PATCH /v7/user).',
    invoke: {
      src: 'markVerificationEmailSent',
      input: ({ context }: { context: AuthContext }) => ({
        token: context.token as string,
        userId: (context.current as { userId: number }).userId,
      }),
      onDone: { target: 'idle', actions: 'replyOutcome' },
      onError: failed('replyFailure'),
    },
  },
} as const;

const reply = (request: AuthRequest | undefined, outcome: Outcome): AuthReply =>
  ({ type: 'auth.reply', id: request?.id ?? -1, ...outcome }) as AuthReply;

/**
 * The balena auth session as one statechart, shared by every client. `createAuth` runs it with a
 * client's services (API client, token store, clock) as its input; use it directly for
 * inspection, diagrams, model-based tests or custom wiring:
 *
 * @example
 * const actor = createActor(authMachine, { input: { services: createAuthServices({ api, store }) } });
 */
export const authMachine = setup({
  types: {
    context: {} as AuthContext,
    events: {} as AuthEvent,
    emitted: {} as AuthReply,
    input: {} as { services?: AuthServices } | undefined,
  },
  actors: authActors,
  guards: authGuards,
  actions: {
    startPlatform: spawnChild('platform', {
      id: PLATFORM_SYSTEM_ID,
      systemId: PLATFORM_SYSTEM_ID,
      input: ({ event }) => (event as { input?: { services?: AuthServices } }).input?.services,
    }),
    enqueueRequest: assign({ queue: ({ context, event }) => [...context.queue, event as AuthRequest] }),
    dispatchNextRequest: enqueueActions(({ context, enqueue }) => {
      const [next, ...rest] = context.queue;
      enqueue.assign({ queue: rest });
      enqueue.raise(next);
    }),
    beginRequest: assign({ current: ({ event }) => event as AuthRequest, outcome: undefined }),
    requeueCurrent: assign({
      queue: ({ context }) => (context.current ? [context.current, ...context.queue] : context.queue),
      current: undefined,
    }),
    forgetSession: assign({ token: undefined, actor: undefined, outcome: undefined }),
    clearActor: assign({ actor: undefined }),
    setActor: assign({
      actor: ({ event }) => (event as unknown as Output<{ actor: WhoamiResult }>).output.actor,
    }),
    adoptStoredToken: assign({
      token: ({ event }) => parseStoredToken((event as unknown as Output<{ raw?: string }>).output.raw).token,
      actor: undefined,
      error: undefined,
    }),
    rememberStoreFailure: assign({ error: ({ event }) => (event as unknown as Failure).error }),
    adoptGivenToken: assign({
      token: ({ event }) => (event as { token: string }).token.trim(),
      actor: undefined,
    }),
    adoptOutputToken: assign({
      token: ({ event }) => (event as unknown as Output<{ token: string }>).output.token,
      clockSkew: ({ context, event }) => {
        const { token, receivedAt } = (event as unknown as Output<{ token: string; receivedAt: number }>)
          .output;
        return clockSkewOf(token, receivedAt) ?? context.clockSkew;
      },
      outcome: ({ context, event }): Outcome | undefined =>
        context.current?.type === 'auth.totp.enable' || context.current?.type === 'auth.totp.disable'
          ? { ok: true, result: (event as unknown as Output<{ token: string }>).output.token }
          : undefined,
    }),
    failWithExpiredToken: assign({
      outcome: ({ context }) => ({ ok: false, error: new BalenaExpiredToken(context.token) }) as Outcome,
      token: undefined,
      actor: undefined,
    }),
    replyOutcome: enqueueActions(({ context, enqueue }) => {
      enqueue.emit(reply(context.current, context.outcome ?? { ok: true }));
      enqueue.assign({ current: undefined, outcome: undefined });
    }),
    replyFailure: enqueueActions(({ context, event, enqueue }) => {
      const error = (event as unknown as Failure).error;
      enqueue.emit(reply(context.current, { ok: false, error }));
      enqueue.assign({ current: undefined, outcome: undefined, error });
    }),
    replyOutputToken: enqueueActions(({ context, event, enqueue }) => {
      enqueue.emit(
        reply(context.current, {
          ok: true,
          result: (event as unknown as Output<{ token: string }>).output.token,
        }),
      );
      enqueue.assign({ current: undefined });
    }),
    replySetupKey: enqueueActions(({ context, event, enqueue }) => {
      enqueue.emit(
        reply(context.current, {
          ok: true,
          result: (event as unknown as Output<{ secret: string }>).output.secret,
        }),
      );
      enqueue.assign({ current: undefined });
    }),
    replyActor: emit(({ context, event }) => ({
      type: 'auth.reply' as const,
      id: (event as AuthRequest).id,
      ok: true as const,
      result: context.actor,
    })),
    replyToActorWaiters: enqueueActions(({ context, event, enqueue }) => {
      const failure = (event as Partial<Failure>).error;
      const outcome: Outcome =
        'output' in event
          ? { ok: true, result: (event as unknown as Output<{ actor: WhoamiResult }>).output.actor }
          : { ok: false, error: failure };
      const waiters: AuthRequest[] = context.queue.filter(
        (r) => r.type === 'auth.whoami' || r.type === 'auth.isLoggedIn',
      );
      for (const request of [context.current, ...waiters]) enqueue.emit(reply(request, outcome));
      enqueue.assign({
        current: undefined,
        queue: context.queue.filter((r) => !waiters.includes(r)),
        error: failure,
      });
    }),
    replyExpiredToken: emit(({ context, event }) => ({
      type: 'auth.reply' as const,
      id: (event as AuthRequest).id,
      ok: false as const,
      error: new BalenaExpiredToken('token' in event ? (event.token as string) : context.token),
    })),
    replyNotLoggedIn: emit(({ event }) => ({
      type: 'auth.reply' as const,
      id: (event as AuthRequest).id,
      ok: false as const,
      error: new BalenaNotLoggedIn(),
    })),
    spawnQuery: enqueueActions(({ event, enqueue }) => {
      const src =
        event.type === 'auth.register'
          ? 'register'
          : event.type === 'auth.verifyEmail'
            ? 'verifyEmail'
            : 'authenticate';
      enqueue.spawnChild(src, { id: `query-${(event as AuthRequest).id}`, input: event as never });
    }),
    replyQuery: enqueueActions(({ event, enqueue }) => {
      const { actorId, output, error } = event as unknown as {
        actorId: string;
        output?: { token: string };
        error?: unknown;
      };
      const id = Number(actorId.slice('query-'.length));
      enqueue.stopChild(actorId);
      enqueue.emit(
        (output
          ? { type: 'auth.reply', id, ok: true, result: output.token }
          : { type: 'auth.reply', id, ok: false, error }) as AuthReply,
      );
    }),
  },
}).createMachine({
  id: 'auth',
  description: 'The balena auth session: one credential, who it belongs to, and the requests that use it.',
  context: { queue: [] },
  entry: 'startPlatform',
  initial: 'restoring',
  on: {
    'auth.logout': {
      target: '.anonymous.removing',
      actions: ['requeueCurrent', 'beginRequest', 'forgetSession'],
    },
    'store.changed': [
      { guard: 'isSameToken' },
      { target: '.restoring', actions: ['requeueCurrent', 'forgetSession'] },
    ],
    'auth.authenticate': { actions: 'spawnQuery' },
    'auth.register': { actions: 'spawnQuery' },
    'auth.verifyEmail': { actions: 'spawnQuery' },
    'xstate.done.actor.*': { actions: 'replyQuery' },
    'xstate.error.actor.*': { actions: 'replyQuery' },
    ...Object.fromEntries(QUEUED_REQUESTS.map((type) => [type, { actions: 'enqueueRequest' }])),
  },
  states: {
    restoring: {
      description:
        'Reading the stored credential at start, or again after another tab or process changed it. Not signed out yet: wait on ready().',
      on: {
        'store.changed': {
          target: 'restoring',
          reenter: true,
          description: 'Read again: the value being read may be outdated.',
        },
      },
      invoke: {
        src: 'readStoredToken',
        onDone: [
          { guard: 'isStoredTokenMissing', target: 'anonymous', actions: 'adoptStoredToken' },
          { guard: 'isOutputTwoFactorPending', target: 'awaitingTwoFactor', actions: 'adoptStoredToken' },
          { target: 'unverified', actions: 'adoptStoredToken' },
        ],
        onError: { target: 'anonymous', actions: 'rememberStoreFailure' },
      },
    },
    anonymous: {
      description: 'No credential is held. Requests that need one are refused at once, without a request.',
      initial: 'idle',
      states: {
        idle: {
          description: 'Signed out.',
          always: { guard: 'hasQueuedRequest', actions: 'dispatchNextRequest' },
          on: {
            'auth.login': { target: '#auth.authenticating', actions: 'beginRequest' },
            'auth.loginWithToken': adoptGivenToken,
            ...Object.fromEntries(
              QUEUED_REQUESTS.filter((type) => type !== 'auth.login' && type !== 'auth.loginWithToken').map(
                (type) => [type, { actions: 'replyNotLoggedIn' }],
              ),
            ),
          },
        },
        removing: {
          description: 'Deleting the stored credential (logout, or a refresh refused for an expired token).',
          initial: 'deleting',
          invoke: {
            id: 'removeStoredToken',
            src: 'removeStoredToken',
            onDone: { target: 'idle', actions: 'replyOutcome' },
            onError: { target: 'idle', actions: ['rememberStoreFailure', 'replyOutcome'] },
          },
          states: {
            deleting: {
              description: 'Nothing else has touched the store meanwhile.',
              on: { 'store.changed': { guard: 'isChangedElsewhere', target: 'overtaken' } },
            },
            overtaken: {
              description:
                'Another tab or process changed the store during the removal: read it again once it is done.',
              on: {
                'xstate.done.actor.removeStoredToken': { target: '#auth.restoring', actions: 'replyOutcome' },
                'xstate.error.actor.removeStoredToken': {
                  target: '#auth.restoring',
                  actions: ['rememberStoreFailure', 'replyOutcome'],
                },
              },
            },
          },
        },
      },
    },
    authenticating: {
      description: 'A password login (POST /login_) is in flight.',
      entry: 'clearActor',
      invoke: {
        src: 'loginWithPassword',
        input: ({ context }) => {
          const { email, password } = context.current as { email: string; password: string };
          return { email, password };
        },
        onDone: [
          {
            guard: 'isOutputTwoFactorPending',
            target: 'awaitingTwoFactor.saving',
            actions: 'adoptOutputToken',
          },
          { target: 'authenticated.saving', actions: 'adoptOutputToken' },
        ],
        onError: settleByHeldToken('replyFailure'),
      },
    },
    awaitingTwoFactor: {
      description:
        'Holding a session token that still needs a TOTP challenge (twoFactorRequired). twoFactor.challenge(code) or logout are the ways on.',
      initial: 'idle',
      states: { idle: readyForRequests('Waiting for the TOTP challenge.'), ...credentialActivities },
    },
    unverified: {
      description:
        'Holding a credential the server has not confirmed yet: restored from storage, or given to loginWithToken (no request is made).',
      initial: 'idle',
      states: {
        idle: readyForRequests('Not yet confirmed by the server; a whoami or isLoggedIn will ask.'),
        rejected: readyForRequests(
          'The server refused the credential (401 on whoami). It stays stored until logout, as in balena-sdk.',
        ),
        ...credentialActivities,
      },
    },
    authenticated: {
      description:
        'The server issued or confirmed the credential. Holds the cached actor; refreshes a day-old session token before use.',
      initial: 'idle',
      states: { idle: readyForRequests('Signed in, nothing in flight.'), ...credentialActivities },
    },
  },
});
